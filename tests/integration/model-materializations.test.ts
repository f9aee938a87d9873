// A model whose materialization changes between a table and a view: the new relation takes the
// old one's place on the next build (real PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { migrate } from '../../lib/migrations.ts'
import { runModel } from '../../lib/model-runner.ts'
import { parseModel } from '../../lib/models.ts'
import { testConfig } from '../support/harness.ts'

const { warehouseUrl } = testConfig('materializations')
let sql: Sql

const settings = { runId: 'run-test', timezone: 'Asia/Jakarta' }
const build = async (materialized: string) =>
  runModel(
    sql,
    await parseModel(
      'models/marts/numbers.sql',
      `-- materialized: ${materialized}\nselect n, n * 2 as doubled from generate_series(1, 3) as n`,
    ),
    settings,
  )
const kind = async () => {
  const [row] = await sql<
    { kind: string }[]
  >`select relkind::text as kind from pg_class where oid = 'marts.numbers'::regclass`
  return row?.kind
}

describe('changing a model between table and view', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 2 })
    await migrate(sql)
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  it('replaces a table by a view, and a view by a table, with the same rows', async () => {
    await build('table')
    expect(await kind()).toBe('r')
    await build('view')
    expect(await kind()).toBe('v')
    expect(await sql`select n, doubled from marts.numbers order by n`).toEqual([
      { n: 1, doubled: 2 },
      { n: 2, doubled: 4 },
      { n: 3, doubled: 6 },
    ])
    await build('table')
    expect(await kind()).toBe('r')
    const [count] = await sql`select count(*)::int as n from marts.numbers`
    expect(count?.n).toBe(3)
  })
})
