// A partitioned incremental model against a real PostgreSQL: its first build reads every
// partition, later builds replace only the partitions their select returns, a row that moves
// is taken out of the partition that counted it, and building again changes nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Sql } from '../../lib/db.ts'
import { type Model, parseModel } from '../../lib/model-engine/model-file.ts'
import { buildModel, compileModel } from '../../lib/model-engine/runner.ts'
import { migratedWarehouse } from '../support/harness.ts'

let sql: Sql
let model: Model

// Sales per block of ten sale ids and day, as warehouse.int_daily_units_sold sums order lines:
// staging.sales stands for a fact table whose _run_id says which run last wrote a row, and
// staging.removed_sales for the rows a run removed from it.
const DAILY_TOTALS = `-- materialized: incremental
-- partition_by: block

with touched_blocks as (
    select distinct id / 10 as block from staging.sales where _run_id = etl.current_run_id()
    union
    select id / 10 from staging.removed_sales where run_id = etl.current_run_id()
),

sales_to_sum as (
    select id / 10 as block, day, amount from staging.sales where etl.is_first_build()
    union all
    select b.block, s.day, s.amount
    from touched_blocks as b
    join staging.sales as s on s.id / 10 = b.block
    where not etl.is_first_build()
)

select block, day, sum(amount)::integer as amount from sales_to_sum group by block, day
union all
select block, null, null from touched_blocks`

const build = (runId: string) => buildModel(sql, model, { runId, timezone: 'Asia/Jakarta' })

async function totals(): Promise<{ block: number; day: string | null; amount: number | null; run: string }[]> {
  return sql`select block, day::text as day, amount, _run_id as run from warehouse.daily_totals
             order by block, day nulls first`
}

beforeAll(async () => {
  const warehouse = await migratedWarehouse('partitions')
  sql = warehouse.sql
  model = await parseModel('/m/warehouse/daily_totals.sql', DAILY_TOTALS)
  await sql`create table staging.sales (id int, day date, amount int, _run_id text)`
  await sql`create table staging.removed_sales (id int, run_id text)`
  // Written by two earlier runs, before the model existed.
  await sql`insert into staging.sales values
    (1, '2024-03-01', 5, 'run-0'), (2, '2024-03-01', 7, 'run-0'), (3, '2024-03-02', 1, 'run-0'),
    (11, '2024-03-02', 4, 'run-1'), (25, '2024-03-03', 9, 'run-1')`
  return warehouse.drop
})

describe('a partitioned incremental model', () => {
  it("reads every partition on its first build, though no row is this run's", async () => {
    const result = await build('run-2')
    expect(result).toMatchObject({ rowsSelected: 4, rowsInserted: 4, rowsDeleted: 0 })
    expect(await totals()).toEqual([
      { block: 0, day: '2024-03-01', amount: 12, run: 'run-2' },
      { block: 0, day: '2024-03-02', amount: 1, run: 'run-2' },
      { block: 1, day: '2024-03-02', amount: 4, run: 'run-2' },
      { block: 2, day: '2024-03-03', amount: 9, run: 'run-2' },
    ])
  })

  it('replaces only the partitions this run touched; a moved row leaves the day that counted it', async () => {
    // Sale 2 moves to another day; block 1 loses its only sale; block 2 is not touched.
    await sql`update staging.sales set day = '2024-03-02', _run_id = 'run-3' where id = 2`
    await sql`delete from staging.sales where id = 11`
    await sql`insert into staging.removed_sales values (11, 'run-3')`
    const result = await build('run-3')
    expect(result).toMatchObject({ rowsSelected: 4, rowsInserted: 4, rowsDeleted: 3 })
    expect(await totals()).toEqual([
      { block: 0, day: null, amount: null, run: 'run-3' },
      { block: 0, day: '2024-03-01', amount: 5, run: 'run-3' },
      { block: 0, day: '2024-03-02', amount: 8, run: 'run-3' },
      { block: 1, day: null, amount: null, run: 'run-3' },
      { block: 2, day: '2024-03-03', amount: 9, run: 'run-2' },
    ])
  })

  it('ends as it was when the same run builds it again, and a run that wrote nothing changes nothing', async () => {
    const before = await totals()
    await build('run-3')
    expect(await totals()).toEqual(before)
    const result = await build('run-4')
    expect(result).toMatchObject({ rowsSelected: 0, rowsInserted: 0, rowsDeleted: 0 })
    expect(await totals()).toEqual(before)
  })

  it('compiles to one statement that deletes and inserts the partitions, on an index of the partition column', async () => {
    const statements = await sql.begin((tx) => compileModel(tx, model))
    const replace = statements.find((statement) => statement.counts === 'replace')
    expect(replace?.sql).toMatch(
      /delete from "warehouse"\."daily_totals"[\s\S]*insert into "warehouse"\."daily_totals"/,
    )
    const [index] = await sql`select indexdef from pg_indexes where indexname = 'daily_totals__partition'`
    expect(index?.indexdef).toContain('(block)')
  })
})
