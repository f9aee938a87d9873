// What a staging mirror expects of its source: the staging table (a migration's) is the one
// declaration of the source contract, its columns without a leading underscore and its key.
import type { Sql } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { quoteIdentifier } from '../sql-text.ts'

export interface ColumnType {
  name: string
  type: string
}

export interface StagingTable {
  table: string
  sourceColumns: ColumnType[]
  keyColumns: string[]
}

/** A table's columns in order, each with its SQL type (format_type): none when there is no such table. */
export async function columnsOf(sql: Sql, schema: string, table: string): Promise<ColumnType[]> {
  return sql<ColumnType[]>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
    order by a.attnum`
}

/** The staging table's source columns (no leading underscore), with their types, and its primary key. */
export async function describeStagingTable(warehouse: Sql, table: string): Promise<StagingTable> {
  const columns = await columnsOf(warehouse, 'staging', table)
  if (columns.length === 0) throw new BadInputError(`There is no staging table staging.${table}`)
  const keys = await warehouse<{ name: string }[]>`
    select a.attname as name
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
    where i.indrelid = ${`staging.${table}`}::regclass and i.indisprimary
    order by array_position(i.indkey::int2[], a.attnum)`
  return {
    table,
    sourceColumns: columns.filter((column) => !column.name.startsWith('_')),
    keyColumns: keys.map((key) => key.name),
  }
}

/**
 * Schema drift: every column the staging mirror expects must exist at the source with the
 * same type. Extra source columns are ignored (they are not part of the contract yet).
 */
export async function assertNoSchemaDrift(source: Sql, sourceSchema: string, staging: StagingTable): Promise<void> {
  const actual = new Map((await columnsOf(source, sourceSchema, staging.table)).map((c) => [c.name, c.type]))
  if (actual.size === 0) {
    throw new BadInputError(`Schema drift: source table ${sourceSchema}.${staging.table} does not exist`)
  }
  const problems: string[] = []
  for (const expected of staging.sourceColumns) {
    const found = actual.get(expected.name)
    if (found === undefined) problems.push(`column ${expected.name} (${expected.type}) is missing`)
    else if (found !== expected.type) problems.push(`column ${expected.name} is ${found}, expected ${expected.type}`)
  }
  if (problems.length > 0) {
    throw new BadInputError(`Schema drift in source table ${sourceSchema}.${staging.table}: ${problems.join('; ')}`)
  }
}

/** SQL for the text natural key of a row: the key's value, or key values joined with '|'. */
export function naturalKeyExpression(keyColumns: string[], alias: string): string {
  const parts = keyColumns.map((column) => `${alias}.${quoteIdentifier(column)}::text`)
  return parts.length === 1 ? (parts[0] as string) : `concat_ws('|', ${parts.join(', ')})`
}

/**
 * SQL that is true for the rows whose natural key is in `keysParam` (a text[] parameter). A
 * one-column key is compared in its own type, so that the primary key's index finds the rows.
 */
export function naturalKeyIn(staging: StagingTable, alias: string, keysParam: string): string {
  const [only, ...more] = staging.keyColumns
  const type = staging.sourceColumns.find((column) => column.name === only)?.type ?? 'text'
  if (only === undefined || more.length > 0) {
    return `${naturalKeyExpression(staging.keyColumns, alias)} = any(${keysParam}::text[])`
  }
  return `${alias}.${quoteIdentifier(only)} = any(${keysParam}::text[]::${type}[])`
}
