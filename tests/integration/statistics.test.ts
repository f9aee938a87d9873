// Planner statistics after a write (lib/db.ts refreshStatistics), against a real PostgreSQL:
// when a table is analyzed, and how large a sample a model build's ANALYZE takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, refreshStatistics, type Sql } from '../../lib/db.ts'
import { testConfig } from '../support/harness.ts'

const { warehouseUrl } = testConfig('statistics')
let sql: Sql

/** The histogram of a column spans at most (statistics target + 1) bounds. */
async function histogramBounds(column: string): Promise<number | null> {
  const [row] = await sql<{ bounds: number | null }[]>`
    select cardinality(histogram_bounds::text::text[]) as bounds
    from pg_stats where schemaname = 'public' and tablename = 'sample' and attname = ${column}`
  return row?.bounds ?? null
}

describe('refreshing planner statistics', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 1 })
    // 1,000 distinct values: enough that the statistics target, not the data, bounds the histogram.
    await sql`create table sample (id int)`
    await sql`insert into sample select n from generate_series(1, 1000) as n`
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  it('analyzes a table never analyzed, with the target asked for, for that transaction only', async () => {
    await sql.begin((tx) => refreshStatistics(tx, 'sample', 1000, { statisticsTarget: 30 }))
    expect(await histogramBounds('id')).toBe(31)
    const [setting] = await sql<{ target: string }[]>`select current_setting('default_statistics_target') as target`
    expect(setting?.target).toBe('100')
  })

  it('leaves the statistics alone after a write that changed less than a tenth of the table', async () => {
    await sql`insert into sample select n from generate_series(1001, 1050) as n`
    await sql.begin((tx) => refreshStatistics(tx, 'sample', 50))
    expect(await histogramBounds('id')).toBe(31)
  })

  it('analyzes again, with the default target, after a write that changed a tenth or more', async () => {
    await sql`insert into sample select n from generate_series(1051, 1200) as n`
    await sql.begin((tx) => refreshStatistics(tx, 'sample', 150))
    expect(await histogramBounds('id')).toBe(101)
  })
})
