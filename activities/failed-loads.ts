// Failed loads (docs/reprocessing.md, "Failed loads"): when a run fails for good, what its
// batches had extracted is archived to the bucket (archiveFailedLoads, before releaseFailedRun
// hands the rows back), and a reload run stages it again later without reading the source
// (stageFailedLoad). The layout of the archive is in lib/extract/failed-loads.ts.
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type {
  ArchiveFailedLoadsInput,
  ArchiveFailedLoadsResult,
  StageFailedLoadInput,
  StageFailedLoadResult,
} from '../lib/contract.ts'
import { withCancellableSession } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { batchIdFor } from '../lib/extract/batch-names.ts'
import { type BatchCounts, markBatchStaged, openBatch, stagedBatchCounts } from '../lib/extract/batch-records.ts'
import {
  archiveBatchRows,
  archivedColumns,
  archivedFileName,
  assertSameColumns,
  batchRowsSql,
  errorObjectKey,
  type FailedBatch,
  type FailedLoadRow,
  type FileErrorDocument,
  failedLoad,
  failedLoadsOfRun,
  loadArchivedRows,
  mergeArchivedRows,
  type RowsErrorDocument,
  readErrorDocument,
  recordFailedLoad,
  rowsFailedLoadId,
  rowsObjectKey,
  toRecord,
  writeErrorDocument,
} from '../lib/extract/failed-loads.ts'
import { describeStagingTable } from '../lib/extract/staging-catalog.ts'
import { sha256File } from '../lib/sheets/sheet-files.ts'
import { SHEET_SPECS } from '../lib/sheets/sheet-specs.ts'
import { quoteIdentifier as q } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'
import { stageSheetFiles } from './ingest-sheet.ts'

/**
 * For every batch of the run, the rows it had extracted (a staged batch's in the mirror under its
 * _batch_id, a loading batch's in its load table) are streamed to rows.jsonl with an error.json
 * beside it, and recorded in etl.failed_loads; a batch with no rows is not archived. A failed load
 * already recorded is left as it is, so the activity run twice gives the same objects and records.
 * The result lists every failed load of the run, sheet files archived by ingestion included. Of
 * a reload run, the failed loads it had staged are opened again instead of archived a second time.
 */
export function makeArchiveFailedLoads(context: ActivityContext) {
  return async function archiveFailedLoads(input: ArchiveFailedLoadsInput): Promise<ArchiveFailedLoadsResult> {
    const { warehouse, store } = context
    const batches = await warehouse<FailedBatch[]>`
      select batch_id as "batchId", run_id as "runId", table_name as "tableName", source, mode, status,
             started_at::text as "extractedAt"
      from etl.batches where run_id = ${input.runId} order by table_name`
    for (const batch of batches) {
      // A reload's rows are archived already: the failed load it staged is handed back instead (below).
      if (batch.mode === 'reload') continue
      const failedLoadId = rowsFailedLoadId(batch.runId, batch.tableName)
      if (await failedLoad(warehouse, failedLoadId)) continue
      const staging = await describeStagingTable(warehouse, batch.tableName)
      const rowsSql = await batchRowsSql(warehouse, batch, staging)
      if (!rowsSql) continue
      const [count] = await warehouse.unsafe<{ n: number }[]>(
        `select count(*)::int as n from (${rowsSql.from}) as r`,
        rowsSql.parameters,
      )
      if (!count || count.n === 0) continue
      const objectKey = rowsObjectKey(batch.runId, batch.tableName)
      const errorKey = errorObjectKey(batch.runId, batch.tableName)
      const columns = archivedColumns(staging, batch.source)
      const archived = await archiveBatchRows(warehouse, store, objectKey, columns, rowsSql)
      const error = (await stepError(context, batch)) ?? input.error
      const document: RowsErrorDocument = {
        failed_load_id: failedLoadId,
        run_id: batch.runId,
        table: batch.tableName,
        source: batch.source,
        kind: 'rows',
        batch_id: batch.batchId,
        batch_mode: batch.mode,
        batch_status: batch.status,
        extracted_at: batch.extractedAt,
        error,
        run_error: input.error,
        object_key: objectKey,
        row_count: archived.rows,
        bytes: archived.bytes,
        sha256: archived.sha256,
        key_columns: staging.keyColumns,
        columns,
      }
      await writeErrorDocument(store, errorKey, document)
      await recordFailedLoad(warehouse, {
        failedLoadId,
        runId: batch.runId,
        batchId: batch.batchId,
        tableName: batch.tableName,
        source: batch.source,
        kind: 'rows',
        fileName: null,
        objectKey,
        errorKey,
        rowsArchived: archived.rows,
        bytes: archived.bytes,
        checksum: archived.sha256,
        error,
      })
    }
    // A reload run that fails hands back the failed loads it staged: they are open again, to be
    // reloaded by another run (releaseFailedRun hands back their rows, as any batch's).
    const reopened = await warehouse<{ id: string }[]>`
      update etl.failed_loads set status = 'open', reloaded_in_run = null, reloaded_at = null
      where reloaded_in_run = ${input.runId} and status = 'reloaded'
      returning failed_load_id as id`
    const failedLoads = (await failedLoadsOfRun(warehouse, input.runId)).map(toRecord)
    return {
      runId: input.runId,
      failedLoads,
      reopened: reopened.map((row) => row.id).sort(),
      rowsArchived: failedLoads.reduce((sum, load) => sum + (load.rowsArchived ?? 0), 0),
    }
  }
}

