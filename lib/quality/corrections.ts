// Corrections are data, not edits of staging: a correction file is checked whole (and refused
// whole, naming the file, line, column, value and what was expected), its changed cells are
// recorded in dq.corrections, and the clean models apply them while the source still holds
// the value they replaced. A run whose batch brings another source value retires them.
import type { Sql, TransactionSql } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { describeStagingTable, naturalKeyExpression, type StagingTable } from '../extract/staging-catalog.ts'
import { CELL_PARSERS, EXPECTED } from '../sheets/cells.ts'
import { SHEET_SPECS } from '../sheets/sheet-specs.ts'
import { quoteIdentifier as q, quoteLiteral } from '../sql-text.ts'
import { type CorrectionLine, correctionFileHeader, parseCorrectionFile } from './batch-files.ts'

export interface CellCorrection {
  naturalKey: string
  column: string
  sourceValue: string | null
  correctedValue: string | null
}

export interface CheckedCorrections {
  tableName: string
  /** Every natural key the file lists, corrected or not: the rows to reprocess. */
  naturalKeys: string[]
  corrections: CellCorrection[]
}

/** At most this many problems are listed in the message that refuses a file. */
const PROBLEMS_LISTED = 10

/** Reads and checks a correction file of a batch; throws BadInputError naming every problem found. */
export async function checkCorrectionFile(
  sql: Sql,
  batchId: string,
  file: string,
  text: string,
): Promise<CheckedCorrections> {
  const { header, lines } = parseCorrectionFile(text, file)
  const staging = await tableOfHeader(sql, batchId, file, header)
  const problems: string[] = []
  const problem = (line: number, column: string, value: string | null, expected: string) =>
    problems.push(`line ${line}, column ${column}, value ${JSON.stringify(value ?? '')}: expected ${expected}`)

  const keys = lines.map((line) => line.cells.natural_key ?? '')
  const sourceRows = await stagingRows(sql, staging, keys)
  const held = await heldKeys(sql, batchId, staging.table, keys)
  const keyColumns = new Set([...staging.keyColumns, ...sheetKeyColumns(staging.table)])
  const seen = new Map<string, number>()
  const corrections: CellCorrection[] = []
  const toParse: { line: CorrectionLine; column: string; type: string; value: string }[] = []

  for (const line of lines) {
    const key = line.cells.natural_key
    if (!key) {
      problem(line.line, 'natural_key', key ?? null, `the natural key of a row of batch ${batchId}`)
      continue
    }
    const first = seen.get(key)
    if (first !== undefined) {
      problem(line.line, 'natural_key', key, `each row once (it is on line ${first} already)`)
      continue
    }
    seen.set(key, line.line)
    const holder = held.get(key)
    const source = sourceRows.get(key)
    if (holder !== batchId || !source) {
      const why =
        holder === undefined
          ? `a row of batch ${batchId} waiting for a correction (this key is not one)`
          : holder === batchId
            ? `a row that staging still holds (this one is gone from the source)`
            : `a row of batch ${batchId} (this row belongs to batch ${holder})`
      problem(line.line, 'natural_key', key, why)
      continue
    }
    for (const column of staging.sourceColumns) {
      const value = sheetCanonical(staging.table, column.name, line.cells[column.name] ?? null)
      const was = source[column.name] ?? null
      if (value === was || (value === null && was === '')) continue
      if (keyColumns.has(column.name)) {
        problem(line.line, column.name, value, `${JSON.stringify(was ?? '')}: a key column cannot be corrected`)
        continue
      }
      corrections.push({ naturalKey: key, column: column.name, sourceValue: was, correctedValue: value })
      if (value !== null) toParse.push({ line, column: column.name, type: column.type, value })
    }
  }
  for (const cell of await unparsable(sql, staging.table, toParse)) {
    problem(cell.line.line, cell.column, cell.value, cell.expected)
  }
  if (problems.length > 0) {
    const more = problems.length > PROBLEMS_LISTED ? `; and ${problems.length - PROBLEMS_LISTED} more` : ''
    throw new BadInputError(
      `Correction file ${file} refused, nothing changed: ${problems.slice(0, PROBLEMS_LISTED).join('; ')}${more}`,
    )
  }
  return { tableName: staging.table, naturalKeys: [...seen.keys()], corrections }
}

