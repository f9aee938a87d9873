// Ingests one hand-kept sheet (store_branch, stock_count) from every new file that holds it:
//   files --stream, parse cells--> per-batch load table --one transaction--> staging mirror

import { Context } from '@temporalio/activity'
import type { ExtractResult, IngestSheetInput } from '../lib/contract.ts'
import { refreshStatistics, type TransactionSql, withCancellableSession } from '../lib/db.ts'
import { AccountingMismatchError, BadInputError, ConfigurationError } from '../lib/errors.ts'
import { batchIdFor, loadTableName } from '../lib/extract/batch-names.ts'
import { type BatchCounts, markBatchStaged, openBatch, stagedBatchCounts } from '../lib/extract/batch-records.ts'
import { type Cell, copyRows } from '../lib/extract/copy-rows.ts'
import { archiveSheetFile } from '../lib/extract/failed-loads.ts'
import { cancellationSignal, heartbeat } from '../lib/heartbeat.ts'
import { archiveLines, type QuarantineObject, quarantineObjectKey, writeManifest } from '../lib/quality/quarantine.ts'
import {
  type CatalogueRule,
  recordQuarantineIndex,
  recordRuleCatalogue,
  recordRuleResults,
  recordViolations,
} from '../lib/quality/record-quality.ts'
import { describeSheetError, readSheetRows } from '../lib/sheets/read-sheet.ts'
import { findSheetFiles, type SheetFile } from '../lib/sheets/sheet-files.ts'
import { SHEET_SPECS, type SheetSpec } from '../lib/sheets/sheet-specs.ts'
import { quoteIdentifier as q, quoteLiteral } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

const parseRule = (sheet: string) => `${sheet}_cells_parse`
const uniqueRule = (sheet: string) => `${sheet}_natural_key_unique`

/**
 * A row whose cells do not parse, or that repeats a key already in the batch, is held back:
 * archived to the object store and recorded in dq.violations, never dropped, never blocking the
 * good rows. A file that cannot be read as the sheet at all fails the step with one clear error,
 * before anything reaches staging. A file already ingested (same checksum) is skipped.
 */
export function makeIngestSheet(context: ActivityContext) {
  return async function ingestSheet(input: IngestSheetInput): Promise<ExtractResult> {
    const spec = SHEET_SPECS.find((candidate) => candidate.name === input.sheet)
    if (!spec) throw new ConfigurationError(`There is no sheet declared as ${input.sheet}`)
    const batchId = batchIdFor(input.runId, spec.name)
    const result = await recordStep(
      context.warehouse,
      { runId: input.runId, step: 'extract', tableName: spec.name },
      () =>
        withCancellableSession(context.config.warehouseUrl, context.warehouse, 'paccafe-worker-sheets', (session) =>
          ingest({ ...context, warehouse: session }, input, spec, batchId),
        ),
    )
    return {
      batchId,
      tableName: spec.name,
      rowsRead: result.rowsRead,
      rowsInserted: result.rowsInserted,
      rowsUpdated: result.rowsUpdated,
      rowsUnchanged: result.rowsUnchanged,
      rowsDeleted: 0,
    }
  }
}

async function ingest(context: ActivityContext, input: IngestSheetInput, spec: SheetSpec, batchId: string) {
  const { warehouse } = context
  const done = await stagedBatchCounts(warehouse, batchId)
  if (done) return withStepCounts(done)
  await openBatch(warehouse, { batchId, runId: input.runId, tableName: spec.name, source: 'sheets', mode: input.mode })
  const { files, release } = await findSheetFiles(
    spec.name,
    context.config.sheets.dir,
    context.store,
    context.config.sheets.landingPrefix,
  )
  try {
    const seen = new Set(
      (await warehouse<{ checksum: string }[]>`select checksum from etl.ingested_files where sheet = ${spec.name}`).map(
        (row) => row.checksum,
      ),
    )
    // A file already ingested, or listed twice (in the folder and the landing prefix), is read once.
    const newFiles = files.filter((file) => {
      if (seen.has(file.checksum)) return false
      seen.add(file.checksum)
      return true
    })
    // A file that cannot be read at all is kept in the bucket as it was, with its error
    // (etl.failed_loads), before the step fails on it as it always has.
    const keepFailedFile = (file: SheetFile, error: BadInputError) =>
      archiveSheetFile(context.warehouse, context.store, {
        runId: input.runId,
        sheet: spec.name,
        batchId,
        file,
        error: error.message,
      })
    return withStepCounts(await stageSheetFiles(context, input.runId, spec, batchId, newFiles, keepFailedFile))
  } finally {
    await release()
  }
}

