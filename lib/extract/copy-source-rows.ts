// The one way an activity copies POS rows into a batch's load table: the public schema, chunk by
// chunk, stopping at a chunk boundary when the attempt is cancelled, heartbeating after each.
import type { Config } from '../config.ts'
import type { Sql } from '../db.ts'
import { cancellationSignal, heartbeat } from '../heartbeat.ts'
import { loadTableName } from './batch-names.ts'
import { chunkedCopy } from './chunked-copy.ts'
import type { StagingTable } from './staging-catalog.ts'

export const SOURCE_SCHEMA = 'public'

/**
 * Copies the source rows matching `where` (trusted SQL: COPY takes no bind parameters) into the
 * batch's load table, resuming after a crash; returns the load table's name.
 */
export async function copySourceRows(
  warehouse: Sql,
  config: Config,
  staging: StagingTable,
  batchId: string,
  where: string | null,
): Promise<string> {
  const loadTable = loadTableName(batchId, staging.table)
  await chunkedCopy(warehouse, {
    sourceUrl: config.sourceUrl,
    warehouseUrl: config.warehouseUrl,
    sourceSchema: SOURCE_SCHEMA,
    staging,
    batchId,
    loadTable,
    source: 'pos',
    where,
    chunkRows: config.extractChunkRows,
    onChunk: (progress) => {
      // A cancelled or timed-out attempt stops at a chunk boundary; the retry resumes there.
      cancellationSignal().throwIfAborted()
      heartbeat(progress)
    },
  })
  return loadTable
}
