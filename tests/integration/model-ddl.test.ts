// What the engine declares around a model's rows, against a real PostgreSQL: a model whose
// materialization changes between view and table (neither can replace the other, so the old
// relation is dropped in the build's transaction), the indexes of an incremental model's
// refresh keys, and the one batch per table and run that the warehouse models' joins rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { migrate } from '../../lib/migrations.ts'
import { runModel } from '../../lib/model-runner.ts'
import { parseModel } from '../../lib/models.ts'
import { testConfig } from '../support/harness.ts'

const { warehouseUrl } = testConfig('materializations')
let sql: Sql

const settings = { runId: 'run-materializations', timezone: 'Asia/Jakarta' }
const SELECT = 'select n, n * 10 as tens from staging.numbers'
const build = async (materialized: string) =>
  runModel(sql, await parseModel('/m/clean/numbers.sql', `-- materialized: ${materialized}\n${SELECT}`), settings)

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
  await dropDatabase(warehouseUrl)
  await ensureDatabase(warehouseUrl)
  sql = connect(warehouseUrl, { max: 1 })
  await migrate(sql)
  await sql`create table staging.numbers (n int)`
  await sql`insert into staging.numbers values (1), (2)`
})
afterAll(async () => {
  await sql?.end()
  await dropDatabase(warehouseUrl)
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

  it('indexes a refresh key, and not one declared unindexed', async () => {
    const model = await lines([
      'nk_product_id from warehouse.products by nk_product_id unindexed',
      'nk_customer_id from warehouse.customers by nk_customer_id',
    ])
    await runModel(sql, model, settings)
    expect(await indexes()).toEqual(['lines__nk_customer_id', 'lines__run_id', 'lines__unique_key'])
  })

  it('drops the index of a key that became unindexed, and builds one for a key that became indexed', async () => {
    const model = await lines([
      'nk_product_id from warehouse.products by nk_product_id',
      'nk_customer_id from warehouse.customers by nk_customer_id unindexed',
    ])
    await runModel(sql, model, settings)
    expect(await indexes()).toEqual(['lines__nk_product_id', 'lines__run_id', 'lines__unique_key'])
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
