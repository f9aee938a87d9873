// The files a person corrects: for each table of a quarantine batch, a CSV that opens in a
// spreadsheet with the rows held back, as the source held them, beside the NDJSON objects.
// A corrected copy comes back under the batch's corrected/ prefix (docs/reprocessing.md).
import { Readable } from 'node:stream'
import { parse } from 'csv-parse/sync'
import type { Sql } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { describeStagingTable, naturalKeyExpression, type StagingTable } from '../extract/staging-catalog.ts'
import type { ObjectStore } from '../object-store.ts'
import { uploadStream } from '../object-store.ts'
import { looksLikeFormula, peopleCsv } from '../people-csv.ts'
import { quoteIdentifier as q } from '../sql-text.ts'

export const FAILED_RULES_COLUMN = 'failed_rules'
export const OFFENDING_VALUES_COLUMN = 'offending_values'

export function batchPrefix(batchId: string): string {
  return `quarantine/run=${batchId}/`
}

export function batchFileKey(batchId: string, tableName: string): string {
  return `${batchPrefix(batchId)}table=${tableName}/rows.csv`
}

/** Where corrected files of the batch are uploaded (any name ending in .csv). */
export function correctedPrefix(batchId: string): string {
  return `${batchPrefix(batchId)}corrected/`
}

/** natural_key, the source columns in the staging table's order, then what failed. */
export function correctionFileHeader(staging: StagingTable): string[] {
  return [
    'natural_key',
    ...staging.sourceColumns.map((column) => column.name),
    FAILED_RULES_COLUMN,
    OFFENDING_VALUES_COLUMN,
  ]
}

/**
 * Writes the batch's CSV for one table: one line per row of the batch with an open reject or
 * nullify violation that staging holds, ordered by key. Deterministic: a retry writes the same bytes.
 */
export async function writeBatchFile(sql: Sql, store: ObjectStore, batchId: string, tableName: string) {
  const staging = await describeStagingTable(sql, tableName)
  const key = naturalKeyExpression(staging.keyColumns, 's')
  const columns = staging.sourceColumns.map((column) => `s.${q(column.name)}::text`).join(', ')
  const cursor = sql
    .unsafe<Record<string, string | null>[]>(
      `with held as (
         select v.natural_key,
                string_agg(distinct v.rule_name, '; ' order by v.rule_name) as failed_rules,
                string_agg(distinct coalesce(v.column_name, '') || '=' || coalesce(v.offending_value, ''), '; '
                           order by coalesce(v.column_name, '') || '=' || coalesce(v.offending_value, '')) as offending_values
         from dq.violations as v
         where v.quarantine_batch_id = $1 and v.table_name = $2 and v.status = 'open'
         group by v.natural_key
       )
       select h.natural_key, ${columns}, h.failed_rules, h.offending_values
       from held as h
       join staging.${q(tableName)} as s on ${key} = h.natural_key
       order by h.natural_key`,
      [batchId, tableName],
    )
    .values()
    .cursor(500)
  const csv = peopleCsv({ bom: true, header: true, columns: correctionFileHeader(staging) })
  const body = Readable.from(
    (async function* () {
      for await (const rows of cursor) for (const row of rows) yield row
    })(),
  ).pipe(csv)
  return uploadStream(store, batchFileKey(batchId, tableName), body, 'text/csv; charset=utf-8')
}

/** A line of a correction file: its 1-based line number in the file and its cells by column. */
export interface CorrectionLine {
  line: number
  cells: Record<string, string | null>
}

/**
 * Parses a correction file. Empty cells are NULL; a leading apostrophe that the batch file put
 * before formula-like text (so that a spreadsheet shows it as text) is taken off again.
 */
export function parseCorrectionFile(text: string, file: string): { header: string[]; lines: CorrectionLine[] } {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: false,
      skip_empty_lines: true,
    }) as unknown as typeof records
  } catch (error) {
    const where = (error as { lines?: number }).lines
    throw new BadInputError(
      `${file}${where ? `: line ${where}` : ''}: not a readable CSV file (${(error as Error).message})`,
    )
  }
  const [first, ...rows] = records
  if (!first) throw new BadInputError(`${file}: the file is empty; expected a header line and the corrected rows`)
  const header = first.record
  const lines = rows.map(({ record, info }) => ({
    line: info.lines,
    cells: Object.fromEntries(header.map((column, i) => [column, cellValue(record[i] ?? '')])),
  }))
  return { header, lines }
}

function cellValue(text: string): string | null {
  if (text === '') return null
  if (text.startsWith("'") && looksLikeFormula(text.slice(1))) return text.slice(1)
  return text
}