/**
 * Reads `files` into the batch's load table, archives the rows held back and merges the rest
 * into the mirror (the batch is opened already). A file that cannot be read as the sheet throws
 * its BadInputError, after `onFileError` (if given) has seen it. Also how a reload stages a
 * sheet file archived as a failed load (activities/failed-loads.ts).
 */
export async function stageSheetFiles(
  context: ActivityContext,
  runId: string,
  spec: SheetSpec,
  batchId: string,
  files: SheetFile[],
  onFileError?: FileErrorHandler,
): Promise<BatchCounts> {
  const loadTable = loadTableName(batchId, spec.name)
  await loadFiles(context, spec, loadTable, files, onFileError)
  const archived = await archiveRejectedRows(context, runId, spec, loadTable)
  return mergeIntoMirror(context, runId, spec, batchId, loadTable, files, archived)
}

/** Sees a file that cannot be read as the sheet, before its error fails the step. */
export type FileErrorHandler = (file: SheetFile, error: BadInputError) => Promise<unknown>

function withStepCounts(counts: BatchCounts) {
  return {
    ...counts,
    rowsIn: counts.rowsRead,
    rowsOut: counts.rowsInserted + counts.rowsUpdated,
    rowsQuarantined: counts.rowsRejected,
  }
}

/** Streams every row of every new file into a fresh load table; bad rows carry their errors. */
async function loadFiles(
  context: ActivityContext,
  spec: SheetSpec,
  loadTable: string,
  files: SheetFile[],
  onFileError?: FileErrorHandler,
) {
  const { warehouse } = context
  const load = `staging.${q(loadTable)}`
  const columns = spec.columns.map((column) => `${q(column.name)} text`).join(', ')
  await warehouse.unsafe(`drop table if exists ${load}`)
  await warehouse.unsafe(
    `create unlogged table ${load} (_natural_key text not null, ${columns}, _source_file text not null,
       _source_row integer not null, _sheet text not null, _errors jsonb, _raw jsonb not null)`,
  )
  for (const file of files) {
    try {
      await warehouse.begin((tx) => copyRows(tx, load, sheetRowsOf(file, spec)))
    } catch (error) {
      if (error instanceof BadInputError && onFileError) await keepingTheError(error, () => onFileError(file, error))
      throw error
    }
  }
}

/**
 * Runs `work` for a file's error; if `work` fails (the bucket is down), the file's error is still
 * the step's (the file stays where it was dropped), and the failure to keep it is logged.
 */
async function keepingTheError(error: BadInputError, work: () => Promise<unknown>): Promise<void> {
  try {
    await work()
  } catch (keeping) {
    activityLog()?.warn(`Could not archive the file that failed: ${(keeping as Error).message}`, {
      fileError: error.message,
    })
  }
}

function activityLog() {
  try {
    return Context.current().log
  } catch {
    return undefined
  }
}

/** Rows between progress heartbeats (the SDK throttles them further). */
const HEARTBEAT_ROWS = 1_000

/**
 * The file's rows as load-table cells. A cancelled or timed-out activity stops the reading at
 * once (the file is closed, the worker slot given back); a reading that stalls fails naming the
 * file (STALLED_READING_SECONDS), although the activity's own timer keeps heartbeating.
 */
async function* sheetRowsOf(file: SheetFile, spec: SheetSpec): AsyncGenerator<Cell[]> {
  let rows = 0
  for await (const row of readSheetRows(file.path, spec, { signal: cancellationSignal() })) {
    if (++rows % HEARTBEAT_ROWS === 0) heartbeat({ file: file.name, rows })
    const errors = row.errors.map((error) => ({
      ...error,
      message: describeSheetError(file.name, row.sheet, row.rowNumber, error),
    }))
    yield [
      row.naturalKey,
      ...spec.columns.map((column) => row.values[column.name] ?? null),
      file.name,
      row.rowNumber,
      row.sheet,
      errors.length > 0 ? JSON.stringify(errors) : null,
      JSON.stringify(row.raw),
    ]
  }
}

