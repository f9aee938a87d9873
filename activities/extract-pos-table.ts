// Extracts one POS table into its staging mirror:
//   source --COPY out--> per-batch load table --one transaction--> staging mirror

import type { ExtractPosTableInput, ExtractResult, RunMode } from '../lib/contract.ts'
import { refreshStatistics, type TransactionSql, withCancellableSession } from '../lib/db.ts'
import { batchIdFor } from '../lib/extract/batch-names.ts'
import { type BatchCounts, markBatchStaged, openBatch, stagedBatchCounts } from '../lib/extract/batch-records.ts'
import { copySourceRows, SOURCE_SCHEMA } from '../lib/extract/copy-source-rows.ts'
import { mirrorIsReplaceable, prepareLoadAsMirror, swapLoadIntoMirror } from '../lib/extract/first-load.ts'
import { upsertChangedRows } from '../lib/extract/merge-rows.ts'
import { assertNoSchemaDrift, describeStagingTable, type StagingTable } from '../lib/extract/staging-catalog.ts'
import { quoteIdentifier as q } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

const TIMESTAMP_LITERAL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/

/**
 * Full mode reads every row: changed rows (new _row_hash) join the batch, rows gone from the
 * source get _deleted_at. Incremental mode reads rows past the created_at high-water mark, less
 * an overlap window for late commits; the merge on the source key keeps the overlap from
 * doubling a row. The batch id is derived from the run, so a retried activity finds its batch
 * already staged and returns the recorded counts.
 */
export function makeExtractPosTable(context: ActivityContext) {
  return async function extractPosTable(input: ExtractPosTableInput): Promise<ExtractResult> {
    const { warehouse } = context
    const batchId = batchIdFor(input.runId, input.tableName)
    const result = await recordStep(
      warehouse,
      { runId: input.runId, step: 'extract', tableName: input.tableName },
      async () => {
        const done = await stagedBatchCounts(warehouse, batchId)
        if (done) return withStepCounts(done)
        const staging = await describeStagingTable(warehouse, input.tableName)
        await assertNoSchemaDrift(context.source, SOURCE_SCHEMA, staging)
        const lowerBound = input.mode === 'incremental' ? await incrementalLowerBound(context, input.tableName) : null
        await openBatch(warehouse, {
          batchId,
          runId: input.runId,
          tableName: input.tableName,
          source: 'pos',
          mode: input.mode,
          extractedFrom: lowerBound,
        })
        // A resumed batch keeps the lower bound its first attempt chose.
        const [batch] = await warehouse<{ lower_bound: string | null }[]>`
          select to_char(extracted_from, 'YYYY-MM-DD HH24:MI:SS.US') as lower_bound
          from etl.batches where batch_id = ${batchId}`
        const loadTable = await copyIntoLoadTable(context, staging, batchId, batch?.lower_bound ?? null)
        await prepareLoadAsMirror(context.config.warehouseUrl, warehouse, staging.table, loadTable)
        const merged = await withCancellableSession(
          context.config.warehouseUrl,
          warehouse,
          'paccafe-worker-extract',
          (session) => mergeIntoMirror({ ...context, warehouse: session }, staging, batchId, loadTable, input.mode),
        )
        return withStepCounts(merged)
      },
    )
    return {
      batchId,
      tableName: input.tableName,
      rowsRead: result.rowsRead,
      rowsInserted: result.rowsInserted,
      rowsUpdated: result.rowsUpdated,
      rowsUnchanged: result.rowsUnchanged,
      rowsDeleted: result.rowsDeleted,
    }
  }
}

/** For etl.steps: rows read in, rows of the batch (new or changed) out. */
function withStepCounts(counts: BatchCounts) {
  return { ...counts, rowsIn: counts.rowsRead, rowsOut: counts.rowsInserted + counts.rowsUpdated }
}

/** The created_at from which an incremental extraction reads: the high-water mark less the overlap. */
async function incrementalLowerBound(context: ActivityContext, tableName: string): Promise<string | null> {
  const [row] = await context.warehouse<{ bound: string | null }[]>`
    select to_char(high_water_mark - make_interval(mins => ${context.config.incrementalOverlapMinutes}),
                   'YYYY-MM-DD HH24:MI:SS.US') as bound
    from etl.watermarks where table_name = ${tableName}`
  return row?.bound ?? null
}

