// The SQL pieces every materialization writes: a model's table name, its rows (the select with
// its computed columns), the run's id, and the Statement the runner executes and counts.
import { quoteIdentifier as q } from '../sql-text.ts'
import type { ComputedColumn, Model } from './model-file.ts'

/** A statement to run and what its row count means for the step's counts. */
export interface Statement {
  sql: string
  counts?: 'selected' | 'inserted' | 'updated' | 'deleted' | 'merge' | 'replace'
}

/** A statement whose row count means nothing to the step (DDL, settings, bookkeeping). */
export const ddl = (sql: string): Statement => ({ sql })

/** The run a build belongs to, as the model's SQL reads it. */
export const RUN_ID = 'etl.current_run_id()'

export const qualified = (model: Model) => `${q(model.schema)}.${q(model.table)}`

export const list = (columns: string[], prefix = '') => columns.map((column) => `${prefix}${q(column)}`).join(', ')

/** A computed column's value, from the other columns of the row it is evaluated on. */
export const computedValue = (column: ComputedColumn) => `(${column.expression})::${column.type}`

/**
 * The rows the model writes, without a trailing semicolon, ready to be wrapped: its select,
 * and its computed columns evaluated on each selected row.
 */
export function selectOf(model: Model): string {
  const select = model.sql.trim().replace(/;\s*$/, '')
  if (model.computed.length === 0) return select
  return `select model_rows.*, ${model.computed.map((column) => `${computedValue(column)} as ${q(column.name)}`).join(', ')}
from (\n${select}\n) as model_rows`
}
