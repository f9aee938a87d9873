// Failed loads (etl.failed_loads, docs/reprocessing.md): what a run that failed for good had
// extracted, kept in the bucket so it can be staged again without reading the source.
//
//   failed/run=<run id>/table=<table>/rows.jsonl            the batch's rows, one JSON object per line, by key
//   failed/run=<run id>/table=<table>/error.json            run, table, error, row count, sha256, columns
//   failed/run=<run id>/table=<sheet>/<file name>            a sheet file that could not be read, as it was
//   failed/run=<run id>/table=<sheet>/<file name>.error.json the file's error
//
// Every object is deterministic (rows ordered by key, no timestamps of the archiving), so a
// retried archive writes the same bytes; a failed load already recorded is never written again.
import { createHash, hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FailedLoadKind, FailedLoadRecord, FailedLoadSource, FailedLoadStatus } from '../contract.ts'
import type { Sql, TransactionSql } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { cancellationSignal, heartbeat } from '../heartbeat.ts'
import { type ObjectStore, putJson, readText, uploadStream } from '../object-store.ts'
import type { SheetFile } from '../sheets/sheet-files.ts'
import { SHEET_SPECS } from '../sheets/sheet-specs.ts'
import { quoteIdentifier as q, quoteLiteral } from '../sql-text.ts'
import { batchIdFor, loadTableName } from './batch-names.ts'
import type { ColumnType, StagingTable } from './staging-catalog.ts'

// ---- names -------------------------------------------------------------------------------------

export function failedLoadPrefix(runId: string, tableName: string): string {
  return `failed/run=${runId}/table=${tableName}`
}

export const rowsObjectKey = (runId: string, tableName: string) => `${failedLoadPrefix(runId, tableName)}/rows.jsonl`
export const errorObjectKey = (runId: string, tableName: string) => `${failedLoadPrefix(runId, tableName)}/error.json`

/** A file's name in the archive: its base name (`s3://bucket/landing/stock.csv` is `stock.csv`). */
export const archivedFileName = (fileName: string) => path.posix.basename(fileName.replaceAll('\\', '/'))
export const fileObjectKey = (runId: string, sheet: string, fileName: string) =>
  `${failedLoadPrefix(runId, sheet)}/${archivedFileName(fileName)}`
export const fileErrorKey = (runId: string, sheet: string, fileName: string) =>
  `${fileObjectKey(runId, sheet, fileName)}.error.json`

/** `<run id>.<table>`: the failed run's batch. */
export const rowsFailedLoadId = (runId: string, tableName: string) => batchIdFor(runId, tableName)
/** `<run id>.<sheet>/<file name>`. */
export const fileFailedLoadId = (runId: string, sheet: string, fileName: string) =>
  `${batchIdFor(runId, sheet)}/${archivedFileName(fileName)}`

// ---- the archived columns ------------------------------------------------------------------------

/** A sheet row's provenance and key travel with it: the mirror needs them, and they cannot be derived. */
const SHEET_COLUMNS: ColumnType[] = [
  { name: '_natural_key', type: 'text' },
  { name: '_source_file', type: 'text' },
  { name: '_source_row', type: 'integer' },
]

/** The columns of a line of rows.jsonl: the staging table's source columns (and a sheet row's key and provenance). */
export function archivedColumns(staging: StagingTable, source: FailedLoadSource): ColumnType[] {
  return source === 'sheets' ? [...staging.sourceColumns, ...SHEET_COLUMNS] : staging.sourceColumns
}

/** Written as JSON numbers (exact in JavaScript); every other value as the text PostgreSQL prints for it. */
const JSON_NUMBER_TYPES = new Set(['smallint', 'integer'])
const TEXT_TYPES = /^(text|character varying|character)\b/

/** `order by` on the key, in byte order for text: the same on every server. */
function keyOrder(staging: StagingTable, alias: string): string {
  const types = new Map([...staging.sourceColumns, ...SHEET_COLUMNS].map((column) => [column.name, column.type]))
  return staging.keyColumns
    .map((key) => `${alias}.${q(key)}${TEXT_TYPES.test(types.get(key) ?? 'text') ? ' collate "C"' : ''}`)
    .join(', ')
}