/** The table's own failure, when one of its steps failed (the run's failure may be another table's). */
async function stepError(context: ActivityContext, batch: FailedBatch): Promise<string | undefined> {
  const [step] = await context.warehouse<{ error: string }[]>`
    select error from etl.steps
    where run_id = ${batch.runId} and table_name = ${batch.tableName} and status = 'failed' and error is not null
    order by started_at desc limit 1`
  return step?.error
}

/**
 * Stages a failed load in a reload run (etl.runs mode 'reload', started already): a batch
 * `<run id>.<table>` (mode 'reload') gets the archived rows, merged into the mirror as an
 * extraction merges them, unchanged rows re-sent (rows_resubmitted); the batch is marked staged
 * and the failed load reloaded in the same transaction. A sheet file archived whole is read again
 * as ingestion reads it, and fails with the same BadInputError if it still cannot be read. Run
 * twice, it returns the counts of the first time. The source is never read.
 */
export function makeStageFailedLoad(context: ActivityContext) {
  return async function stageFailedLoad(input: StageFailedLoadInput): Promise<StageFailedLoadResult> {
    const { warehouse } = context
    const load = await failedLoad(warehouse, input.failedLoadId)
    if (!load) throw new BadInputError(`There is no failed load ${input.failedLoadId}`)
    await assertReloadRun(context, input.runId)
    if (load.status === 'discarded') throw new BadInputError(`Failed load ${load.failedLoadId} was discarded`)
    if (load.status === 'reloaded' && load.reloadedInRun !== input.runId) {
      throw new BadInputError(`Failed load ${load.failedLoadId} was reloaded already, in run ${load.reloadedInRun}`)
    }
    const batchId = batchIdFor(input.runId, load.tableName)
    const counts = await recordStep(
      warehouse,
      { runId: input.runId, step: 'extract', tableName: load.tableName },
      async () => {
        const done = await stagedBatchCounts(warehouse, batchId)
        const staged = done
          ? await alreadyStaged(context, load, input.runId, batchId, done)
          : await stage(context, load, input.runId, batchId)
        return {
          ...staged,
          rowsIn: staged.rowsRead,
          rowsOut: staged.rowsInserted + staged.rowsUpdated + staged.rowsResubmitted,
          rowsQuarantined: staged.rowsRejected,
        }
      },
    )
    return {
      failedLoadId: load.failedLoadId,
      batchId,
      tableName: load.tableName,
      rowsRead: counts.rowsRead,
      rowsInserted: counts.rowsInserted,
      rowsUpdated: counts.rowsUpdated,
      rowsUnchanged: counts.rowsUnchanged,
      rowsDeleted: 0,
      rowsResubmitted: counts.rowsResubmitted,
      rowsRejected: counts.rowsRejected,
    }
  }
}

type ReloadBatchCounts = BatchCounts & { rowsResubmitted: number }

async function assertReloadRun(context: ActivityContext, runId: string): Promise<void> {
  const [run] = await context.warehouse<{ mode: string }[]>`select mode from etl.runs where run_id = ${runId}`
  if (!run) throw new BadInputError(`Run ${runId} is not started: a reload run records itself in etl.runs first`)
  if (run.mode !== 'reload') throw new BadInputError(`Run ${runId} is a ${run.mode} run, not a reload run`)
}

/**
 * The run's batch of the table is staged: by this failed load (a retry: its counts), or by
 * another one, which a run cannot hold as well (one batch per run and table).
 */
async function alreadyStaged(
  context: ActivityContext,
  load: FailedLoadRow,
  runId: string,
  batchId: string,
  done: BatchCounts,
): Promise<ReloadBatchCounts> {
  const { warehouse } = context
  // A sheet file's batch is staged before the failed load is marked: its ingested file says whose it is.
  const [file] =
    load.kind === 'file'
      ? await warehouse`
          select 1 from etl.ingested_files
          where batch_id = ${batchId} and checksum = ${load.checksum} and sheet = ${load.tableName}`
      : []
  if (load.kind === 'file' && file && load.status !== 'reloaded') await markReloaded(warehouse, load, runId)
  else if (load.reloadedInRun !== runId) {
    throw new BadInputError(
      `Run ${runId} has staged ${load.tableName} already, from another failed load; reload ${load.failedLoadId} in a run of its own`,
    )
  }
  const [batch] = await warehouse<{ resubmitted: number }[]>`
    select rows_resubmitted as resubmitted from etl.batches where batch_id = ${batchId}`
  return { ...done, rowsResubmitted: batch?.resubmitted ?? 0 }
}

