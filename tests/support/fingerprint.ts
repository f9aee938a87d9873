// What a warehouse holds, table by table, as row counts and content checksums, so that two
// warehouses built from the same sources can be compared. The engine's bookkeeping columns
// (which run wrote a row) and the tables of one run's previous versions are left out: they
// say how a table was built, not what it holds.
import type { Sql } from '../../lib/db.ts'

export type Fingerprint = Record<string, { rows: number; checksum: string }>

const BOOKKEEPING_COLUMNS = ['_run_id', '_replaced_in']

export async function warehouseFingerprint(sql: Sql, schemas = ['warehouse', 'marts']): Promise<Fingerprint> {
  const tables = await sql<{ table_name: string; columns: string[] }[]>`
    select c.table_schema || '.' || c.table_name as table_name,
           array_agg(quote_ident(c.column_name::text) order by c.ordinal_position) as columns
    from information_schema.columns as c
    join information_schema.tables as t using (table_schema, table_name)
    where c.table_schema in ${sql(schemas)} and t.table_type = 'BASE TABLE'
      and c.table_name not like '%\\_\\_previous' and not (c.column_name = any(${BOOKKEEPING_COLUMNS}))
    group by 1 order by 1`
  const fingerprint: Fingerprint = {}
  for (const { table_name, columns } of tables) {
    const row = `row(${columns.join(', ')})::text`
    const [summary] = await sql.unsafe<{ rows: number; checksum: string }[]>(
      `select count(*)::int as rows, coalesce(md5(string_agg(md5(${row}), '' order by md5(${row}))), '') as checksum
       from ${table_name}`,
    )
    fingerprint[table_name] = summary ?? { rows: 0, checksum: '' }
  }
  return fingerprint
}
