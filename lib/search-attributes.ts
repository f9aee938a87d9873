// The custom search attributes of pipeline runs, for filtering runs in the Web UI
// (`PaccafeMode = "full"`, `PaccafeQuarantined = true`). Workflows set them; lib/temporal.ts
// registers them on the server when a worker or the local services start.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'

/** full, incremental, reprocess or reload (a models run sets none). */
export const RUN_MODE = defineSearchAttributeKey('PaccafeMode', SearchAttributeType.KEYWORD)
/** running, succeeded or failed. */
export const RUN_OUTCOME = defineSearchAttributeKey('PaccafeOutcome', SearchAttributeType.KEYWORD)
/** Whether the run held rows back in a quarantine batch. */
export const RUN_QUARANTINED = defineSearchAttributeKey('PaccafeQuarantined', SearchAttributeType.BOOL)

export const PIPELINE_SEARCH_ATTRIBUTES = [RUN_MODE, RUN_OUTCOME, RUN_QUARANTINED]

/** The type's name as the Temporal CLI and `start-dev --search-attribute` spell it. */
export function typeName(key: (typeof PIPELINE_SEARCH_ATTRIBUTES)[number]): 'Bool' | 'Keyword' {
  return key.type === SearchAttributeType.BOOL ? 'Bool' : 'Keyword'
}

/** Set by the server on runs a schedule started: the schedule's id. */
export const SCHEDULED_BY = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD)
