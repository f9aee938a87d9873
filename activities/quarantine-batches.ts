// Quarantine batches: opening a run's batch (its correction files), taking a reprocess request
// (its corrections checked and recorded), marking what a reprocess published, and discarding.
// Every activity here may run twice: requests are keyed by their fingerprint, corrections and
// violations by their identity, files are rewritten byte for byte.
import type {
  BatchIdInput,
  BatchStatus,
  DiscardInput,
  DiscardOutcome,
  OpenQuarantineBatchResult,
  PreparedReprocess,
  PrepareReprocessInput,
  QuarantineBatchSummary,
  ReprocessOutcome,
  RequestInput,
  RunIdInput,
} from '../lib/contract.ts'
import { BadInputError } from '../lib/errors.ts'
import { readText } from '../lib/object-store.ts'
import { correctedPrefix, writeBatchFile } from '../lib/quality/batch-files.ts'
import { checkCorrectionFile, recordCorrections, retireChangedCorrections } from '../lib/quality/corrections.ts'
import {
  assertBatchOpen,
  batchSummary,
  heldTables,
  type OpenBatch,
  recordBatch,
  recordedOutcome,
  refreshBatchStatus,
  requestFingerprint,
} from '../lib/quality/quarantine-batches.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

/** After a run succeeded: its batch, with a CSV per table to correct, when it held rows back. */
export function makeOpenQuarantineBatch(context: ActivityContext) {
  return async function openQuarantineBatch(input: RunIdInput): Promise<OpenQuarantineBatchResult> {
    const { warehouse, store } = context
    const tables = await heldTables(warehouse, input.runId)
    if (tables.length === 0) return { opened: false }
    for (const table of tables) await writeBatchFile(warehouse, store, input.runId, table)
    const [held] = await warehouse<{ n: number }[]>`
      select count(*)::int as n from (select distinct table_name, natural_key from dq.violations
                                      where quarantine_batch_id = ${input.runId}) as rows`
    await recordBatch(warehouse, input.runId, held?.n ?? 0)
    return { opened: true, summary: await batchSummary(warehouse, input.runId) }
  }
}

export function makeDescribeBatch(context: ActivityContext) {
  return async function describeBatch(input: BatchIdInput): Promise<QuarantineBatchSummary> {
    const summary = await batchSummary(context.warehouse, input.batchId)
    if (!summary) throw new BadInputError(`There is no quarantine batch ${input.batchId}`)
    return summary
  }
}

/**
 * Checks a reprocess request (the batch has rows waiting; a correction file exists, parses and
 * names rows of this batch) and records it with its corrections, in one transaction: a request
 * refused changes nothing. The same request again (same arguments, same file bytes) finds its
 * record, and its outcome when it finished.
 */
export function makePrepareReprocess(context: ActivityContext) {
  return async function prepareReprocess(input: PrepareReprocessInput): Promise<PreparedReprocess> {
    const { warehouse } = context
    const { batchId, request } = input
    const fileKey = request.file ? correctionFileKey(batchId, request.file) : undefined
    const fileText = fileKey ? await readCorrectionObject(context, fileKey) : undefined
    const requestId = requestFingerprint({
      batchId,
      action: 'reprocess',
      table: request.table ?? null,
      keys: request.keys ? [...request.keys].sort() : null,
      file: fileText === undefined ? null : requestFingerprint({ fileText }),
      fromSource: request.fromSource ?? false,
    })
    const done = await recordedOutcome(warehouse, requestId)
    if (done) return { requestId, runId: done.runId, rowsSelected: done.rowsSubmitted, correctionsRecorded: 0, done }
    // The same request after a reprocess run of it failed is a new run (that one's rows went back).
    const base = `reprocess-${requestId.slice(0, 16)}`
    const [failed] = await warehouse<{ n: number }[]>`
      select count(*)::int as n from etl.runs where run_id like ${`${base}%`} and status = 'failed'`
    const runId = failed && failed.n > 0 ? `${base}-${failed.n + 1}` : base
    const batch = await assertBatchOpen(warehouse, batchId)
    if (request.file && request.fromSource) {
      throw new BadInputError('A reprocess takes a corrected file or re-reads the source, not both')
    }
    const checked =
      fileKey && fileText !== undefined ? await checkCorrectionFile(warehouse, batchId, fileKey, fileText) : undefined
    if (checked && request.table && checked.tableName !== request.table) {
      throw new BadInputError(
        `Correction file ${fileKey} is a file of table ${checked.tableName}, not ${request.table}`,
      )
    }
    const selection = await selectRows(context, batch, request, checked?.tableName, checked?.naturalKeys)
    const rowsSelected = Object.values(selection).reduce((sum, keys) => sum + keys.length, 0)
    if (rowsSelected === 0) throw new BadInputError(`Nothing to reprocess in batch ${batchId}: no open row matches`)
    const by = request.requestedBy ?? 'unknown'
    const correctionsRecorded = await warehouse.begin(async (tx) => {
      const recorded = checked && fileKey ? await recordCorrections(tx, batchId, fileKey, by, checked) : 0
      await tx`
        insert into dq.batch_requests (request_id, quarantine_batch_id, action, run_id, selection, source_file,
                                       from_source, requested_by)
        values (${requestId}, ${batchId}, 'reprocess', ${runId}, ${tx.json(selection)}, ${fileKey ?? null},
                ${request.fromSource ?? false}, ${by})
        on conflict (request_id) do update set run_id = excluded.run_id`
      await tx`update dq.quarantine_batches set status = 'reprocessing', updated_at = now() where batch_id = ${batchId}`
      return recorded
    })
    return { requestId, runId, rowsSelected, correctionsRecorded }
  }
}

