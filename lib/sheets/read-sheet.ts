// Reads one hand-kept sheet (an .xlsx workbook's sheet or a .csv file) as a stream of rows typed
// by its declaration. A file that cannot be read as the sheet at all (missing, not a workbook, no
// such sheet, no header, a required column absent) throws one BadInputError before any row is
// yielded; a bad cell never stops the file: its row comes out with the error beside the good values.
// (A workbook damaged half-way through throws where the damage is, after the rows before it.)
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { BadInputError } from '../errors.ts'
import { cancellationSignal } from '../heartbeat.ts'
import { type BoundedOptions, bounded, type ReadingBounds, STALLED_READING_SECONDS } from './bounded-reading.ts'
import { CELL_PARSERS, cellText } from './cells.ts'
import { readCsvSheets } from './csv-source.ts'
import { columnLetter, type HeaderMatch, isBlankRow, matchHeader, sameName } from './headers.ts'
import { requiredColumns, type SheetSpec } from './sheet-specs.ts'
import type { SourceRow, SourceSheet } from './source-sheet.ts'
import { readWorkbookSheets } from './xlsx-source.ts'

export interface CellError {
  column: string
  /** The cell's text as typed (trimmed); null when the cell is empty. */
  value: string | null
  /** What the column expected, in words: 'an integer such as 12', 'a value'. */
  expected: string
}

export interface SheetRow {
  /** The sheet's name as the workbook spells it ('Stock Count'); the spec's name for a CSV. */
  sheet: string
  /** 1-based, as the spreadsheet program shows it. */
  rowNumber: number
  /** The key columns' values joined with '|', or '<file>#<row>' when one of them is missing or bad. */
  naturalKey: string
  /** Canonical text per declared column; null when the cell is empty, absent or unreadable. */
  values: Record<string, string | null>
  /** The cells as typed, trimmed, per declared column; null when empty or absent. */
  raw: Record<string, string | null>
  errors: CellError[]
}

export const MISSING_VALUE = 'a value'

export async function* readSheetRows(
  filePath: string,
  spec: SheetSpec,
  bounds: ReadingBounds = {},
): AsyncGenerator<SheetRow> {
  const file = path.basename(filePath)
  // Aborted when the activity is cancelled or the reading stalls: the source then closes its file.
  const abandon = new AbortController()
  const outer = bounds.signal ?? cancellationSignal()
  const onCancel = () => abandon.abort(outer.reason)
  if (outer.aborted) onCancel()
  outer.addEventListener('abort', onCancel, { once: true })
  const options: BoundedOptions = {
    stalledSeconds: bounds.stalledSeconds ?? STALLED_READING_SECONDS,
    signal: abandon.signal,
    onStall: (error) => abandon.abort(error),
  }
  try {
    const sheets = boundedSheets(await openSheets(filePath, file, spec, abandon.signal), file, options)
    try {
      const sheet = await findSheet(sheets, spec, file)
      for await (const row of sheet.rows) {
        if (isBlankRow(row.cells)) continue
        yield toSheetRow(row, sheet.name, sheet.header, spec, file)
      }
    } finally {
      // Stopping early (or failing) must release the file.
      await sheets.return(undefined)
    }
  } finally {
    outer.removeEventListener('abort', onCancel)
  }
}

/** Every sheet, and every sheet's rows, read within the bounds. */
async function* boundedSheets(
  sheets: AsyncGenerator<SourceSheet>,
  file: string,
  options: BoundedOptions,
): AsyncGenerator<SourceSheet> {
  for await (const sheet of bounded(sheets, file, options)) yield { ...sheet, rows: bounded(sheet.rows, file, options) }
}

/** One line: `stock.xlsx, sheet "stock_count", row 7, column counted_qty: "abc" is not an integer such as 12`. */
export function describeSheetError(file: string, sheet: string, rowNumber: number, error: CellError): string {
  // JSON quoting keeps a cell with a line break (or a quote) on the message's one line.
  const problem =
    error.value === null
      ? `empty, expected ${error.expected}`
      : `${JSON.stringify(error.value)} is not ${error.expected}`
  return `${path.basename(file)}, sheet "${sheet}", row ${rowNumber}, column ${error.column}: ${problem}`
}

async function openSheets(
  filePath: string,
  file: string,
  spec: SheetSpec,
  abandon: AbortSignal,
): Promise<AsyncGenerator<SourceSheet>> {
  const extension = path.extname(file).toLowerCase()
  if (extension === '.xls') {
    throw new BadInputError(`${file}: an Excel 97-2003 workbook (.xls) cannot be read; save it as .xlsx or .csv`)
  }
  if (extension !== '.xlsx' && extension !== '.csv') {
    throw new BadInputError(`${file}: unsupported file type "${extension}", expected an .xlsx workbook or a .csv file`)
  }
  const size = await fileSize(filePath, file)
  if (extension === '.csv') return readCsvSheets(filePath, file, spec.name, abandon)
  if (size === 0) throw new BadInputError(`${file}: the file is empty, expected an .xlsx workbook`)
  return readWorkbookSheets(filePath, file, abandon)
}

