// A first load swaps the load table in as the mirror: with its indexes prepared beforehand (and
// prepared twice, as after a crash), or without, the mirror ends with the same key, indexes and
// constraint names as the migrations made, and with planner statistics (real PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { prepareLoadAsMirror, swapLoadIntoMirror } from '../../lib/extract/first-load.ts'
import { migrate } from '../../lib/migrations.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const { warehouseUrl } = testConfig(uniqueTestId('first_load'))
let sql: Sql

const shape = () => sql<{ definition: string; constraint: string | null }[]>`
  select pg_get_indexdef(x.indexrelid) as definition, c.conname as constraint
  from pg_index x left join pg_constraint c on c.conindid = x.indexrelid
  where x.indrelid = 'staging.order_details'::regclass order by 1`

async function fillLoadTable(loadTable: string): Promise<void> {
  await sql.unsafe(
    `create table staging.${loadTable} (like staging.order_details including defaults including constraints)`,
  )
  await sql.unsafe(
    `insert into staging.${loadTable} (order_detail_id, order_id, product_id, quantity, unit_price, subtotal,
                                       created_at, _batch_id, _extracted_at, _source, _row_hash)
     select n, n / 3, n % 50, 1, 3.00, 3.00, '2024-01-01', 'run-1.order_details', now(), 'pos', md5(n::text)
     from generate_series(1, 2000) as n`,
  )
}

describe('a first load swapped in as the mirror', () => {
  let migrated: { definition: string; constraint: string | null }[]

  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 2 })
    await migrate(sql)
    migrated = await shape()
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  for (const prepared of [2, 0]) {
    it(`keeps the mirror's key and indexes, prepared ${prepared} times`, async () => {
      await sql`truncate staging.order_details`
      const loadTable = `_load_order_details_test${prepared}`
      await fillLoadTable(loadTable)
      for (let i = 0; i < prepared; i++) await prepareLoadAsMirror(warehouseUrl, sql, 'order_details', loadTable)
      await sql.begin((tx) => swapLoadIntoMirror(tx, 'order_details', loadTable))

      expect(await shape()).toEqual(migrated)
      const [count] = await sql`select count(*)::int as n from staging.order_details`
      expect(count?.n).toBe(2000)
      const [stats] = await sql`
        select count(*)::int as n from pg_stats where schemaname = 'staging' and tablename = 'order_details'`
      expect(stats?.n).toBeGreaterThan(0)
      // The key holds: a duplicate is refused.
      await expect(
        sql`insert into staging.order_details (order_detail_id, _batch_id, _extracted_at, _source, _row_hash)
            values (1, 'b', now(), 'pos', 'h')`,
      ).rejects.toThrow(/order_details_pkey/)
    })
  }
})
