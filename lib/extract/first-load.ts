// A first load: the load table, already shaped, stamped and logged like the mirror, takes the place
// of the empty mirror (prepareLoadAsMirror, then swapLoadIntoMirror), instead of every row inserted again.
import { type Sql, type TransactionSql, withDedicatedConnection } from '../db.ts'
import { inTurns } from '../in-turns.ts'
import { quoteIdentifier as q } from '../sql-text.ts'

interface MirrorIndex {
  name: string
  /** pg_get_indexdef: CREATE [UNIQUE] INDEX name ON staging.table USING ... */
  definition: string
  /** The primary key or unique constraint the index backs, if any. */
  constraint: { name: string; kind: 'primary key' | 'unique' } | null
}

/** An empty mirror that no view reads can simply be replaced by the load table. */
export async function mirrorIsReplaceable(sql: Sql | TransactionSql, table: string): Promise<boolean> {
  const [row] = await sql.unsafe<{ replaceable: boolean }[]>(
    `select not exists (select 1 from staging.${q(table)})
        and not exists (
          select 1 from pg_depend d join pg_rewrite r on r.oid = d.objid
          where d.refobjid = 'staging.${q(table)}'::regclass and r.ev_class <> d.refobjid
        ) as replaceable`,
  )
  return row?.replaceable ?? false
}

async function mirrorIndexes(sql: Sql | TransactionSql, table: string): Promise<MirrorIndex[]> {
  const rows = await sql<{ name: string; definition: string; constraint_name: string | null; kind: string | null }[]>`
    select i.relname as name, pg_get_indexdef(x.indexrelid) as definition,
           c.conname as constraint_name, c.contype::text as kind
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    left join pg_constraint c on c.conindid = x.indexrelid and c.contype in ('p', 'u')
    where x.indrelid = ${`staging.${q(table)}`}::regclass
    order by i.relname`
  return rows.map((row) => ({
    name: row.name,
    definition: row.definition,
    constraint: row.constraint_name
      ? { name: row.constraint_name, kind: row.kind === 'p' ? 'primary key' : 'unique' }
      : null,
  }))
}

/** The name the n-th mirror index has on the load table until the swap. */
const preparedName = (loadTable: string, n: number) => `${loadTable}_i${n}`

/**
 * An index definition (pg_get_indexdef: CREATE [UNIQUE] INDEX name ON schema.table USING ...)
 * on another table (schema-qualified), under another name or, without one, a generated name.
 */
export function indexDefinitionOn(definition: string, table: string, name?: string): string {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ (USING .*)$/.exec(definition)
  if (!match) throw new Error(`Unexpected index definition: ${definition}`)
  return `create ${match[1] ?? ''}index ${name ? `if not exists ${q(name)} ` : ''}on ${table} ${match[2]}`
}

/** The mirror index's definition, on another table of staging under another name. */
const indexOn = (index: MirrorIndex, table: string, name: string) =>
  indexDefinitionOn(index.definition, `staging.${q(table)}`, name)

/**
 * Step 1: when the load table will replace the mirror, builds the mirror's key and indexes on it
 * and analyzes it, two at a time on connections of their own: at the end of an extraction the
 * largest table is the one still running and a core is free, whereas the swap's transaction would
 * build them one after the other. May run again after a crash: what is already built is kept.
 */
export async function prepareLoadAsMirror(
  warehouseUrl: string,
  warehouse: Sql,
  table: string,
  loadTable: string,
): Promise<void> {
  if (!(await mirrorIsReplaceable(warehouse, table))) return
  const indexes = await mirrorIndexes(warehouse, table)
  const statements = [
    ...indexes.map((index, n) => indexOn(index, loadTable, preparedName(loadTable, n))),
    `analyze staging.${q(loadTable)}`,
  ]
  const name = 'paccafe-load-indexes'
  await withDedicatedConnection(warehouseUrl, { name }, (first) =>
    withDedicatedConnection(warehouseUrl, { name }, (second) =>
      inTurns(statements, 2, (statement, worker) => (worker === 0 ? first : second).unsafe(statement)),
    ),
  )
}

/**
 * Step 2, in the merge's transaction: the mirror is dropped and the load table renamed, with the
 * mirror's indexes and constraints (the prepared ones renamed; any missing built here).
 */
export async function swapLoadIntoMirror(tx: TransactionSql, table: string, loadTable: string): Promise<void> {
  const indexes = await mirrorIndexes(tx, table)
  const prepared = new Set(
    (
      await tx<{ name: string }[]>`
        select indexname as name from pg_indexes where schemaname = 'staging' and tablename = ${loadTable}`
    ).map((row) => row.name),
  )
  await tx.unsafe(`drop table staging.${q(table)}`)
  await tx.unsafe(`alter table staging.${q(loadTable)} rename to ${q(table)}`)
  // The load table's batch defaults are not the mirror's.
  await tx.unsafe(
    `alter table staging.${q(table)} alter column _batch_id drop default,
       alter column _extracted_at drop default, alter column _source drop default`,
  )
  for (const [n, index] of indexes.entries()) {
    const name = preparedName(loadTable, n)
    if (!prepared.has(name)) await tx.unsafe(indexOn(index, table, name))
    if (index.constraint) {
      // The constraint takes over the index, and renames it to the constraint's name.
      await tx.unsafe(
        `alter table staging.${q(table)} add constraint ${q(index.constraint.name)} ${index.constraint.kind} using index ${q(name)}`,
      )
    } else {
      await tx.unsafe(`alter index staging.${q(name)} rename to ${q(index.name)}`)
    }
  }
  // Analyzed as the load table in step 1; a load table that skipped it has no statistics yet.
  const [stats] = await tx<{ analyzed: boolean }[]>`
    select exists (select 1 from pg_statistic where starelid = ${`staging.${q(table)}`}::regclass) as analyzed`
  if (!stats?.analyzed) await tx.unsafe(`analyze staging.${q(table)}`)
}
