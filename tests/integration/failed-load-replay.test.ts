// A load that fails for good, archived and replayed through Temporal: the hand-made fixture's
// warehouse refuses a new order line (a constraint added by the test), so the full run fails
// while publishing; its extracted rows are archived to failed/run=<run>/table=<table>/ and named
// in the run summary; once the warehouse accepts the line again, `paccafe reprocess-load`
// publishes the archived rows, not what the source holds by then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRunSummary } from '../../lib/run-summary.ts'
import type { Harness } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf } from '../support/processes.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness

beforeAll(async () => {
  ;({ h } = await fixtureWarehouse())
}, 600_000)

afterAll(async () => {
  await h?.close()
})

const line = (id: number) =>
  h.warehouse<{ quantity: number }[]>`select quantity from warehouse.fct_order_lines where nk_order_detail_id = ${id}`

describe('a failed load', () => {
  let failedRun: string

  it('is archived with its error when the run fails for good, and named in the summary', async () => {
    await h.warehouse`alter table warehouse.fct_order_lines add constraint test_quantity_below_100 check (quantity < 100)`
    await h.source`insert into order_details (order_detail_id, order_id, product_id, quantity, unit_price, subtotal, created_at)
                   values (1011, 104, 1, 500, 3.00, 1500.00, '2024-03-06 13:06')`
    const { runId, error } = await h.runExpectingFailure('full')
    failedRun = runId
    expect((error.cause as Error | undefined)?.message ?? '').toMatch(/test_quantity_below_100/)
    const loads = await h.warehouse<{ failed_load_id: string; rows_archived: number; status: string }[]>`
      select failed_load_id, rows_archived, status from etl.failed_loads
      where run_id = ${runId} and table_name = 'order_details'`
    expect(loads).toEqual([{ failed_load_id: `${runId}.order_details`, rows_archived: 1, status: 'open' }])
    const summary = await readRunSummary(h.warehouse, runId)
    expect(summary.failedLoads.map((load) => load.failed_load_id)).toContain(`${runId}.order_details`)
    expect(await line(1011)).toEqual([])
  })

  it('is replayed from the bucket by reprocess-load, without reading the source again', async () => {
    await h.warehouse`alter table warehouse.fct_order_lines drop constraint test_quantity_below_100`
    // The source moves on: the replay must publish the archived row, not this one.
    await h.source`update order_details set quantity = 7, subtotal = 21.00 where order_detail_id = 1011`
    const env = environmentOf(h.config)
    const result = await runPaccafe(['reprocess-load', `${failedRun}.order_details`], env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Run run-\S+-reload \(reload\): succeeded/)
    expect(await line(1011)).toEqual([{ quantity: 500 }])
    const [load] = await h.warehouse<{ status: string; reloaded_in_run: string }[]>`
      select status, reloaded_in_run from etl.failed_loads where failed_load_id = ${`${failedRun}.order_details`}`
    expect(load?.status).toBe('reloaded')
    const [accounting] = await h.warehouse<{ rows_extracted: number; difference: number }[]>`
      select rows_extracted, difference from etl.row_accounting
      where run_id = ${load?.reloaded_in_run ?? ''} and table_name = 'order_details'`
    expect(accounting).toEqual({ rows_extracted: 1, difference: 0 })

    const again = await runPaccafe(['reprocess-load', `${failedRun}.order_details`], env)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/is reloaded/)
  })
})
