// A row's journey: what the pipeline recorded about one source row, event by event, as
// dq.row_journey (migrations/0020_row_journey.sql) lists it. `paccafe journey` prints it.
import type { Sql } from '../db.ts'
import { POS_TABLES } from '../extract/sources.ts'
import { SHEET_SPECS } from '../sheets/sheet-specs.ts'

/** The source tables a journey can be asked of: the POS tables, then the sheets. */
export const JOURNEY_TABLES: readonly string[] = [...POS_TABLES, ...SHEET_SPECS.map((sheet) => sheet.name)]

export const JOURNEY_EVENTS = [
  'extracted',
  'reprocessed',
  'reloaded',
  'violation',
  'quarantined',
  'corrected',
  'reprocess requested',
  'discard requested',
  'violation resolved',
  'discarded',
  'correction retired',
  'published',
  'quarantine closed',
] as const
export type JourneyEventName = (typeof JOURNEY_EVENTS)[number]

export interface JourneyEvent {
  /** 1, 2, ... in the order the events happened. */
  seq: number
  /** When it happened; null when the record it comes from has no time (listed last). */
  at: Date | null
  event: JourneyEventName
  /** The run it happened in: the run that staged, found, quarantined, retired or reprocessed; null for a person's act. */
  runId: string | null
  /** One readable line. */
  summary: string
  /** The facts, as the function's JSON: the columns of the record the event comes from. */
  detail: Record<string, unknown>
}

/** The events of one source row (`naturalKey` as dq stores it: '1042', or '2024-03-01|Main|17' for a sheet), in order. */
export async function rowJourney(sql: Sql, tableName: string, naturalKey: string): Promise<JourneyEvent[]> {
  return sql<JourneyEvent[]>`
    select j.seq, j.at, j.event, j.run_id as "runId", j.summary, j.detail
    from dq.row_journey(${tableName}, ${naturalKey}) as j
    order by j.seq`
}
