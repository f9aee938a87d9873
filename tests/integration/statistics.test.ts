// Planner statistics after a write (lib/db.ts refreshStatistics), against a real PostgreSQL:
// when a table is analyzed, and how large a sample a model build's ANALYZE takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, refreshStatistics, type Sql } from '../../lib/db.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const { warehouseUrl } = testConfig(uniqueTestId('statistics'))
let sql: Sql

/** The histogram of a table's column spans at most (statistics target + 1) bounds. */
async function histogramBounds(table: string): Promise<number | null> {
  const [row] = await sql<{ bounds: number | null }[]>`
    select cardinality(histogram_bounds::text::text[]) as bounds
    from pg_stats where schemaname = 'public' and tablename = ${table} and attname = 'id'`
  return row?.bounds ?? null
}

/**
 * A table of its own for a test: 1,000 distinct values (enough that the statistics target, not
 * the data, bounds the histogram), analyzed with a target of 30 when `analyzed`.
 */
async function sampleTable(name: string, analyzed: boolean): Promise<void> {
  await sql.unsafe(`create table ${name} (id int)`)
  await sql.unsafe(`insert into ${name} select n from generate_series(1, 1000) as n`)
  if (analyzed) await sql.begin((tx) => tx.unsafe(`set local default_statistics_target = 30; analyze ${name}`))
}

describe('refreshing planner statistics', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 1 })
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  it('analyzes a table never analyzed, with the target asked for, for that transaction only', async () => {
    await sampleTable('never_analyzed', false)
    await sql.begin((tx) => refreshStatistics(tx, 'never_analyzed', 1000, { statisticsTarget: 30 }))
    expect(await histogramBounds('never_analyzed')).toBe(31)
    const [setting] = await sql<{ target: string }[]>`select current_setting('default_statistics_target') as target`
    expect(setting?.target).toBe('100')
  })

  it('leaves the statistics alone after a write that changed less than a tenth of the table', async () => {
    await sampleTable('small_write', true)
    await sql`insert into small_write select n from generate_series(1001, 1050) as n`
    await sql.begin((tx) => refreshStatistics(tx, 'small_write', 50))
    expect(await histogramBounds('small_write')).toBe(31)
  })

  it('analyzes again, with the default target, after a write that changed a tenth or more', async () => {
    await sampleTable('large_write', true)
    await sql`insert into large_write select n from generate_series(1001, 1150) as n`
    await sql.begin((tx) => refreshStatistics(tx, 'large_write', 150))
    expect(await histogramBounds('large_write')).toBe(101)
  })
})
