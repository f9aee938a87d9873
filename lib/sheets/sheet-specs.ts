// The spreadsheets the cafe keeps by hand, declared as data: which sheet, which columns in which
// order, what each column holds and which columns name a row. A new sheet is one declaration.
import type { CellType } from './cells.ts'

export interface ColumnSpec {
  name: string
  type: CellType
  required: boolean
}

export interface SheetSpec {
  /** The sheet's name in the workbook, or the CSV file's subject. */
  name: string
  columns: readonly ColumnSpec[]
  /** The columns that identify a row, in the order they make its natural key. */
  naturalKey: readonly string[]
}

export const storeBranchSheet: SheetSpec = {
  name: 'store_branch',
  columns: [
    { name: 'store_id', type: 'integer', required: true },
    { name: 'store_name', type: 'text', required: true },
    { name: 'created_at', type: 'timestamp', required: false },
  ],
  naturalKey: ['store_id'],
}

export const stockCountSheet: SheetSpec = {
  name: 'stock_count',
  columns: [
    { name: 'count_date', type: 'date', required: true },
    { name: 'store_name', type: 'text', required: true },
    { name: 'product_id', type: 'integer', required: true },
    { name: 'counted_qty', type: 'integer', required: true },
    { name: 'counted_by', type: 'text', required: false },
  ],
  naturalKey: ['count_date', 'store_name', 'product_id'],
}

export const SHEET_SPECS: readonly SheetSpec[] = [storeBranchSheet, stockCountSheet]

export function requiredColumns(spec: SheetSpec): string[] {
  return spec.columns.filter((column) => column.required).map((column) => column.name)
}
