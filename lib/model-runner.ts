// Builds one model's table inside one transaction, according to its materialization.
// - table: rebuilt from scratch; readers see the old or the new table, never half of one.
// - incremental: created empty the first time, then merged on its unique key; rows whose
//   columns did not change are left alone, so a second run on the same input changes nothing.
// - view: replaced.
import type { Sql, TransactionSql } from './db.ts'
import type { Model } from './models.ts'
import { quoteIdentifier as quote } from './sql-text.ts'

export interface ModelResult {
  model: string
  rowsSelected: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
}

const qualified = (model: Model) => `${quote(model.schema)}.${quote(model.table)}`

/** The model's select, without its trailing semicolon, ready to be wrapped. */
function selectOf(model: Model): string {
  return model.sql.trim().replace(/;\s*$/, '')
}

export async function runModel(sql: Sql, model: Model, runId: string): Promise<ModelResult> {
  return sql.begin(async (tx) => {
    // Models read "the batches of this run" through etl.run_batches(), which reads this setting.
    await tx`select set_config('paccafe.run_id', ${runId}, true)`
    // One builder of a given model at a time, even across workers.
    await tx`select pg_advisory_xact_lock(hashtext(${model.name}))`
    switch (model.materialized) {
      case 'view':
        await tx.unsafe(`create or replace view ${qualified(model)} as ${selectOf(model)}`)
        return { model: model.name, rowsSelected: 0, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 0 }
      case 'table':
        return rebuildTable(tx, model)
      case 'incremental':
        return mergeIncremental(tx, model)
    }
  })
}

async function rebuildTable(tx: TransactionSql, model: Model): Promise<ModelResult> {
  await tx.unsafe(`drop table if exists ${qualified(model)}`)
  const result = await tx.unsafe(`create table ${qualified(model)} as ${selectOf(model)}`)
  const rows = result.count
  return { model: model.name, rowsSelected: rows, rowsInserted: rows, rowsUpdated: 0, rowsUnchanged: 0 }
}

async function tableColumns(tx: TransactionSql, model: Model): Promise<string[]> {
  const rows = await tx<{ name: string }[]>`
    select a.attname as name
    from pg_attribute a
    where a.attrelid = ${`${qualified(model)}`}::regclass and a.attnum > 0 and not a.attisdropped
    order by a.attnum`
  return rows.map((row) => row.name)
}

async function mergeIncremental(tx: TransactionSql, model: Model): Promise<ModelResult> {
  const key = model.uniqueKey as string
  await tx.unsafe(`create table if not exists ${qualified(model)} as ${selectOf(model)} with no data`)
  await tx.unsafe(
    `create unique index if not exists ${quote(`${model.table}__unique_key`)} on ${qualified(model)} (${quote(key)})`,
  )
  const columns = await tableColumns(tx, model)
  const others = columns.filter((column) => column !== key)
  const list = columns.map(quote).join(', ')
  const target = quote(model.table)
  const [counts] = await tx.unsafe<{ selected: number; inserted: number; updated: number }[]>(`
    with model_rows as (
      ${selectOf(model)}
    ),
    merged as (
      insert into ${qualified(model)} as ${target} (${list})
      select ${list} from model_rows
      on conflict (${quote(key)}) do update
        set ${others.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}
        where (${others.map((column) => `${target}.${quote(column)}`).join(', ')})
          is distinct from (${others.map((column) => `excluded.${quote(column)}`).join(', ')})
      returning (xmax = 0) as inserted
    )
    select
      (select count(*) from model_rows)::int as selected,
      count(*) filter (where inserted)::int as inserted,
      count(*) filter (where not inserted)::int as updated
    from merged`)
  const selected = counts?.selected ?? 0
  const inserted = counts?.inserted ?? 0
  const updated = counts?.updated ?? 0
  return {
    model: model.name,
    rowsSelected: selected,
    rowsInserted: inserted,
    rowsUpdated: updated,
    rowsUnchanged: selected - inserted - updated,
  }
}
