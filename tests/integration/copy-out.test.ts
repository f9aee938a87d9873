// The source side of extraction: COPY out through node-postgres on a read-only connection,
// against a real PostgreSQL.
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { withCopyOutConnection } from '../../lib/extract/copy-out.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

// Any database will do as the source; the warehouse URL's user may create one.
const { warehouseUrl: sourceUrl } = testConfig(uniqueTestId('copy_out'))
let sql: Sql

/** Collects a COPY stream's text. */
async function text(data: NodeJS.ReadableStream): Promise<string> {
  let collected = ''
  await pipeline(
    data,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        collected += chunk.toString('utf8')
        done()
      },
    }),
  )
  return collected
}

describe('COPY out of a source', () => {
  beforeAll(async () => {
    await dropDatabase(sourceUrl)
    await ensureDatabase(sourceUrl)
    sql = connect(sourceUrl, { max: 1 })
    await sql`create table sample (id int primary key, note text)`
    await sql`insert into sample select n, case when n % 2 = 0 then E'tab\\there' end from generate_series(1, 5000) as n`
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(sourceUrl)
  })

  it('streams every row as COPY text, and serves several COPYs on one connection', async () => {
    const [first, second] = await withCopyOutConnection(sourceUrl, { name: 'test', readOnly: true }, async (source) => [
      await source.copyOut('select id, note from sample where id <= 2 order by id', text),
      await source.copyOut('select id from sample order by id', text),
    ])
    expect(first).toBe('1\t\\N\n2\ttab\\there\n')
    expect(second?.split('\n').length).toBe(5001)
  })

  it('cannot write to the source', async () => {
    const attempt = withCopyOutConnection(sourceUrl, { name: 'test', readOnly: true }, (source) =>
      source.copyOut('with gone as (delete from sample returning id) select id from gone', text),
    )
    await expect(attempt).rejects.toThrow(/read-only transaction/)
    const [count] = await sql`select count(*)::int as n from sample`
    expect(count?.n).toBe(5000)
  })

  it('reports a failed query and closes its connection', async () => {
    const attempt = withCopyOutConnection(sourceUrl, { name: 'paccafe-test-failing', readOnly: true }, (source) =>
      source.copyOut('select no_such_column from sample', text),
    )
    await expect(attempt).rejects.toThrow(/no_such_column/)
    const open = await sql`select 1 from pg_stat_activity where application_name = 'paccafe-test-failing'`
    expect(open).toHaveLength(0)
  })

  it('closes its connection when the consumer gives up in the middle of a COPY', async () => {
    const attempt = withCopyOutConnection(sourceUrl, { name: 'paccafe-test-abandoned', readOnly: true }, (source) =>
      source.copyOut('select a.id from sample as a cross join sample as b', async (data) => {
        for await (const _chunk of data) throw new Error('consumer failed')
      }),
    )
    await expect(attempt).rejects.toThrow('consumer failed')
    // The server notices the dropped socket; give it a moment.
    for (let i = 0; i < 50; i++) {
      const open = await sql`select 1 from pg_stat_activity where application_name = 'paccafe-test-abandoned'`
      if (open.length === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error('the abandoned COPY connection is still open')
  })
})