/** Copies the source rows into the batch's load table, chunk by chunk, resuming after a crash. */
async function copyIntoLoadTable(
  context: ActivityContext,
  staging: StagingTable,
  batchId: string,
  extractedFrom: string | null,
): Promise<string> {
  if (extractedFrom !== null && !TIMESTAMP_LITERAL.test(extractedFrom)) {
    throw new Error(`Unexpected high-water mark ${extractedFrom}`)
  }
  // The only value inlined is a timestamp we formatted ourselves.
  const where = extractedFrom === null ? null : `created_at >= '${extractedFrom}'::timestamp`
  return copySourceRows(context.warehouse, context.config, staging, batchId, where)
}

/** Merges the load table into the mirror, records the batch and the watermark: one transaction. */
async function mergeIntoMirror(
  context: ActivityContext,
  staging: StagingTable,
  batchId: string,
  loadTable: string,
  mode: RunMode,
): Promise<BatchCounts> {
  const mirror = `staging.${q(staging.table)}`
  const load = `staging.${q(loadTable)}`
  return context.warehouse.begin(async (tx: TransactionSql) => {
    const read = await readLoadTable(tx, load)
    const replaced = await mirrorIsReplaceable(tx, staging.table)
    if (replaced) await swapLoadIntoMirror(tx, staging.table, loadTable)
    const merged = replaced ? { inserted: read.rows, updated: 0 } : await upsertChangedRows(tx, staging, mirror, load)
    // Rows gone from the source: only a full read can tell, and an empty mirror has none.
    const deleted = mode === 'full' && !replaced ? await markRowsGoneFromSource(tx, staging, mirror, load) : 0
    // Every row read is new, changed or unchanged: a POS table rejects nothing at extraction.
    const counts: BatchCounts = {
      rowsRead: read.rows,
      rowsInserted: merged.inserted,
      rowsUpdated: merged.updated,
      rowsUnchanged: read.rows - merged.inserted - merged.updated,
      rowsDeleted: deleted,
      rowsRejected: 0,
    }
    // A mirror swapped in was analyzed as the load table.
    if (!replaced) await refreshStatistics(tx, mirror, counts.rowsInserted + counts.rowsUpdated + deleted)
    await markBatchStaged(tx, batchId, counts)
    if (read.highWaterMark) await advanceWatermark(tx, staging.table, batchId, read.highWaterMark)
    await tx.unsafe(`drop table if exists ${load}`)
    return counts
  })
}

/** The load table's rows and the latest created_at among them. */
async function readLoadTable(tx: TransactionSql, load: string) {
  const [read] = await tx.unsafe<{ n: number; high_water_mark: string | null }[]>(
    `select count(*)::int as n, max(created_at)::text as high_water_mark from ${load}`,
  )
  return { rows: read?.n ?? 0, highWaterMark: read?.high_water_mark ?? null }
}

/** Marks deleted (_deleted_at) the mirror's rows whose key the full read did not bring. */
async function markRowsGoneFromSource(
  tx: TransactionSql,
  staging: StagingTable,
  mirror: string,
  load: string,
): Promise<number> {
  const keys = staging.keyColumns.map(q)
  const result = await tx.unsafe(
    `update ${mirror} as m set _deleted_at = now()
     where m._deleted_at is null
       and not exists (select 1 from ${load} as l where ${keys.map((k) => `l.${k} = m.${k}`).join(' and ')})`,
  )
  return result.count
}

/**
 * Moves the table's high-water mark up to the batch's latest created_at, keeping the one
 * before in the batch, so that a run failing later can hand the rows back (releaseFailedRun).
 */
async function advanceWatermark(tx: TransactionSql, table: string, batchId: string, highWaterMark: string) {
  await tx`
    update etl.batches set watermark_before = (select high_water_mark from etl.watermarks where table_name = ${table})
    where batch_id = ${batchId}`
  await tx`
    insert into etl.watermarks (table_name, high_water_mark, last_batch_id, updated_at)
    values (${table}, ${highWaterMark}::timestamp, ${batchId}, now())
    on conflict (table_name) do update set
      high_water_mark = greatest(etl.watermarks.high_water_mark, excluded.high_water_mark),
      last_batch_id = excluded.last_batch_id, updated_at = now()`
}