// ---- archiving a batch's rows --------------------------------------------------------------------

export interface FailedBatch {
  batchId: string
  runId: string
  tableName: string
  source: FailedLoadSource
  mode: string
  status: 'loading' | 'staged'
  /** When the batch started reading: its rows' _extracted_at. */
  extractedAt: string
}

/**
 * Where a batch's extracted rows are: a staged batch's in the mirror under its _batch_id; a
 * batch still loading in its per-batch load table (the committed chunks of a POS table; a
 * sheet's rows that parse, the first copy of each key, as its merge would have staged them).
 * Null when a loading batch has no load table (it failed before copying anything).
 */
export async function batchRowsSql(
  sql: Sql,
  batch: FailedBatch,
  staging: StagingTable,
): Promise<{ from: string; parameters: string[] } | null> {
  const columns = archivedColumns(staging, batch.source)
  const select = columns.map((column) => `r.${q(column.name)}::text as ${q(column.name)}`).join(', ')
  const order = keyOrder(staging, 'r')
  if (batch.status === 'staged') {
    return {
      from: `select ${select} from staging.${q(staging.table)} as r where r._batch_id = $1 order by ${order}`,
      parameters: [batch.batchId],
    }
  }
  const loadTable = loadTableName(batch.batchId, staging.table)
  const [found] = await sql<{ exists: boolean }[]>`select to_regclass(${`staging.${loadTable}`}) is not null as exists`
  if (!found?.exists) return null
  const load = `staging.${q(loadTable)}`
  const rows =
    batch.source === 'sheets'
      ? `(select distinct on (_natural_key) * from ${load} where _errors is null
          order by _natural_key, _source_file, _source_row)`
      : load
  return { from: `select ${select} from ${rows} as r order by ${order}`, parameters: [] }
}

/** One line of rows.jsonl, from the row's columns as text: keys in column order, deterministic. */
export function rowLine(columns: ColumnType[], values: (string | null)[]): string {
  const fields = columns.map((column, index) => {
    const value = values[index] ?? null
    const json = value === null ? 'null' : JSON_NUMBER_TYPES.has(column.type) ? value : JSON.stringify(value)
    return `${JSON.stringify(column.name)}:${json}`
  })
  return `{${fields.join(',')}}`
}

export interface ArchivedObject {
  objectKey: string
  rows: number
  bytes: number
  sha256: string
}

/** Streams the rows of `rowsSql` (a cursor, never all in memory) into rows.jsonl. */
export async function archiveBatchRows(
  sql: Sql,
  store: ObjectStore,
  objectKey: string,
  columns: ColumnType[],
  rowsSql: { from: string; parameters: string[] },
): Promise<ArchivedObject> {
  const cursor = sql.unsafe(rowsSql.from, rowsSql.parameters).values().cursor(500)
  let rows = 0
  const body = Readable.from(
    (async function* () {
      for await (const batch of cursor) {
        let text = ''
        for (const values of batch) text += `${rowLine(columns, values as unknown as (string | null)[])}\n`
        rows += batch.length
        heartbeat({ objectKey, rows })
        yield Buffer.from(text)
      }
    })(),
  )
  const upload = await uploadStream(store, objectKey, body, 'application/x-ndjson')
  return { objectKey, rows, bytes: upload.bytes, sha256: upload.sha256 }
}

/** What error.json says of a batch's failed load; also what a reload checks the archive against. */
export interface RowsErrorDocument {
  failed_load_id: string
  run_id: string
  table: string
  source: FailedLoadSource
  kind: 'rows'
  batch_id: string
  batch_mode: string
  batch_status: 'loading' | 'staged'
  extracted_at: string
  /** The table's own failure (its step's error) when it had one, else the run's. */
  error: string
  run_error: string
  object_key: string
  row_count: number
  bytes: number
  sha256: string
  key_columns: string[]
  columns: ColumnType[]
}

