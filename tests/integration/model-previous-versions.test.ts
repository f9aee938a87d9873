// An incremental model that keeps previous versions, against a real PostgreSQL: the versions
// its merge, its refresh and its removal of rejected rows replace are kept in <table>__previous
// for the run that replaced them, and a build the same run repeats keeps them.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Sql } from '../../lib/db.ts'
import { type Model, parseModel } from '../../lib/model-engine/model-file.ts'
import { buildModel } from '../../lib/model-engine/runner.ts'
import { migratedWarehouse } from '../support/harness.ts'

let sql: Sql
let model: Model

// Orders staged per run; warehouse.regions stands for a dimension whose _run_id says which run
// last changed a row, and the region follows it by a refresh.
const ORDERS = `-- materialized: incremental
-- unique_key: order_id
-- publishes: orders
-- previous_versions: kept
-- refresh: region from warehouse.regions by customer

select o.order_id, o.customer, o.amount, r.region
from staging.order_rows as o
left join warehouse.regions as r on r.customer = o.customer
where o.run_id = etl.current_run_id()`

const build = (runId: string) => buildModel(sql, model, { runId, timezone: 'Asia/Jakarta' })

async function previous(): Promise<{ order_id: number; customer: string; region: string; replaced_in: string }[]> {
  return sql`select order_id, customer, region, _replaced_in as replaced_in from warehouse.orders__previous
             order by order_id, region`
}

beforeAll(async () => {
  const warehouse = await migratedWarehouse('previous_versions')
  sql = warehouse.sql
  model = await parseModel('/m/warehouse/orders.sql', ORDERS)
  await sql`create table staging.order_rows (order_id int, customer text, amount int, run_id text)`
  await sql`create table warehouse.regions (customer text, region text, _run_id text)`
  await sql`insert into warehouse.regions values ('A', 'north', 'run-1'), ('B', 'south', 'run-1')`
  await sql`insert into staging.order_rows values (1, 'A', 5, 'run-1'), (2, 'B', 7, 'run-1'), (3, 'B', 2, 'run-1')`
  return warehouse.drop
})

describe('an incremental model that keeps previous versions', () => {
  it('keeps none on its first build, which replaces nothing', async () => {
    await build('run-1')
    expect(await previous()).toEqual([])
  })

  it('keeps the version a merge replaced, not the new or unchanged rows', async () => {
    // Order 1 moves to customer B; order 2 is staged again unchanged; order 4 is new.
    await sql`insert into staging.order_rows values (1, 'B', 5, 'run-2'), (2, 'B', 7, 'run-2'), (4, 'A', 1, 'run-2')`
    await build('run-2')
    expect(await previous()).toEqual([{ order_id: 1, customer: 'A', region: 'north', replaced_in: 'run-2' }])
    // The same run built again replaces nothing more, and keeps what the first build saved.
    await build('run-2')
    expect(await previous()).toEqual([{ order_id: 1, customer: 'A', region: 'north', replaced_in: 'run-2' }])
  })

  it("keeps the versions a refresh replaced and the rows a rejected update removed, and only this run's", async () => {
    await sql`update warehouse.regions set region = 'east', _run_id = 'run-3' where customer = 'B'`
    await sql`insert into dq.verdicts (run_id, batch_id, table_name, natural_key, verdict)
              values ('run-3', 'run-3.orders', 'orders', '4', 'reject')`
    const result = await build('run-3')
    expect(result.rowsDeleted).toBe(1)
    expect(await previous()).toEqual([
      { order_id: 1, customer: 'B', region: 'south', replaced_in: 'run-3' },
      { order_id: 2, customer: 'B', region: 'south', replaced_in: 'run-3' },
      { order_id: 3, customer: 'B', region: 'south', replaced_in: 'run-3' },
      { order_id: 4, customer: 'A', region: 'north', replaced_in: 'run-3' },
    ])
    expect(await sql`select order_id, region from warehouse.orders order by order_id`).toEqual([
      { order_id: 1, region: 'east' },
      { order_id: 2, region: 'east' },
      { order_id: 3, region: 'east' },
    ])
  })

  it('keeps nothing after a run that changed nothing', async () => {
    await build('run-4')
    expect(await previous()).toEqual([])
  })

  it("keeps the versions of a column added to the model's table since", async () => {
    await sql`alter table warehouse.orders add column channel text`
    model = await parseModel('/m/warehouse/orders.sql', ORDERS.replace('r.region\n', "r.region, 'pos' as channel\n"))
    await sql`insert into staging.order_rows values (2, 'B', 8, 'run-5')`
    await build('run-5')
    expect(
      await sql`select order_id, amount, channel, _replaced_in as replaced_in from warehouse.orders__previous`,
    ).toEqual([{ order_id: 2, amount: 7, channel: null, replaced_in: 'run-5' }])
  })
})