async function markReloaded(sql: ActivityContext['warehouse'], load: FailedLoadRow, runId: string) {
  await sql`
    update etl.failed_loads set status = 'reloaded', reloaded_in_run = ${runId}, reloaded_at = now()
    where failed_load_id = ${load.failedLoadId} and status = 'open'`
}

async function stage(
  context: ActivityContext,
  load: FailedLoadRow,
  runId: string,
  batchId: string,
): Promise<ReloadBatchCounts> {
  await openBatch(context.warehouse, { batchId, runId, tableName: load.tableName, source: load.source, mode: 'reload' })
  return load.kind === 'file' ? stageFile(context, load, runId, batchId) : stageRows(context, load, runId, batchId)
}

/** rows.jsonl into a load table, then one transaction: merged, the batch staged, the failed load reloaded. */
async function stageRows(
  context: ActivityContext,
  load: FailedLoadRow,
  runId: string,
  batchId: string,
): Promise<ReloadBatchCounts> {
  const { store } = context
  const document = await readErrorDocument<RowsErrorDocument>(store, load.errorKey)
  const staging = await describeStagingTable(context.warehouse, load.tableName)
  assertSameColumns(document.columns, archivedColumns(staging, load.source), `Failed load ${load.failedLoadId}`)
  return withCancellableSession(
    context.config.warehouseUrl,
    context.warehouse,
    'paccafe-worker-reload',
    async (session) => {
      const body = await store.client.getObject(store.bucket, load.objectKey)
      const { loadTable } = await loadArchivedRows(session, {
        staging,
        source: load.source,
        batchId,
        extractedAt: document.extracted_at,
        objectKey: load.objectKey,
        sha256: load.checksum,
        body,
      }).finally(() => body.destroy())
      return session.begin(async (tx) => {
        const merged = await mergeArchivedRows(tx, staging, load.source, loadTable, {
          batchId: load.batchId,
          extractedAt: document.extracted_at,
        })
        const counts: BatchCounts = {
          rowsRead: merged.rowsRead,
          rowsInserted: merged.rowsInserted,
          rowsUpdated: merged.rowsUpdated,
          rowsUnchanged: merged.rowsKept,
          rowsDeleted: 0,
          rowsRejected: 0,
        }
        await markBatchStaged(tx, batchId, counts)
        await tx`update etl.batches set rows_resubmitted = ${merged.rowsResubmitted} where batch_id = ${batchId}`
        await tx`
        update etl.failed_loads set status = 'reloaded', reloaded_in_run = ${runId}, reloaded_at = now()
        where failed_load_id = ${load.failedLoadId}`
        await tx.unsafe(`drop table staging.${q(loadTable)}`)
        return { ...counts, rowsResubmitted: merged.rowsResubmitted }
      })
    },
  )
}

/** The archived file, read again as ingestion reads a sheet file (held-back rows and all). */
async function stageFile(
  context: ActivityContext,
  load: FailedLoadRow,
  runId: string,
  batchId: string,
): Promise<ReloadBatchCounts> {
  const { warehouse, store } = context
  const spec = SHEET_SPECS.find((candidate) => candidate.name === load.tableName)
  if (!spec || load.source !== 'sheets') throw new BadInputError(`Failed load ${load.failedLoadId} is not of a sheet`)
  const document = await readErrorDocument<FileErrorDocument>(store, load.errorKey)
  const [ingested] = await warehouse<{ batch_id: string }[]>`
    select batch_id from etl.ingested_files where checksum = ${load.checksum} and sheet = ${spec.name}`
  if (ingested) {
    throw new BadInputError(
      `Failed load ${load.failedLoadId}: the same file was ingested since, by batch ${ingested.batch_id}; discard the failed load`,
    )
  }
  const folder = await mkdtemp(path.join(tmpdir(), 'paccafe-reload-'))
  try {
    const local = path.join(folder, archivedFileName(document.file_name))
    await pipeline(await store.client.getObject(store.bucket, load.objectKey), createWriteStream(local))
    const checksum = await sha256File(local)
    if (checksum !== load.checksum) {
      throw new BadInputError(
        `${load.objectKey}: its SHA-256 is ${checksum}, the failed load recorded ${load.checksum}`,
      )
    }
    const file = { name: document.file_name, path: local, checksum }
    const counts = await withCancellableSession(
      context.config.warehouseUrl,
      warehouse,
      'paccafe-worker-reload',
      (session) => stageSheetFiles({ ...context, warehouse: session }, runId, spec, batchId, [file]),
    )
    await markReloaded(warehouse, load, runId)
    return { ...counts, rowsResubmitted: 0 }
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
