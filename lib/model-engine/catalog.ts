// What the database holds for a model before it is built, read from PostgreSQL's catalog: the
// relation (absent, a table or a view, with its columns), the columns its select returns, and
// for an incremental model whether its table is empty and its table of previous versions. The
// plan (plan.ts) is made from these plain objects alone, so that it can be tested without a
// database; only what the model's materialization needs is asked.
import type { Sql, TransactionSql } from '../db.ts'
import { quoteIdentifier as q } from '../sql-text.ts'
import { type Model, PREVIOUS_VERSIONS_SUFFIX } from './model-file.ts'
import { qualified, selectOf } from './sql.ts'

/** A column as a query describes it: its name and its type's oid. */
export interface SelectColumn {
  name: string
  type: number
}

/** A column of an existing relation. */
export interface CatalogColumn extends SelectColumn {
  /** The type as SQL writes it (format_type), for example numeric(12,2). */
  typeName: string
  /** A generated column, as tables built before the engine computed columns itself have. */
  generated: boolean
}

export interface ExistingRelation {
  exists: true
  kind: 'table' | 'view'
  /** In the table's order, dropped columns left out. */
  columns: CatalogColumn[]
  /** Whether the table holds no rows: asked only for an incremental model's table, whose first build differs. */
  empty?: boolean
}

export type RelationDescription = { exists: false } | ExistingRelation

export const ABSENT: RelationDescription = { exists: false }

/** What the planner needs to know about a model's relations, read in the build's transaction. */
export interface Introspection {
  existing: RelationDescription
  /** The columns the model's select returns; not asked for a view, which needs none. */
  selected: SelectColumn[]
  /** The model's table of previous versions; asked only for an incremental model that keeps them. */
  previousVersions: RelationDescription
}

/** The relation (a schema-qualified, quoted name) as it is now. */
export async function describeRelation(sql: Sql | TransactionSql, relation: string): Promise<RelationDescription> {
  const rows = await sql<{ name: string; type: number; typeName: string; generated: string; kind: string }[]>`
    select a.attname as name, a.atttypid::int as type, format_type(a.atttypid, a.atttypmod) as "typeName",
           a.attgenerated as generated, c.relkind as kind
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    where a.attrelid = to_regclass(${relation}) and a.attnum > 0 and not a.attisdropped
    order by a.attnum`
  if (rows.length === 0) return ABSENT
  return {
    exists: true,
    kind: rows[0]?.kind === 'v' ? 'view' : 'table',
    columns: rows.map(({ name, type, typeName, generated }) => ({ name, type, typeName, generated: generated !== '' })),
  }
}

/**
 * The columns (name and type) the model writes, without running its select or planning it:
 * PostgreSQL describes a statement it has only parsed, which costs far less than planning the
 * larger models on every build.
 */
export async function describeSelect(sql: Sql | TransactionSql, model: Model): Promise<SelectColumn[]> {
  const described = await sql.unsafe(selectOf(model)).describe()
  return described.columns.map((column) => ({ name: column.name, type: column.type }))
}

async function isEmpty(sql: Sql | TransactionSql, relation: string): Promise<boolean> {
  const [row] = await sql.unsafe<{ empty: boolean }[]>(`select not exists (select 1 from ${relation}) as empty`)
  return row?.empty ?? true
}

export const previousVersionsTable = (model: Model) =>
  `${q(model.schema)}.${q(`${model.table}${PREVIOUS_VERSIONS_SUFFIX}`)}`

export async function introspect(sql: Sql | TransactionSql, model: Model): Promise<Introspection> {
  const existing = await describeRelation(sql, qualified(model))
  if (model.materialized === 'view') return { existing, selected: [], previousVersions: ABSENT }
  const selected = await describeSelect(sql, model)
  if (model.materialized !== 'incremental') return { existing, selected, previousVersions: ABSENT }
  const previousVersions = model.keepsPreviousVersions
    ? await describeRelation(sql, previousVersionsTable(model))
    : ABSENT
  // A view the build replaces holds no rows of its own.
  if (existing.exists && existing.kind === 'table') existing.empty = await isEmpty(sql, qualified(model))
  return { existing, selected, previousVersions }
}