/** The batch table whose correction-file header the file has, or a refusal naming the expected headers. */
async function tableOfHeader(sql: Sql, batchId: string, file: string, header: string[]): Promise<StagingTable> {
  const tables = await sql<{ table_name: string }[]>`
    select distinct table_name from dq.violations where quarantine_batch_id = ${batchId} order by table_name`
  const expected: string[] = []
  for (const { table_name } of tables) {
    const staging = await describeStagingTable(sql, table_name)
    const wanted = correctionFileHeader(staging)
    if (wanted.join(',') === header.join(',')) return staging
    expected.push(`${table_name}: ${wanted.join(',')}`)
  }
  throw new BadInputError(
    `Correction file ${file} refused, nothing changed: line 1, the header ${JSON.stringify(header.join(','))}: ` +
      `expected the header of a table of batch ${batchId} (${expected.join(' | ') || 'the batch holds no rows'})`,
  )
}

function sheetKeyColumns(tableName: string): readonly string[] {
  return SHEET_SPECS.find((spec) => spec.name === tableName)?.naturalKey ?? []
}

/**
 * A staging row `s` as a JSON object of its source columns, each as text: what the batch file
 * showed, and what a correction's source value is compared with.
 */
function sourceRowAsText(staging: StagingTable): string {
  const columns = staging.sourceColumns.map((column) => `${quoteLiteral(column.name)}, s.${q(column.name)}::text`)
  return `jsonb_build_object(${columns.join(', ')})`
}

/** The staging rows of these keys, each column as text (what the batch file showed). */
async function stagingRows(sql: Sql, staging: StagingTable, keys: string[]) {
  const key = naturalKeyExpression(staging.keyColumns, 's')
  const rows = await sql.unsafe<{ natural_key: string; source_row: Record<string, string | null> }[]>(
    `select ${key} as natural_key, ${sourceRowAsText(staging)} as source_row
     from staging.${q(staging.table)} as s
     where ${key} = any($1::text[]) and s._deleted_at is null`,
    [keys],
  )
  return new Map(rows.map((row) => [row.natural_key, row.source_row]))
}

/** For each key that has open violations of reject or nullify rules: the batch holding it. */
async function heldKeys(sql: Sql, batchId: string, tableName: string, keys: string[]) {
  const rows = await sql<{ natural_key: string; quarantine_batch_id: string }[]>`
    select distinct on (natural_key) natural_key, quarantine_batch_id
    from dq.violations
    where table_name = ${tableName} and natural_key = any(${keys}::text[])
      and quarantine_batch_id is not null and status = 'open'
    order by natural_key, (quarantine_batch_id = ${batchId}) desc`
  return new Map(rows.map((row) => [row.natural_key, row.quarantine_batch_id]))
}

interface Unparsable {
  line: CorrectionLine
  column: string
  value: string
  expected: string
}

/**
 * Cells that are not a value of their column: a sheet's cells by the sheet's own parsers (its
 * staging columns are text), a POS table's by PostgreSQL's casts to the staging column's type.
 */
async function unparsable(
  sql: Sql,
  tableName: string,
  cells: { line: CorrectionLine; column: string; type: string; value: string }[],
): Promise<Unparsable[]> {
  const sheet = SHEET_SPECS.find((spec) => spec.name === tableName)
  if (sheet) {
    return cells.flatMap((cell) => {
      const type = sheet.columns.find((column) => column.name === cell.column)?.type ?? 'text'
      const parsed = CELL_PARSERS[type](cell.value)
      return parsed && !parsed.ok ? [{ ...cell, expected: parsed.expected || EXPECTED[type] }] : []
    })
  }
  if (cells.length === 0) return []
  const results = await sql<{ ok: boolean }[]>`
    select etl.text_parses_as(value, type_name) as ok
    from unnest(${cells.map((cell) => cell.value)}::text[], ${cells.map((cell) => cell.type)}::text[])
         with ordinality as cell (value, type_name, position)
    order by position`
  return cells.flatMap((cell, i) => (results[i]?.ok ? [] : [{ ...cell, expected: expectedOf(cell.type) }]))
}

