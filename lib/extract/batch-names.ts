// Names derived from a run, so that a retried activity finds what its first attempt made.
import { createHash } from 'node:crypto'

/** One extraction of one source table or sheet in one run. */
export function batchIdFor(runId: string, tableName: string): string {
  return `${runId}.${tableName}`
}

/** The per-batch load table in staging. */
export function loadTableName(batchId: string, tableName: string): string {
  return `_load_${tableName}_${createHash('md5').update(batchId).digest('hex').slice(0, 12)}`
}
