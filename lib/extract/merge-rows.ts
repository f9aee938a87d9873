// Merging a load table into its staging mirror: the statement later loads and re-reads share.
import type { TransactionSql } from '../db.ts'
import { quoteIdentifier as q } from '../sql-text.ts'
import type { StagingTable } from './staging-catalog.ts'

/** Later loads: only rows that are new or whose hash changed are written. */
export async function upsertChangedRows(tx: TransactionSql, staging: StagingTable, mirror: string, load: string) {
  const columns = staging.sourceColumns.map((column) => q(column.name))
  const keys = staging.keyColumns.map(q)
  const nonKeys = columns.filter((column) => !keys.includes(column))
  const all = [...columns, '_batch_id', '_extracted_at', '_source', '_row_hash']
  const [merged] = await tx.unsafe<{ inserted: number; updated: number }[]>(
    `with upserted as (
       insert into ${mirror} as m (${all.join(', ')}, _deleted_at)
       select ${all.map((column) => `l.${column}`).join(', ')}, null from ${load} as l
       where not exists (
         select 1 from ${mirror} as same
         where ${keys.map((key) => `same.${key} = l.${key}`).join(' and ')}
           and same._row_hash = l._row_hash and same._deleted_at is null
       )
       on conflict (${keys.join(', ')}) do update set
         ${[...nonKeys, '_batch_id', '_extracted_at', '_row_hash'].map((column) => `${column} = excluded.${column}`).join(', ')},
         _deleted_at = null
       returning (xmax = 0) as inserted
     )
     select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated
     from upserted`,
  )
  return { inserted: merged?.inserted ?? 0, updated: merged?.updated ?? 0 }
}
