// Finding the declared columns in a header row typed by hand: any order, any case, spaces,
// underscores or hyphens between words, extra columns, and the empty cells that merged header
// cells leave behind. A declared column named twice is reported, never half read.
import { cellText } from './cells.ts'
import { requiredColumns, type SheetSpec } from './sheet-specs.ts'

export interface HeaderMatch {
  /** Declared column name to its cell index in the row; a column absent from the sheet is absent here. */
  columns: Map<string, number>
  /** The header texts as typed, for messages. */
  found: string[]
  /** Required columns the header lacks. */
  missing: string[]
  /** Declared columns the header names more than once: which cells, as typed. */
  repeated: { column: string; cells: { index: number; text: string }[] }[]
}

/** A 0-based cell index as the spreadsheet letters its column: 0 is A, 26 is AA. */
export function columnLetter(index: number): string {
  let letters = ''
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters
  }
  return letters
}

/** 'Stock Count', 'stock_count ', 'STOCK-COUNT' and 'stockcount' are all the same name. */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/g, '')
}

export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b)
}

export function isBlankRow(cells: readonly unknown[]): boolean {
  for (let index = 0; index < cells.length; index++) {
    if (cellText(cells[index]) !== null) return false
  }
  return true
}

export function matchHeader(cells: readonly unknown[], spec: SheetSpec): HeaderMatch {
  const wanted = new Map(spec.columns.map((column) => [normalizeName(column.name), column.name]))
  const columns = new Map<string, number>()
  const cellsOf = new Map<string, { index: number; text: string }[]>()
  const found: string[] = []
  for (let index = 0; index < cells.length; index++) {
    const text = cellText(cells[index])
    if (text === null) continue
    if (!found.includes(text)) found.push(text)
    const column = wanted.get(normalizeName(text))
    if (column === undefined) continue
    if (!columns.has(column)) columns.set(column, index)
    cellsOf.set(column, [...(cellsOf.get(column) ?? []), { index, text }])
  }
  const missing = requiredColumns(spec).filter((column) => !columns.has(column))
  const repeated = [...cellsOf]
    .filter(([, named]) => named.length > 1)
    .map(([column, named]) => ({ column, cells: named }))
  return { columns, found, missing, repeated }
}