/** A file name given alone is looked for under the batch's corrected/ prefix. */
function correctionFileKey(batchId: string, file: string): string {
  const key = file.includes('/') ? file : `${correctedPrefix(batchId)}${file}`
  if (!key.startsWith(correctedPrefix(batchId)) || !key.endsWith('.csv')) {
    throw new BadInputError(
      `The correction file ${file} must be a .csv object under ${correctedPrefix(batchId)} (upload it there first)`,
    )
  }
  return key
}

async function readCorrectionObject(context: ActivityContext, key: string): Promise<string> {
  try {
    return await readText(context.store, key)
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') {
      throw new BadInputError(`There is no correction file ${key} in bucket ${context.store.bucket}`)
    }
    throw error
  }
}

/** The rows a request sends again, per table: open rows of the batch, narrowed by table, keys and file. */
async function selectRows(
  context: ActivityContext,
  batch: OpenBatch,
  request: PrepareReprocessInput['request'],
  fileTable: string | undefined,
  fileKeys: string[] | undefined,
): Promise<Record<string, string[]>> {
  const table = fileTable ?? request.table
  if (table && !batch.tables.includes(table)) {
    throw new BadInputError(
      `Quarantine batch ${batch.batchId} holds no rows of table ${table} (it holds ${batch.tables.join(', ')})`,
    )
  }
  const keys = request.keys ?? fileKeys ?? null
  const rows = await context.warehouse<{ table_name: string; natural_key: string }[]>`
    select distinct table_name, natural_key from dq.violations
    where quarantine_batch_id = ${batch.batchId} and status = 'open'
      and (${table ?? null}::text is null or table_name = ${table ?? null})
      and (${keys}::text[] is null or natural_key = any(${keys}::text[]))
    order by table_name, natural_key`
  if (request.keys) {
    const found = new Set(rows.map((row) => row.natural_key))
    const unknown = request.keys.filter((key) => !found.has(key))
    if (unknown.length > 0) {
      throw new BadInputError(
        `Quarantine batch ${batch.batchId} has no open row with key ${unknown.slice(0, 10).join(', ')}${table ? ` in table ${table}` : ''}`,
      )
    }
  }
  const selection = new Map<string, string[]>()
  for (const row of rows) {
    const keysOfTable = selection.get(row.table_name) ?? []
    keysOfTable.push(row.natural_key)
    selection.set(row.table_name, keysOfTable)
  }
  return Object.fromEntries(selection)
}

/** Before cleaning, in every run: corrections whose source value changed give way to the source. */
export function makeRetireCorrections(context: ActivityContext) {
  return async function retireCorrections(input: RunIdInput): Promise<{ retired: number }> {
    return { retired: await retireChangedCorrections(context.warehouse, input.runId) }
  }
}

/**
 * After the reprocess run published: each open violation of the rows it sent again whose rule no
 * longer fails for that row is marked reprocessed, with who, when and the corrections; rows that
 * still fail stay open with their new violations. Records the outcome on the request.
 */
