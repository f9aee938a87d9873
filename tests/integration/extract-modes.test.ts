// Given a POS that keeps trading (simulate), an incremental run stages exactly the new rows,
// and the next full run catches exactly the rows changed in place and the rows deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../lib/contract.ts'
import { type SimulationResult, simulateDays } from '../../seed/simulate.ts'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let day: SimulationResult

const byTable = (extracted: ExtractResult[]) => Object.fromEntries(extracted.map((e) => [e.tableName, e]))

describe('incremental and full extraction after a day of trading', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 1 }, { extractChunkRows: 500 })
    await h.run('full')
    day = await simulateDays(h.source, 2)
  })
  afterAll(async () => {
    await h?.close()
  })

  it('an incremental run stages exactly the new rows, and not the rows changed in place', async () => {
    const { runId, result } = await h.run('incremental')
    const extracted = byTable(result.extracted)
    for (const table of ['customers', 'orders', 'order_details', 'inventory_tracking']) {
      expect(extracted[table], table).toMatchObject({
        rowsInserted: day.inserted[table],
        rowsUpdated: 0,
        rowsDeleted: 0,
      })
    }
    for (const table of ['employees', 'products']) {
      expect(extracted[table], table).toMatchObject({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 })
    }
    const staged = await h.warehouse`
      select count(*)::int as n from staging.orders where _batch_id = ${`${runId}.orders`}`
    expect(staged[0]?.n).toBe(day.inserted.orders)
  })

  it('running the same incremental extraction again stages nothing', async () => {
    const { result } = await h.run('incremental')
    for (const e of result.extracted) expect(e.rowsInserted + e.rowsUpdated, e.tableName).toBe(0)
  })

  it('the next full run catches exactly the rows changed in place and the deleted ones', async () => {
    const { result } = await h.run('full')
    const extracted = byTable(result.extracted)
    expect(extracted.customers).toMatchObject({ rowsInserted: 0, rowsUpdated: day.updated.customers, rowsDeleted: 0 })
    expect(extracted.products).toMatchObject({ rowsInserted: 0, rowsUpdated: day.updated.products, rowsDeleted: 0 })
    expect(extracted.order_details).toMatchObject({ rowsInserted: 0, rowsUpdated: day.updated.order_details })
    expect(extracted.orders).toMatchObject({ rowsInserted: 0, rowsUpdated: 0, rowsDeleted: day.deleted.orders })
    const [deleted] = await h.warehouse`select count(*)::int as n from staging.orders where _deleted_at is not null`
    expect(deleted?.n).toBe(day.deleted.orders)
    const [source] = await h.source`select count(*)::int as n from orders`
    const [live] = await h.warehouse`select count(*)::int as n from staging.orders where _deleted_at is null`
    expect(live?.n).toBe(source?.n)
  })
})
