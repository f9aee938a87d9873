// etl.batches: one row per run and table staged, opened before its rows are read and marked
// staged, with its counts, in the transaction that merges them into the mirror. A retried step
// finds its batch staged and returns the counts recorded the first time.
import type { Sql, TransactionSql } from '../db.ts'

export interface BatchCounts {
  rowsRead: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
  /** POS tables, full mode: rows gone from the source. */
  rowsDeleted: number
  /** Sheets: rows held back while the file was read. */
  rowsRejected: number
}

export interface BatchOpening {
  batchId: string
  runId: string
  tableName: string
  source: 'pos' | 'sheets' | 'reprocess'
  mode: string
  /** Incremental POS reads: the created_at the read starts from. */
  extractedFrom?: string | null
}

/** Opens the batch; opening it again (a retry) keeps the first opening. */
export async function openBatch(sql: Sql, batch: BatchOpening): Promise<void> {
  await sql`
    insert into etl.batches (batch_id, run_id, table_name, source, mode, extracted_from)
    values (${batch.batchId}, ${batch.runId}, ${batch.tableName}, ${batch.source}, ${batch.mode},
            ${batch.extractedFrom ?? null})
    on conflict (batch_id) do nothing`
}

/** The counts of a batch already staged, or undefined while it is not. */
export async function stagedBatchCounts(sql: Sql, batchId: string): Promise<BatchCounts | undefined> {
  const [row] = await sql<BatchCounts[]>`
    select rows_read as "rowsRead", rows_inserted as "rowsInserted", rows_updated as "rowsUpdated",
           rows_unchanged as "rowsUnchanged", rows_deleted as "rowsDeleted", rows_rejected as "rowsRejected"
    from etl.batches where batch_id = ${batchId} and status = 'staged'`
  return row
}

export async function markBatchStaged(tx: TransactionSql, batchId: string, counts: BatchCounts): Promise<void> {
  await tx`
    update etl.batches set status = 'staged', rows_read = ${counts.rowsRead}, rows_inserted = ${counts.rowsInserted},
      rows_updated = ${counts.rowsUpdated}, rows_unchanged = ${counts.rowsUnchanged},
      rows_deleted = ${counts.rowsDeleted}, rows_rejected = ${counts.rowsRejected}, finished_at = now()
    where batch_id = ${batchId}`
}
