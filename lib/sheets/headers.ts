// Finding the declared columns in a header row typed by hand: any order, any case, spaces,
// underscores or hyphens between words, extra columns, and the empty or repeated cells that
// merged header cells leave behind.
import { cellText } from './cells.ts'
import { requiredColumns, type SheetSpec } from './sheet-specs.ts'

export interface HeaderMatch {
  /** Declared column name to its cell index in the row; a column absent from the sheet is absent here. */
  columns: Map<string, number>
  /** The header texts as typed, for messages. */
  found: string[]
  /** Required columns the header lacks. */
  missing: string[]
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
  const found: string[] = []
  for (let index = 0; index < cells.length; index++) {
    const text = cellText(cells[index])
    if (text === null) continue
    if (!found.includes(text)) found.push(text)
    const column = wanted.get(normalizeName(text))
    // The first cell wins: a merged cell may repeat its text over the cells it covers.
    if (column !== undefined && !columns.has(column)) columns.set(column, index)
  }
  const missing = requiredColumns(spec).filter((column) => !columns.has(column))
  return { columns, found, missing }
}
