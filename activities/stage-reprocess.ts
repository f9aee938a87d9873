// A reprocess run's "extraction": the rows of its request are sent on again, in a batch of the
// run per table, so that the same clean, validation and publish models as a run's read them.
// Their staged values are left as they are (corrections are applied by the clean models); with
// fromSource they are first read again from the source by natural key.
import type { ExtractResult, RequestInput } from '../lib/contract.ts'
import type { TransactionSql } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { batchIdFor } from '../lib/extract/batch-names.ts'
import { markBatchStaged, openBatch, stagedBatchCounts } from '../lib/extract/batch-records.ts'
import { copySourceRows, SOURCE_SCHEMA } from '../lib/extract/copy-source-rows.ts'
import { upsertChangedRows } from '../lib/extract/merge-rows.ts'
import { POS_TABLES } from '../lib/extract/sources.ts'
import { assertNoSchemaDrift, describeStagingTable, naturalKeyIn } from '../lib/extract/staging-catalog.ts'
import { inTurns } from '../lib/in-turns.ts'
import { quoteIdentifier as q, quoteLiteral } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

export function makeStageReprocess(context: ActivityContext) {
  return async function stageReprocess(input: RequestInput): Promise<ExtractResult[]> {
    const { warehouse } = context
    const [request] = await warehouse<{ selection: Record<string, string[]>; from_source: boolean }[]>`
      select selection, from_source from dq.batch_requests where request_id = ${input.requestId}`
    if (!request) throw new BadInputError(`There is no reprocess request ${input.requestId}`)
    const tables = Object.entries(request.selection).sort(([a], [b]) => a.localeCompare(b))
    const sheet = tables.find(([tableName]) => !(POS_TABLES as readonly string[]).includes(tableName))
    if (request.from_source && sheet) {
      throw new BadInputError(
        `${sheet[0]} is a sheet: its rows come back by correcting the sheet file (the next run ingests it) or with a corrected CSV, not --from-source`,
      )
    }
    // Two tables at a time, as models run, each in a transaction of its own.
    const staged = new Map<string, ExtractResult>()
    await inTurns(tables, 2, async ([tableName, keys]) => {
      staged.set(tableName, await stageTable(context, input.runId, tableName, keys, request.from_source))
    })
    return tables.map(([tableName]) => staged.get(tableName) as ExtractResult)
  }
}

async function stageTable(
  context: ActivityContext,
  runId: string,
  tableName: string,
  keys: string[],
  fromSource: boolean,
): Promise<ExtractResult> {
  const { warehouse } = context
  const batchId = batchIdFor(runId, tableName)
  const counts = await recordStep(warehouse, { runId, step: 'extract', tableName }, async () => {
    const done = await stagedBatchCounts(warehouse, batchId)
    if (done) return { ...done, rowsIn: done.rowsRead, rowsOut: done.rowsRead }
    const staging = await describeStagingTable(warehouse, tableName)
    await openBatch(warehouse, {
      batchId,
      runId,
      tableName,
      source: fromSource ? 'pos' : 'reprocess',
      mode: 'reprocess',
    })
    const loadTable = fromSource ? await copyRowsByKey(context, tableName, batchId, keys) : undefined
    return warehouse.begin(async (tx: TransactionSql) => {
      const merged = loadTable
        ? await upsertChangedRows(tx, staging, `staging.${q(tableName)}`, `staging.${q(loadTable)}`)
        : { inserted: 0, updated: 0 }
      if (loadTable) await tx.unsafe(`drop table if exists staging.${q(loadTable)}`)
      // Every selected row still in staging joins the batch, changed at the source or not.
      const sent = await tx.unsafe(
        `update staging.${q(tableName)} as s set _batch_id = $1
         where ${naturalKeyIn(staging, 's', '$2')} and s._deleted_at is null`,
        [batchId, keys],
      )
      const resubmitted = sent.count - merged.inserted - merged.updated
      const batchCounts = {
        rowsRead: sent.count,
        rowsInserted: merged.inserted,
        rowsUpdated: merged.updated,
        rowsUnchanged: 0,
        rowsDeleted: 0,
        rowsRejected: 0,
      }
      await markBatchStaged(tx, batchId, batchCounts)
      await tx`update etl.batches set rows_resubmitted = ${resubmitted} where batch_id = ${batchId}`
      return { ...batchCounts, rowsIn: sent.count, rowsOut: sent.count }
    })
  })
  return {
    batchId,
    tableName,
    rowsRead: counts.rowsRead,
    rowsInserted: counts.rowsInserted,
    rowsUpdated: counts.rowsUpdated,
    rowsUnchanged: counts.rowsUnchanged,
    rowsDeleted: counts.rowsDeleted,
  }
}

/** Copies the source rows of these keys into the batch's load table (the source was fixed there). */
async function copyRowsByKey(context: ActivityContext, tableName: string, batchId: string, keys: string[]) {
  const staging = await describeStagingTable(context.warehouse, tableName)
  await assertNoSchemaDrift(context.source, SOURCE_SCHEMA, staging)
  const key = staging.keyColumns[0] as string
  const keyType = staging.sourceColumns.find((column) => column.name === key)?.type ?? 'text'
  // The keys are inlined as one quoted array literal.
  const keyArray = quoteLiteral(
    `{${keys.map((k) => `"${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`,
  )
  return copySourceRows(
    context.warehouse,
    context.config,
    staging,
    batchId,
    `${q(key)} = any(${keyArray}::${keyType}[])`,
  )
}