export function makeResolveReprocess(context: ActivityContext) {
  return async function resolveReprocess(input: RequestInput): Promise<ReprocessOutcome> {
    const done = await recordedOutcome(context.warehouse, input.requestId)
    if (done) return done
    const resolve = () =>
      context.warehouse.begin(async (tx) => {
        const [request] = await tx<{ batch_id: string; requested_by: string }[]>`
        select quarantine_batch_id as batch_id, requested_by from dq.batch_requests where request_id = ${input.requestId}`
        if (!request) throw new BadInputError(`There is no reprocess request ${input.requestId}`)
        // Set-based: the batch's open violations joined with the sent rows' verdicts (one per
        // row), hashed once. Left to choose, PostgreSQL guessed one row each side (statistics of
        // rows just written) and compared every pair in a nested loop.
        await tx`set local enable_nestloop = off`
        await tx`
        update dq.violations as v
        set status = 'reprocessed', resolved_at = now(), resolved_by = ${request.requested_by},
            resolved_in_run = ${input.runId},
            resolution_note = 'reprocessed in run ' || ${input.runId} || coalesce(
              (select '; corrections ' || string_agg(k.correction_id::text, ', ' order by k.correction_id)
               from dq.corrections as k
               where k.table_name = v.table_name and k.natural_key = v.natural_key and k.retired_at is null), '')
        from dq.verdicts as sent
        where sent.run_id = ${input.runId}
          and v.quarantine_batch_id = ${request.batch_id} and v.status = 'open'
          and v.table_name = sent.table_name and v.natural_key = sent.natural_key
          and v.rule_name <> all(sent.failed_rules)`
        const [counts] = await tx<{ submitted: number; published: number; rejected: number; nullified: number }[]>`
        select count(*)::int as submitted,
               count(*) filter (where verdict = 'publish')::int as published,
               count(*) filter (where verdict = 'reject')::int as rejected,
               count(*) filter (where verdict = 'publish' and nullified <> '{}')::int as nullified
        from dq.verdicts where run_id = ${input.runId}`
        const submitted = counts?.submitted ?? 0
        await tx`
        update dq.batch_requests
        set finished_at = now(), rows_submitted = ${submitted}, rows_published = ${counts?.published ?? 0},
            rows_still_rejected = ${counts?.rejected ?? 0}, rows_still_nullified = ${counts?.nullified ?? 0}
        where request_id = ${input.requestId}`
        const status = await refreshBatchStatus(tx, request.batch_id, request.requested_by)
        const summary = await batchSummary(tx, request.batch_id)
        return {
          requestId: input.requestId,
          runId: input.runId,
          rowsSubmitted: submitted,
          rowsPublished: counts?.published ?? 0,
          rowsStillRejected: counts?.rejected ?? 0,
          rowsStillNullified: counts?.nullified ?? 0,
          rowsOpen: summary?.rowsOpen ?? 0,
          batchStatus: status,
          ...(summary ? { batch: summary } : {}),
        }
      })
    const step = await recordStep(context.warehouse, { runId: input.runId, step: 'resolve' }, async () => {
      const outcome = await resolve()
      return { outcome, rowsIn: outcome.rowsSubmitted, rowsOut: outcome.rowsPublished }
    })
    return step.outcome
  }
}

/** A reprocess that failed leaves the batch as its violations say (no longer 'reprocessing'). */
export function makeSettleBatch(context: ActivityContext) {
  return async function settleBatch(input: BatchIdInput): Promise<BatchStatus> {
    return context.warehouse.begin((tx) => refreshBatchStatus(tx, input.batchId))
  }
}

/** Discards every open row of the batch, with who and why, and closes it. */
export function makeDiscardBatch(context: ActivityContext) {
  return async function discardBatch(input: DiscardInput): Promise<DiscardOutcome> {
    const { batchId, request } = input
    const requestId = requestFingerprint({ batchId, action: 'discard', reason: request.reason })
    const by = request.requestedBy ?? 'unknown'
    return context.warehouse.begin(async (tx) => {
      const [earlier] = await tx<{ rows: number; violations: number }[]>`
        select rows_discarded as rows, violations_discarded as violations from dq.batch_requests
        where request_id = ${requestId} and finished_at is not null`
      if (earlier) {
        const status = await refreshBatchStatus(tx, batchId)
        return { requestId, violationsDiscarded: earlier.violations, rowsDiscarded: earlier.rows, batchStatus: status }
      }
      const [batch] = await tx<{ open: number }[]>`
        select count(*)::int as open from dq.violations where quarantine_batch_id = ${batchId} and status = 'open'`
      const [exists] = await tx`select 1 from dq.quarantine_batches where batch_id = ${batchId}`
      if (!exists) throw new BadInputError(`There is no quarantine batch ${batchId} (see: paccafe batches)`)
      if (!batch || batch.open === 0) throw new BadInputError(`Quarantine batch ${batchId} has no open row to discard`)
      const [discarded] = await tx<{ violations: number; rows: number }[]>`
        with discarded as (
          update dq.violations
          set status = 'discarded', resolved_at = now(), resolved_by = ${by}, resolution_note = ${request.reason}
          where quarantine_batch_id = ${batchId} and status = 'open'
          returning table_name, natural_key
        )
        select count(*)::int as violations, count(distinct (table_name, natural_key))::int as rows from discarded`
      await tx`
        insert into dq.batch_requests (request_id, quarantine_batch_id, action, requested_by, reason, finished_at,
                                       rows_discarded, violations_discarded)
        values (${requestId}, ${batchId}, 'discard', ${by}, ${request.reason}, now(),
                ${discarded?.rows ?? 0}, ${discarded?.violations ?? 0})`
      await tx`update dq.quarantine_batches set close_reason = ${request.reason} where batch_id = ${batchId}`
      const status = await refreshBatchStatus(tx, batchId, by)
      return {
        requestId,
        violationsDiscarded: discarded?.violations ?? 0,
        rowsDiscarded: discarded?.rows ?? 0,
        batchStatus: status,
      }
    })
  }
}
