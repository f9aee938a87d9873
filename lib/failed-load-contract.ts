// The inputs and results of the failed-load activities (archiveFailedLoads, stageFailedLoad), to be
// merged into lib/contract.ts. Ids, object keys and counts only: never rows, they stay in the bucket.
import type { ExtractResult } from './contract.ts'

export type FailedLoadSource = 'pos' | 'sheets'
/** rows: the rows a batch had extracted, as NDJSON; file: a sheet file that could not be read, as it was. */
export type FailedLoadKind = 'rows' | 'file'
export type FailedLoadStatus = 'open' | 'reloaded' | 'discarded'

export interface ArchiveFailedLoadsInput {
  /** The run that failed for good. */
  runId: string
  /** Why it failed, as the run records it (etl.runs.error). */
  error: string
}

/** One failed load of a run, as etl.failed_loads records it. */
export interface FailedLoadRecord {
  /** `<run id>.<table>` for rows, `<run id>.<sheet>/<file name>` for a file. */
  failedLoadId: string
  tableName: string
  source: FailedLoadSource
  kind: FailedLoadKind
  /** rows.jsonl, or the archived file. */
  objectKey: string
  /** error.json (or `<file name>.error.json` for a file). */
  errorKey: string
  /** Lines of rows.jsonl; null for a file, whose rows were never read whole. */
  rowsArchived: number | null
  status: FailedLoadStatus
}

export interface ArchiveFailedLoadsResult {
  runId: string
  /** Every failed load of the run, those archived by this call and the sheet files archived by ingestion, by id. */
  failedLoads: FailedLoadRecord[]
  /** The sum of rowsArchived. */
  rowsArchived: number
  /** A failed reload run: the failed loads it had staged, open again (by id). */
  reopened: string[]
}

export interface StageFailedLoadInput {
  /** The reload run (etl.runs mode 'reload'), already started. */
  runId: string
  failedLoadId: string
}

/**
 * The reload run's batch of the table, as staged: rowsRead lines of the archive, of which
 * rowsInserted new, rowsUpdated changed and rowsResubmitted unchanged but sent on again (the
 * three are the batch's rows, which go on to clean, validation and publish); rowsUnchanged are
 * rows that the mirror holds in a later version than the archive's (kept, not sent on);
 * rowsRejected are a reloaded sheet file's rows held back (cells that do not parse, a repeated key).
 */
export interface StageFailedLoadResult extends ExtractResult {
  failedLoadId: string
  rowsResubmitted: number
  rowsRejected: number
}
