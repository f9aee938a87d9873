// The load side: COPY into PostgreSQL (lib/extract/copy-rows.ts) against a real server. A row the
// server refuses must fail the copy with the server's error, wherever it comes in the stream, and
// leave the transaction rolled back and the connection usable (the patched postgres.js,
// porsager/postgres#1173: after the last row was sent, it used to wait forever).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { type Cell, copyRows } from '../../lib/extract/copy-rows.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const { warehouseUrl } = testConfig(uniqueTestId('copy_rows'))
let sql: Sql

/** `count` rows, the one at `bad` (if any) holding text where the table wants an integer. */
function* rows(count: number, bad?: number): Generator<Cell[]> {
  for (let n = 0; n < count; n++) yield [n === bad ? 'not a number' : n, `row ${n}`]
}

/** Settles within the time, or fails saying it hung: a hang must fail the test, not time it out. */
function settled<T>(work: Promise<T>, ms = 20_000): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)),
  ])
}

describe('copyRows', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    // One connection: a copy that left it stuck would stop every later query.
    sql = connect(warehouseUrl, { max: 1 })
    await sql`create table target (id integer not null, note text)`
  })
  afterAll(async () => {
    await sql?.end({ timeout: 5 })
    await dropDatabase(warehouseUrl)
  })

  it('copies every row', async () => {
    await sql.begin((tx) => copyRows(tx, 'target', rows(50_000)))
    const [copied] = await sql<{ n: number }[]>`select count(*)::int as n from target`
    expect(copied?.n).toBe(50_000)
    await sql`truncate target`
  })

  it.each([
    ['the first row', 0, 10],
    ['a row amid many', 30_000, 60_000],
    ['the last row, once every row was sent', 59_999, 60_000],
  ])('fails with the server error when it refuses %s, and writes nothing', async (_where, bad, count) => {
    const copy = sql.begin((tx) => copyRows(tx, 'target', rows(count, bad)))
    await expect(settled(copy)).rejects.toThrow('invalid input syntax for type integer: "not a number"')
    const [left] = await settled(sql<{ n: number }[]>`select count(*)::int as n from target`)
    expect(left?.n).toBe(0)
  })

  it("fails with the rows' own error when they stop, and writes nothing", async () => {
    function* broken(): Generator<Cell[]> {
      yield* rows(1_000)
      throw new Error('the file ends in the middle of a row')
    }
    await expect(settled(sql.begin((tx) => copyRows(tx, 'target', broken())))).rejects.toThrow(
      'the file ends in the middle of a row',
    )
    const [left] = await settled(sql<{ n: number }[]>`select count(*)::int as n from target`)
    expect(left?.n).toBe(0)
  })
})