export interface FileErrorDocument {
  failed_load_id: string
  run_id: string
  table: string
  source: 'sheets'
  kind: 'file'
  batch_id: string
  extracted_at: string
  file_name: string
  error: string
  object_key: string
  bytes: number
  sha256: string
}

export async function writeErrorDocument(
  store: ObjectStore,
  errorKey: string,
  document: RowsErrorDocument | FileErrorDocument,
) {
  await putJson(store, errorKey, document)
}

export async function readErrorDocument<T extends RowsErrorDocument | FileErrorDocument>(
  store: ObjectStore,
  errorKey: string,
): Promise<T> {
  try {
    return JSON.parse(await readText(store, errorKey)) as T
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') {
      throw new BadInputError(`Failed load archive ${errorKey} is missing from the bucket`, { cause: error })
    }
    throw error
  }
}

// ---- etl.failed_loads ----------------------------------------------------------------------------

export interface FailedLoadRow {
  failedLoadId: string
  runId: string
  batchId: string
  tableName: string
  source: FailedLoadSource
  kind: FailedLoadKind
  fileName: string | null
  objectKey: string
  errorKey: string
  rowsArchived: number | null
  bytes: number
  checksum: string
  error: string
  status: FailedLoadStatus
  reloadedInRun: string | null
}

const FAILED_LOAD_COLUMNS = `failed_load_id as "failedLoadId", run_id as "runId", batch_id as "batchId",
  table_name as "tableName", source, kind, file_name as "fileName", object_key as "objectKey",
  error_key as "errorKey", rows_archived as "rowsArchived", bytes::float8 as bytes, checksum, error, status,
  reloaded_in_run as "reloadedInRun"`

export async function failedLoad(sql: Sql | TransactionSql, failedLoadId: string): Promise<FailedLoadRow | undefined> {
  const [row] = await sql.unsafe<FailedLoadRow[]>(
    `select ${FAILED_LOAD_COLUMNS} from etl.failed_loads where failed_load_id = $1`,
    [failedLoadId],
  )
  return row
}

export async function failedLoadsOfRun(sql: Sql, runId: string): Promise<FailedLoadRow[]> {
  return sql.unsafe<FailedLoadRow[]>(
    `select ${FAILED_LOAD_COLUMNS} from etl.failed_loads where run_id = $1 order by failed_load_id collate "C"`,
    [runId],
  )
}

export type NewFailedLoad = Omit<FailedLoadRow, 'status' | 'reloadedInRun'>

/** Records a failed load once: an archive repeated finds the first record and keeps it. */
export async function recordFailedLoad(sql: Sql | TransactionSql, load: NewFailedLoad): Promise<void> {
  await sql`
    insert into etl.failed_loads (failed_load_id, run_id, batch_id, table_name, source, kind, file_name, object_key,
                                  error_key, rows_archived, bytes, checksum, error)
    values (${load.failedLoadId}, ${load.runId}, ${load.batchId}, ${load.tableName}, ${load.source}, ${load.kind},
            ${load.fileName}, ${load.objectKey}, ${load.errorKey}, ${load.rowsArchived}, ${load.bytes},
            ${load.checksum}, ${load.error})
    on conflict (failed_load_id) do nothing`
}

export function toRecord(row: FailedLoadRow): FailedLoadRecord {
  return {
    failedLoadId: row.failedLoadId,
    tableName: row.tableName,
    source: row.source,
    kind: row.kind,
    objectKey: row.objectKey,
    errorKey: row.errorKey,
    rowsArchived: row.rowsArchived,
    status: row.status,
  }
}

// ---- a sheet file that failed whole --------------------------------------------------------------

const FILE_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}

/**
 * Archives a sheet file that could not be read as the sheet, byte for byte, with its error beside
 * it, and records it (source 'sheets', kind 'file'). Recorded once per run, sheet and file name.
 */