/** A staging column's type, in the words a person correcting a file reads. */
export function expectedOf(type: string): string {
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(type)
  if (numeric) return `a number with at most ${numeric[2]} decimals, such as 12.50`
  const text = /^character varying\((\d+)\)$/.exec(type)
  if (text) return `text of at most ${text[1]} characters`
  if (type === 'integer') return 'an integer such as 12'
  if (type === 'date') return 'a date such as 2024-11-25'
  if (type.startsWith('timestamp')) return 'a date and time such as 2024-11-25 14:30:00'
  return `a value of type ${type}`
}

/** Sheet cells are stored as their parser's canonical text (a date typed 25/11/2024 as 2024-11-25). */
function sheetCanonical(tableName: string, column: string, value: string | null): string | null {
  const type = SHEET_SPECS.find((spec) => spec.name === tableName)?.columns.find((c) => c.name === column)?.type
  if (!type || value === null) return value
  const parsed = CELL_PARSERS[type](value)
  return parsed?.ok ? parsed.value : value
}

/**
 * Records the corrections of a checked file. A cell corrected again replaces the earlier
 * correction (which is kept, retired); the same correction twice is recorded once.
 */
export async function recordCorrections(
  tx: TransactionSql,
  batchId: string,
  file: string,
  correctedBy: string,
  checked: CheckedCorrections,
): Promise<number> {
  let recorded = 0
  for (const correction of checked.corrections) {
    const [active] = await tx<{ corrected_value: string | null }[]>`
      select corrected_value from dq.corrections
      where table_name = ${checked.tableName} and natural_key = ${correction.naturalKey}
        and column_name = ${correction.column} and retired_at is null`
    if (active && active.corrected_value === correction.correctedValue) continue
    await tx`
      update dq.corrections set retired_at = now(), retired_source_value = source_value
      where table_name = ${checked.tableName} and natural_key = ${correction.naturalKey}
        and column_name = ${correction.column} and retired_at is null`
    await tx`
      insert into dq.corrections (table_name, natural_key, column_name, source_value, corrected_value,
                                  quarantine_batch_id, source_file, corrected_by)
      values (${checked.tableName}, ${correction.naturalKey}, ${correction.column}, ${correction.sourceValue},
              ${correction.correctedValue}, ${batchId}, ${file}, ${correctedBy})`
    recorded += 1
  }
  return recorded
}

/**
 * The source is the authority again as soon as it holds another value than the one a
 * correction replaced: each active correction of a row in the run's batches whose source value
 * changed is retired, with the run and the value the source holds now. Runs before cleaning.
 */
export async function retireChangedCorrections(sql: Sql, runId: string): Promise<number> {
  const tables = await sql<{ table_name: string }[]>`
    select distinct k.table_name from dq.corrections as k
    join etl.batches as b on b.table_name = k.table_name and b.run_id = ${runId}
    where k.retired_at is null`
  let retired = 0
  for (const { table_name } of tables) {
    const staging = await describeStagingTable(sql, table_name)
    const key = naturalKeyExpression(staging.keyColumns, 's')
    const result = await sql.unsafe(
      `update dq.corrections as k
       set retired_at = now(), retired_in_run = $1, retired_source_value = s.source_row ->> k.column_name
       from (select ${key} as natural_key, ${sourceRowAsText(staging)} as source_row
             from staging.${q(table_name)} as s
             where s._batch_id in (select batch_id from etl.batches where run_id = $1 and table_name = $2)) as s
       where k.table_name = $2 and k.retired_at is null and k.natural_key = s.natural_key
         and (s.source_row ->> k.column_name) is distinct from k.source_value`,
      [runId, table_name],
    )
    retired += result.count
  }
  return retired
}
