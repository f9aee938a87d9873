// What the engine declares around a model's rows, against a real PostgreSQL: a model whose
// materialization changes between view and table (neither can replace the other, so the old
// relation is dropped in the build's transaction), the indexes of an incremental model's
// refresh keys, computed columns, the run's settings in parallel workers, and the one batch per
// table and run that the warehouse models' joins rely on.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Sql } from '../../lib/db.ts'
import { parseModel } from '../../lib/model-engine/model-file.ts'
import { buildModel } from '../../lib/model-engine/runner.ts'
import { migratedWarehouse } from '../support/harness.ts'

let sql: Sql

const settings = { runId: 'run-materializations', timezone: 'Asia/Jakarta' }
const SELECT = 'select n, n * 10 as tens from staging.numbers'
const build = async (materialized: string) =>
  buildModel(sql, await parseModel('/m/clean/numbers.sql', `-- materialized: ${materialized}\n${SELECT}`), settings)

async function relationKind(): Promise<string | undefined> {
  const [row] = await sql<
    { kind: string }[]
  >`select relkind as kind from pg_class where oid = to_regclass('clean.numbers')`
  return row?.kind
}

async function rows(): Promise<{ n: number; tens: number }[]> {
  return sql<{ n: number; tens: number }[]>`select n, tens from clean.numbers order by n`
}

beforeAll(async () => {
  const warehouse = await migratedWarehouse('materializations')
  sql = warehouse.sql
  await sql`create table staging.numbers (n int)`
  await sql`insert into staging.numbers values (1), (2)`
  return warehouse.drop
})

describe('changing a model between view and table', () => {
  it('replaces a table with a view, which then follows its source', async () => {
    await build('table')
    expect(await relationKind()).toBe('r')
    await build('view')
    expect(await relationKind()).toBe('v')
    await sql`insert into staging.numbers values (3)`
    expect(await rows()).toEqual([
      { n: 1, tens: 10 },
      { n: 2, tens: 20 },
      { n: 3, tens: 30 },
    ])
  })

  it('replaces a view with a table, and builds it again as a table', async () => {
    const result = await build('table')
    expect(await relationKind()).toBe('r')
    expect(result.rowsInserted).toBe(3)
    await sql`insert into staging.numbers values (4)`
    expect(await rows()).toHaveLength(3)
    await build('table')
    expect(await rows()).toHaveLength(4)
  })
})

describe('the indexes of refresh keys', () => {
  const lines = (refreshes: string[]) =>
    parseModel(
      '/m/warehouse/lines.sql',
      [
        '-- materialized: incremental',
        '-- unique_key: nk_line_id',
        ...refreshes.map((refresh) => `-- refresh: ${refresh}`),
        'select n as nk_line_id, n % 3 as nk_product_id, n as nk_customer_id from staging.numbers',
      ].join('\n'),
    )
  const indexes = async () =>
    (
      await sql<{ name: string }[]>`
        select indexname as name from pg_indexes where schemaname = 'warehouse' and tablename = 'lines' order by 1`
    ).map((row) => row.name)

  beforeAll(async () => {
    await sql`create table warehouse.products as select 1 as nk_product_id, null::text as _run_id`
    await sql`create table warehouse.customers as select 1 as nk_customer_id, null::text as _run_id`
  })

  // The statements are in the goldens (incremental-refresh*.sql); this checks that PostgreSQL ends
  // with those indexes, from a first build and after two keys swapped indexed and unindexed.
  it('indexes a refresh key and not one declared unindexed, and follows a key that changes', async () => {
    await buildModel(
      sql,
      await lines([
        'nk_product_id from warehouse.products by nk_product_id unindexed',
        'nk_customer_id from warehouse.customers by nk_customer_id',
      ]),
      settings,
    )
    expect(await indexes()).toEqual(['lines__nk_customer_id', 'lines__run_id', 'lines__unique_key'])
    await buildModel(
      sql,
      await lines([
        'nk_product_id from warehouse.products by nk_product_id',
        'nk_customer_id from warehouse.customers by nk_customer_id unindexed',
      ]),
      settings,
    )
    expect(await indexes()).toEqual(['lines__nk_product_id', 'lines__run_id', 'lines__unique_key'])
  })
})