export async function archiveSheetFile(
  sql: Sql,
  store: ObjectStore,
  failure: { runId: string; sheet: string; batchId: string; file: SheetFile; error: string },
): Promise<FailedLoadRow> {
  const { runId, sheet, file } = failure
  const failedLoadId = fileFailedLoadId(runId, sheet, file.name)
  const recorded = await failedLoad(sql, failedLoadId)
  if (recorded) return recorded
  const objectKey = fileObjectKey(runId, sheet, file.name)
  const errorKey = fileErrorKey(runId, sheet, file.name)
  const type = FILE_TYPES[path.extname(file.name).toLowerCase()] ?? 'application/octet-stream'
  const upload = await uploadStream(store, objectKey, createReadStream(file.path), type)
  const [batch] = await sql<{ extracted_at: string }[]>`
    select started_at::text as extracted_at from etl.batches where batch_id = ${failure.batchId}`
  await writeErrorDocument(store, errorKey, {
    failed_load_id: failedLoadId,
    run_id: runId,
    table: sheet,
    source: 'sheets',
    kind: 'file',
    batch_id: failure.batchId,
    extracted_at: batch?.extracted_at ?? '',
    file_name: file.name,
    error: failure.error,
    object_key: objectKey,
    bytes: upload.bytes,
    sha256: upload.sha256,
  })
  const row: NewFailedLoad = {
    failedLoadId,
    runId,
    batchId: failure.batchId,
    tableName: sheet,
    source: 'sheets',
    kind: 'file',
    fileName: file.name,
    objectKey,
    errorKey,
    rowsArchived: null,
    bytes: upload.bytes,
    checksum: upload.sha256,
    error: failure.error,
  }
  await recordFailedLoad(sql, row)
  return { ...row, status: 'open', reloadedInRun: null }
}

// ---- staging archived rows again -----------------------------------------------------------------

/**
 * A value as COPY's text format writes it (and reads it back): backslash and the control
 * characters PostgreSQL escapes, NULL as \N. The line of a row's source columns is what a POS
 * extraction hashes (lib/extract/chunked-copy.ts), so a row reloaded gets the hash it had.
 */
export function copyText(value: string | null): string {
  if (value === null) return '\\N'
  return value.replace(/[\\\b\f\n\r\t\v]/g, (character) => COPY_ESCAPES[character] as string)
}

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
}

/** Splits a UTF-8 byte stream into lines, holding no more than one line and a chunk. */
export async function* textLines(stream: AsyncIterable<Buffer>, where: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let tail = ''
  try {
    for await (const chunk of stream) {
      const lines = (tail + decoder.decode(chunk, { stream: true })).split('\n')
      tail = lines.pop() ?? ''
      for (const line of lines) yield line
    }
    tail += decoder.decode()
  } catch (error) {
    if (error instanceof TypeError) throw new BadInputError(`${where}: not UTF-8 text`, { cause: error })
    throw error
  }
  if (tail !== '') yield tail
}

/**
 * The values of one line of rows.jsonl, as text, in the order of `columns`; a line that is not
 * such an object is a BadInputError naming the object and line.
 */
export function lineValues(columns: ColumnType[], line: string, where: string): (string | null)[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    throw new BadInputError(`${where}: not a JSON object`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadInputError(`${where}: not a JSON object`)
  }
  const row = parsed as Record<string, unknown>
  const extra = Object.keys(row).filter((name) => !columns.some((column) => column.name === name))
  if (extra.length > 0) throw new BadInputError(`${where}: unexpected column ${extra.join(', ')}`)
  return columns.map((column) => {
    if (!(column.name in row)) throw new BadInputError(`${where}: column ${column.name} is missing`)
    const value = row[column.name]
    if (value === null) return null
    if (typeof value === 'string') return value
    if (typeof value === 'number' && Number.isInteger(value) && JSON_NUMBER_TYPES.has(column.type)) return String(value)
    throw new BadInputError(`${where}: column ${column.name} holds ${JSON.stringify(value)}, expected text or null`)
  })
}