async function fileSize(filePath: string, file: string): Promise<number> {
  try {
    const stats = await stat(filePath)
    if (!stats.isFile()) throw new BadInputError(`${file}: not a file (${filePath})`)
    return stats.size
  } catch (error) {
    if (error instanceof BadInputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read the file (${(error as Error).message})`
    throw new BadInputError(`${file}: ${reason} (${filePath})`, { cause: error })
  }
}

interface OpenSheet {
  name: string
  header: HeaderMatch
  /** The rows after the header. */
  rows: AsyncGenerator<SourceRow>
}

/**
 * The sheet named like the spec (case, spaces and underscores aside); when no sheet has that
 * name, the first sheet whose header has every required column (the sheet was renamed).
 * Sheets stream past in order, so which rule applies is decided from the list of sheet names the
 * workbook declares up front.
 */
async function findSheet(sheets: AsyncGenerator<SourceSheet>, spec: SheetSpec, file: string): Promise<OpenSheet> {
  const seen: string[] = []
  for (let next = await sheets.next(); !next.done; next = await sheets.next()) {
    const sheet = next.value
    seen.push(sheet.name)
    const lookByName = sheet.fileSheetNames.some((name) => sameName(name, spec.name))
    if (lookByName && !sameName(sheet.name, spec.name)) continue
    const header = await readHeader(sheet.rows)
    const match = header && matchHeader(header.cells, spec)
    if (lookByName) {
      if (!match) throw noHeaderRow(file, sheet.name, spec)
      if (match.missing.length > 0) throw missingColumns(file, sheet.name, match)
      if (match.repeated.length > 0) throw repeatedColumns(file, sheet.name, match)
      return { name: sheet.name, header: match, rows: sheet.rows }
    }
    if (match && match.missing.length === 0) {
      if (match.repeated.length > 0) throw repeatedColumns(file, sheet.name, match)
      return { name: sheet.name, header: match, rows: sheet.rows }
    }
    await sheet.rows.return(undefined)
  }
  if (seen.length === 0) throw new BadInputError(`${file}: the workbook has no sheets, expected a sheet "${spec.name}"`)
  throw new BadInputError(
    `${file}: no sheet "${spec.name}", and no sheet whose header has its required columns ` +
      `${requiredColumns(spec).join(', ')} (sheets: ${seen.map((name) => `"${name}"`).join(', ')})`,
  )
}

/** The first non-blank row, or null when the sheet has none. */
async function readHeader(rows: AsyncGenerator<SourceRow>): Promise<SourceRow | null> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    if (!isBlankRow(next.value.cells)) return next.value
  }
  return null
}

function noHeaderRow(file: string, sheet: string, spec: SheetSpec): BadInputError {
  const columns = spec.columns.map((column) => column.name).join(', ')
  return new BadInputError(`${file}, sheet "${sheet}": no header row, the sheet is empty (expected columns ${columns})`)
}

function missingColumns(file: string, sheet: string, match: HeaderMatch): BadInputError {
  const noun = match.missing.length === 1 ? 'column' : 'columns'
  return new BadInputError(
    `${file}, sheet "${sheet}": missing required ${noun} ${match.missing.join(', ')} (found: ${match.found.join(', ')})`,
  )
}

/** `stock.csv, sheet "stock_count": column counted_qty is named twice in the header: "counted_qty" in column D and "Counted Qty" in column F; keep one`. */
function repeatedColumns(file: string, sheet: string, match: HeaderMatch): BadInputError {
  const problems = match.repeated.map(({ column, cells }) => {
    const where = cells.map((cell) => `${JSON.stringify(cell.text)} in column ${columnLetter(cell.index)}`)
    return `column ${column} is named ${cells.length === 2 ? 'twice' : `${cells.length} times`} in the header: ${where.join(' and ')}`
  })
  return new BadInputError(`${file}, sheet "${sheet}": ${problems.join('; ')}; keep one, so no value is dropped`)
}

function toSheetRow(row: SourceRow, sheet: string, header: HeaderMatch, spec: SheetSpec, file: string): SheetRow {
  const values: Record<string, string | null> = {}
  const raw: Record<string, string | null> = {}
  const errors: CellError[] = []
  for (const column of spec.columns) {
    const index = header.columns.get(column.name)
    const cell = index === undefined ? null : row.cells[index]
    raw[column.name] = cellText(cell)
    values[column.name] = null
    const parsed = CELL_PARSERS[column.type](cell)
    if (parsed === null) {
      if (column.required) errors.push({ column: column.name, value: null, expected: MISSING_VALUE })
    } else if (parsed.ok) {
      values[column.name] = parsed.value
    } else {
      errors.push({ column: column.name, value: raw[column.name] ?? null, expected: parsed.expected })
    }
  }
  const key = spec.naturalKey.map((column) => values[column])
  const naturalKey = key.every((part) => typeof part === 'string') ? key.join('|') : `${file}#${row.number}`
  return { sheet, rowNumber: row.number, naturalKey, values, raw, errors }
}