describe('computed columns', () => {
  // Lines of this run's input, costed by a product table that other models refresh.
  const costed = (table: string) =>
    parseModel(
      `/m/warehouse/${table}.sql`,
      [
        '-- materialized: incremental',
        '-- unique_key: nk_line_id',
        '-- refresh: cost from warehouse.costs by nk_product_id',
        '-- computed: cost_amount numeric(12, 2) = quantity * cost',
        `select i.nk_line_id, 1 as nk_product_id, i.quantity, c.cost
         from staging.lines_in as i left join warehouse.costs as c on c.nk_product_id = 1
         where i.run_id = etl.current_run_id()`,
      ].join('\n'),
    )
  const amounts = async (table: string) =>
    sql<{ line: number; amount: string }[]>`
      select nk_line_id as line, cost_amount::text as amount from ${sql('warehouse')}.${sql(table)} order by 1`
  const generated = async (table: string) => {
    const [row] = await sql<{ generated: string }[]>`
      select attgenerated as generated from pg_attribute
      where attrelid = to_regclass(${`warehouse.${table}`}) and attname = 'cost_amount'`
    return row?.generated
  }
  const newCost = async (cost: string, runId: string) =>
    sql`update warehouse.costs set cost = ${cost}, _run_id = ${runId} where nk_product_id = 1`

  beforeAll(async () => {
    await sql`create table staging.lines_in as select * from (values (1, 2, 'run-a'), (2, 5, 'run-a')) as v (nk_line_id, quantity, run_id)`
    await sql`create table warehouse.costs as select 1 as nk_product_id, 2.00::numeric as cost, 'run-a'::text as _run_id`
  })

  it('are written with the rows, and evaluated again when a refresh changes their inputs', async () => {
    await buildModel(sql, await costed('costed'), { ...settings, runId: 'run-a' })
    expect(await amounts('costed')).toEqual([
      { line: 1, amount: '4.00' },
      { line: 2, amount: '10.00' },
    ])
    expect(await generated('costed')).toBe('')
    // No input rows in run-b: only the refresh of the cost can change the amounts.
    await newCost('3.00', 'run-b')
    const result = await buildModel(sql, await costed('costed'), { ...settings, runId: 'run-b' })
    expect(result.rowsUpdated).toBe(2)
    expect(await amounts('costed')).toEqual([
      { line: 1, amount: '6.00' },
      { line: 2, amount: '15.00' },
    ])
  })

  it('of a table built when they were generated columns keep their values and become plain', async () => {
    await sql`create table warehouse.legacy (nk_line_id int not null, nk_product_id int, quantity int, cost numeric,
                _run_id text, cost_amount numeric(12, 2) generated always as (quantity * cost) stored)`
    await sql`create unique index legacy__unique_key on warehouse.legacy (nk_line_id)`
    await sql`insert into warehouse.legacy (nk_line_id, nk_product_id, quantity, cost, _run_id) values (1, 1, 2, 3.00, 'run-b')`
    await newCost('4.00', 'run-c')
    await buildModel(sql, await costed('legacy'), { ...settings, runId: 'run-c' })
    expect(await generated('legacy')).toBe('')
    expect(await amounts('legacy')).toEqual([{ line: 1, amount: '8.00' }])
  })
})

describe('parallel builds', () => {
  it("give the run's settings to PostgreSQL's parallel workers, which evaluate the model helpers", async () => {
    await sql`create table staging.many as select n from generate_series(1, 100000) as n`
    await sql`analyze staging.many`
    await sql.begin(async (tx) => {
      await tx`select set_config('paccafe.run_id', 'run-parallel', true), set_config('parallel_setup_cost', '0', true),
                      set_config('parallel_tuple_cost', '0', true), set_config('min_parallel_table_scan_size', '0', true)`
      const query =
        "select count(*) filter (where etl.current_run_id() = 'run-parallel')::int as seen from staging.many"
      const plan = (await tx.unsafe<{ 'QUERY PLAN': string }[]>(`explain ${query}`)).map((row) => row['QUERY PLAN'])
      expect(plan.join('\n')).toMatch(/Gather/)
      expect(await tx.unsafe(query)).toEqual([{ seen: 100000 }])
    })
  })
})

describe('the batches of a run', () => {
  it("hold one batch per table: the models join a run's clean rows and verdicts on the natural key alone", async () => {
    await sql`insert into etl.runs (run_id, workflow_id, mode) values ('run-batches', 'test', 'full')`
    const batch = (batchId: string) => sql`
      insert into etl.batches (batch_id, run_id, table_name, source, mode)
      values (${batchId}, 'run-batches', 'orders', 'pos', 'full')`
    await batch('run-batches.orders')
    await expect(batch('run-batches.orders-again')).rejects.toMatchObject({
      constraint_name: 'batches_run_id_table_name_key',
    })
  })
})