/** The archive's columns must be the staging table's now: a contract changed since cannot be reloaded as is. */
export function assertSameColumns(archived: ColumnType[], current: ColumnType[], what: string): void {
  const describe = (columns: ColumnType[]) => columns.map((column) => `${column.name} ${column.type}`).join(', ')
  if (describe(archived) !== describe(current)) {
    throw new BadInputError(
      `${what} was archived with the columns (${describe(archived)}); staging has (${describe(current)}) now`,
    )
  }
}

/** Rows between heartbeats while an archive is read. */
const HEARTBEAT_LINES = 1_000

/**
 * Streams an archived rows.jsonl (its bytes checked against its recorded SHA-256) into a fresh
 * load table shaped like the mirror, each row with the batch's columns: a POS row's _row_hash is
 * the MD5 of its COPY line, as an extraction computes it; a sheet row's is computed after, in
 * SQL, as ingestion computes it. One transaction: an archive that is not whole loads nothing.
 */
export async function loadArchivedRows(
  sql: Sql,
  options: {
    staging: StagingTable
    source: FailedLoadSource
    batchId: string
    extractedAt: string
    objectKey: string
    sha256: string
    body: AsyncIterable<Buffer>
  },
): Promise<{ loadTable: string; rows: number }> {
  const { staging, source, objectKey } = options
  const columns = archivedColumns(staging, source)
  const loadTable = loadTableName(options.batchId, staging.table)
  const load = `staging.${q(loadTable)}`
  const quoted = columns.map((column) => q(column.name)).join(', ')
  const checksum = createHash('sha256')
  const hashed = (async function* () {
    for await (const chunk of options.body) {
      checksum.update(chunk)
      yield chunk
    }
  })()
  let rows = 0
  const signal = cancellationSignal()
  const copyLines = async function* (): AsyncGenerator<string> {
    let chunk = ''
    for await (const line of textLines(hashed, objectKey)) {
      if (line === '') continue
      rows += 1
      const text = lineValues(columns, line, `${objectKey}, line ${rows}`).map(copyText).join('\t')
      chunk += source === 'pos' ? `${text}\t${hash('md5', text)}\n` : `${text}\n`
      if (rows % HEARTBEAT_LINES === 0) {
        signal.throwIfAborted()
        heartbeat({ objectKey, rows })
      }
      if (chunk.length >= 262_144) {
        yield chunk
        chunk = ''
      }
    }
    if (chunk) yield chunk
  }
  await sql.begin(async (tx) => {
    await tx.unsafe(`drop table if exists ${load}`)
    await tx.unsafe(`create unlogged table ${load} (like staging.${q(staging.table)} including defaults)`)
    await tx.unsafe(
      `alter table ${load}
         alter column _batch_id set default ${quoteLiteral(options.batchId)}::text,
         alter column _extracted_at set default ${quoteTimestamp(options.extractedAt)},
         alter column _source set default ${quoteLiteral(source)}::text,
         alter column _row_hash drop not null`,
    )
    const target = source === 'pos' ? `${quoted}, _row_hash` : quoted
    const writer = await tx.unsafe(`copy ${load} (${target}) from stdin`).writable()
    await pipeline(Readable.from(copyLines()), writer)
    const sha256 = checksum.digest('hex')
    if (sha256 !== options.sha256) {
      throw new BadInputError(`${objectKey}: its SHA-256 is ${sha256}, the failed load recorded ${options.sha256}`)
    }
    const keys = staging.keyColumns.map(q)
    const [repeated] = await tx.unsafe<{ key: string }[]>(
      `select concat_ws('|', ${keys.join(', ')}) as key from ${load} group by ${keys.join(', ')}
       having count(*) > 1 limit 1`,
    )
    if (repeated) throw new BadInputError(`${objectKey}: the key ${repeated.key} is on more than one line`)
    if (source === 'sheets') {
      // As ingestion hashes a sheet row: its declared columns' text, in the declaration's order
      // (activities/ingest-sheet.ts).
      const spec = SHEET_SPECS.find((candidate) => candidate.name === staging.table)
      const declared = (spec?.columns ?? staging.sourceColumns).map((column) => q(column.name)).join(', ')
      await tx.unsafe(`update ${load} set _row_hash = md5(row(${declared})::text)`)
    }
    await tx.unsafe(`analyze ${load}`)
  })
  return { loadTable, rows }
}

