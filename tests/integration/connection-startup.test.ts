// A connection that fails while it starts up must fail its queries, not the process: postgres.js
// fetches the array types on every new connection, and a fetch that fails (the session
// terminated by an administrator or a failover, its statement cancelled) escaped as an unhandled
// rejection, which ends a worker and every activity on it (porsager/postgres#1192, #1223; patched
// in patches/postgres+3.4.9.patch). A 1 ms statement timeout fails every type fetch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withDatabaseName } from '../../lib/config.ts'
import { connect } from '../../lib/db.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

// Any database will do: no table is read.
const maintenanceUrl = withDatabaseName(testConfig(uniqueTestId('connection_startup')).warehouseUrl, 'postgres')

describe('a connection whose type fetch fails', () => {
  const escaped: unknown[] = []
  const count = (reason: unknown) => escaped.push(reason)
  beforeEach(() => {
    escaped.length = 0
    process.on('unhandledRejection', count)
  })
  afterEach(() => {
    process.off('unhandledRejection', count)
  })

  it('fails its query with the error, and nothing escapes as an unhandled rejection', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const sql = connect(maintenanceUrl, { max: 1, settings: { statement_timeout: '1' } })
      try {
        await expect(sql`select 1 as one`).rejects.toThrow('canceling statement due to statement timeout')
      } finally {
        await sql.end({ timeout: 1 })
      }
    }
    // Unhandled rejections are reported after the microtasks of the failing connection.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(escaped).toEqual([])
  })

  it('leaves the next connection, with its usual settings, working', async () => {
    const sql = connect(maintenanceUrl, { max: 1 })
    try {
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }])
    } finally {
      await sql.end({ timeout: 1 })
    }
  })
})