/** The load table's rows held back, as `rule` says: cells that do not parse, or a repeated key. */
function rejectedRowsSql(loadTable: string, rule: 'parse' | 'unique'): string {
  const load = `staging.${q(loadTable)}`
  if (rule === 'parse') return `select * from ${load} where _errors is not null`
  return `select * from (
            select *, row_number() over (partition by _natural_key order by _source_file, _source_row) as copy
            from ${load} where _errors is null
          ) as numbered where copy > 1`
}

async function archiveRejectedRows(
  context: ActivityContext,
  runId: string,
  spec: SheetSpec,
  loadTable: string,
): Promise<QuarantineObject[]> {
  const archived: QuarantineObject[] = []
  for (const [kind, rule] of [
    ['parse', parseRule(spec.name)],
    ['unique', uniqueRule(spec.name)],
  ] as const) {
    const rows = `(${rejectedRowsSql(loadTable, kind)}) as r`
    const [count] = await context.warehouse.unsafe<{ n: number }[]>(`select count(*)::int as n from ${rows}`)
    if (!count || count.n === 0) continue
    const objectKey = quarantineObjectKey(runId, spec.name, rule)
    const upload = await archiveLines(
      context.warehouse,
      context.store,
      objectKey,
      `select json_build_object('file', r._source_file, 'sheet', r._sheet, 'row_number', r._source_row,
                'natural_key', r._natural_key, 'rule', '${rule}', 'errors', r._errors, 'raw', r._raw)::text as line
       from ${rows} order by r._source_file, r._source_row`,
    )
    archived.push({ rule, severity: 'reject', objectKey, rowCount: count.n, sha256: upload.sha256 })
  }
  await writeManifest(context.store, runId, spec.name, archived)
  return archived
}

/** The rules a sheet's rows are checked against while the file is read, listed in dq.rules. */
function builtInRules(sheet: string): CatalogueRule[] {
  const rule = (name: string, description: string): CatalogueRule => ({
    name,
    table: sheet,
    severity: 'reject',
    check: '(checked while reading the file)',
    description,
  })
  return [
    rule(parseRule(sheet), `every cell of a ${sheet} row parses as its column's type`),
    rule(uniqueRule(sheet), `a ${sheet} key appears once in a batch; later copies are held back`),
  ]
}

/**
 * One transaction: good rows merged into the mirror, held-back rows recorded as violations,
 * the quarantine index, the files marked ingested, the batch counted and checked.
 */
async function mergeIntoMirror(
  context: ActivityContext,
  runId: string,
  spec: SheetSpec,
  batchId: string,
  loadTable: string,
  files: SheetFile[],
  archived: QuarantineObject[],
): Promise<BatchCounts> {
  const load = `staging.${q(loadTable)}`
  const mirror = `staging.${q(spec.name)}`
  const scope = { runId, batchId, tableName: spec.name }
  const rules = builtInRules(spec.name)
  return context.warehouse.begin(async (tx) => {
    await recordRuleCatalogue(tx, rules, 'keep')
    const rowsRead = await countRows(tx, load)
    const merged = await upsertAcceptedRows(tx, spec, load, batchId)
    await recordViolations(tx, scope, unparsedCellViolationsSql(load, parseRule(spec.name)))
    await recordViolations(tx, scope, repeatedKeyViolationsSql(loadTable, uniqueRule(spec.name)))
    await recordQuarantineIndex(tx, scope, archived)
    await recordRuleResults(
      tx,
      scope,
      rules.map((rule) => ({
        rule: rule.name,
        rowsChecked: rowsRead,
        rowsFailed: rowsHeldBackBy(archived, rule.name),
      })),
    )
    await refreshStatistics(tx, mirror, merged.inserted + merged.updated)
    const counts: BatchCounts = {
      rowsRead,
      rowsInserted: merged.inserted,
      rowsUpdated: merged.updated,
      rowsUnchanged: merged.candidates - merged.inserted - merged.updated,
      rowsDeleted: 0,
      rowsRejected: archived.reduce((sum, object) => sum + object.rowCount, 0),
    }
    assertNothingLost(spec.name, counts)
    await markFilesIngested(tx, spec.name, batchId, load, files)
    await markBatchStaged(tx, batchId, counts)
    await tx.unsafe(`drop table ${load}`)
    return counts
  })
}

