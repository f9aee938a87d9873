// A model whose materialization changes between view and table, against a real PostgreSQL:
// neither can replace the other, so the engine drops the old relation in the build's
// transaction (clean.orders and clean.order_details were tables before they were views).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
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

describe('changing a model between view and table', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 1 })
    await sql`create schema staging`
    await sql`create schema clean`
    await sql`create table staging.numbers (n int)`
    await sql`insert into staging.numbers values (1), (2)`
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

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