/** A timestamptz literal of a time PostgreSQL printed (etl.batches.started_at::text). */
function quoteTimestamp(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/.test(value)) {
    throw new BadInputError(`Unexpected extraction time ${JSON.stringify(value)} in a failed load archive`)
  }
  return `'${value}'::timestamptz`
}

export interface ReloadCounts {
  rowsRead: number
  rowsInserted: number
  rowsUpdated: number
  rowsResubmitted: number
  /** Rows whose mirror row is a later version than the archive's (staged or deleted since): kept. */
  rowsKept: number
}

/**
 * Merges a load table of archived rows into the mirror, in the caller's transaction, as an
 * extraction would: new rows inserted, changed rows updated (with their new _row_hash), and, unlike
 * an extraction, unchanged rows re-sent (their _batch_id set to the batch, so they flow on to
 * clean, validation and publish). A row that the mirror holds in a later version than the
 * archive's (staged by another batch after the failed batch read the source, or deleted since)
 * is kept as it is: a reload never takes staging back to older values.
 */
export async function mergeArchivedRows(
  tx: TransactionSql,
  staging: StagingTable,
  source: FailedLoadSource,
  loadTable: string,
  failed: { batchId: string; extractedAt: string },
): Promise<ReloadCounts> {
  const mirror = `staging.${q(staging.table)}`
  const load = `staging.${q(loadTable)}`
  const columns = archivedColumns(staging, source).map((column) => q(column.name))
  const keys = staging.keyColumns.map(q)
  const nonKeys = columns.filter((column) => !keys.includes(column))
  const written = [...columns, '_batch_id', '_extracted_at', '_source', '_row_hash']
  const [counts] = await tx.unsafe<
    { read: number; inserted: number; updated: number; resubmitted: number; kept: number; written: number }[]
  >(
    `with classified as (
       select l.*,
              case
                when m._row_hash is null then 'new'
                when m._row_hash = l._row_hash and m._deleted_at is null then 'same'
                when (m._batch_id <> $2 and m._extracted_at > $1::timestamptz)
                  or m._deleted_at > $1::timestamptz then 'later'
                else 'changed'
              end as change
       from ${load} as l
       left join ${mirror} as m on ${keys.map((key) => `m.${key} = l.${key}`).join(' and ')}
     ),
     upserted as (
       insert into ${mirror} as m (${written.join(', ')}, _deleted_at)
       select ${written.join(', ')}, null from classified where change <> 'later'
       on conflict (${keys.join(', ')}) do update set
         ${nonKeys.map((column) => `${column} = excluded.${column}`).join(', ')}${nonKeys.length > 0 ? ',' : ''}
         _batch_id = excluded._batch_id,
         -- a row re-sent unchanged was seen as it is when it was first staged
         _extracted_at = case when m._row_hash = excluded._row_hash and m._deleted_at is null
                              then m._extracted_at else excluded._extracted_at end,
         _row_hash = excluded._row_hash, _deleted_at = null
       returning 1
     )
     select count(*)::int as read,
            count(*) filter (where change = 'new')::int as inserted,
            count(*) filter (where change = 'changed')::int as updated,
            count(*) filter (where change = 'same')::int as resubmitted,
            count(*) filter (where change = 'later')::int as kept,
            (select count(*) from upserted)::int as written
     from classified`,
    [failed.extractedAt, failed.batchId],
  )
  if (!counts) throw new Error(`Merging ${load} into ${mirror} returned no counts`)
  const sent = counts.inserted + counts.updated + counts.resubmitted
  if (counts.written !== sent) {
    throw new Error(`Merging ${load} into ${mirror} wrote ${counts.written} rows, expected ${sent}`)
  }
  return {
    rowsRead: counts.read,
    rowsInserted: counts.inserted,
    rowsUpdated: counts.updated,
    rowsResubmitted: counts.resubmitted,
    rowsKept: counts.kept,
  }
}