async function countRows(tx: TransactionSql, table: string): Promise<number> {
  const [rows] = await tx.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`)
  return rows?.n ?? 0
}

/**
 * Upserts the load table's good rows (the first copy of each key) into the mirror; a row whose
 * hash is unchanged, and that is not deleted, is left alone and counted as a candidate only.
 */
async function upsertAcceptedRows(tx: TransactionSql, spec: SheetSpec, load: string, batchId: string) {
  const mirror = `staging.${q(spec.name)}`
  const columns = spec.columns.map((column) => q(column.name))
  const hash = `md5(row(${columns.map((column) => `l.${column}`).join(', ')})::text)`
  const [merged] = await tx.unsafe<{ inserted: number; updated: number; candidates: number }[]>(
    `with accepted as (
       select distinct on (_natural_key) l.*, ${hash} as row_hash
       from ${load} as l where _errors is null
       order by _natural_key, _source_file, _source_row
     ),
     upserted as (
       insert into ${mirror} as m (_natural_key, ${columns.join(', ')}, _source_file, _source_row,
                                   _batch_id, _extracted_at, _source, _row_hash)
       select _natural_key, ${columns.join(', ')}, _source_file, _source_row, $1, now(), 'sheets', row_hash
       from accepted
       on conflict (_natural_key) do update set
         ${columns.map((column) => `${column} = excluded.${column}`).join(', ')},
         _source_file = excluded._source_file, _source_row = excluded._source_row,
         _batch_id = excluded._batch_id, _extracted_at = excluded._extracted_at,
         _row_hash = excluded._row_hash, _deleted_at = null
       where m._row_hash is distinct from excluded._row_hash or m._deleted_at is not null
       returning (xmax = 0) as inserted
     )
     select (select count(*) from accepted)::int as candidates,
            count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated
     from upserted`,
    [batchId],
  )
  return { inserted: merged?.inserted ?? 0, updated: merged?.updated ?? 0, candidates: merged?.candidates ?? 0 }
}

/** One violation per cell that does not parse, with the cell's column and text. */
function unparsedCellViolationsSql(load: string, rule: string): string {
  return `select l._natural_key as natural_key, e->>'column' as column_name, ${quoteLiteral(rule)}::text as rule_name,
                 'reject'::text as severity, e->>'value' as offending_value, null::text as cleaned_value,
                 null::text as corrected_value, md5(l._raw::text) as row_hash
          from ${load} as l cross join lateral jsonb_array_elements(l._errors) as e
          where l._errors is not null`
}

/** One violation per later copy of a key, naming the file and row of the copy. */
function repeatedKeyViolationsSql(loadTable: string, rule: string): string {
  return `select r._natural_key as natural_key, null::text as column_name, ${quoteLiteral(rule)}::text as rule_name,
                 'reject'::text as severity, r._source_file || '#' || r._source_row as offending_value,
                 null::text as cleaned_value, null::text as corrected_value, md5(r._raw::text) as row_hash
          from (${rejectedRowsSql(loadTable, 'unique')}) as r`
}

const rowsHeldBackBy = (archived: QuarantineObject[], rule: string) =>
  archived.find((object) => object.rule === rule)?.rowCount ?? 0

/** Nothing lost at extraction: every row read was staged or held back. */
function assertNothingLost(sheet: string, counts: BatchCounts): void {
  const staged = counts.rowsInserted + counts.rowsUpdated + counts.rowsUnchanged
  if (counts.rowsRead !== staged + counts.rowsRejected) {
    throw new AccountingMismatchError(
      `Sheet ${sheet}: ${counts.rowsRead} rows read != ${staged} staged + ${counts.rowsRejected} rejected`,
    )
  }
}

/** Each file is recorded by checksum with the rows read from it, so it is not ingested again. */
async function markFilesIngested(
  tx: TransactionSql,
  sheet: string,
  batchId: string,
  load: string,
  files: SheetFile[],
): Promise<void> {
  for (const file of files) {
    const [rows] = await tx.unsafe<{ n: number }[]>(`select count(*)::int as n from ${load} where _source_file = $1`, [
      file.name,
    ])
    await tx`
      insert into etl.ingested_files (checksum, sheet, file_name, batch_id, rows_read)
      values (${file.checksum}, ${sheet}, ${file.name}, ${batchId}, ${rows?.n ?? 0})
      on conflict (checksum, sheet) do nothing`
  }
}
