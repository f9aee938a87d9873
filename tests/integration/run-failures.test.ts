// Errors that retrying cannot fix stop the run at once, with a typed failure and a clear
// message, and leave the warehouse as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'

let h: Harness

describe('a run that cannot succeed', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('stops on schema drift before staging, naming the table, column and types', async () => {
    await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
    await h.source`alter table employees drop column role`
    const { runId, error } = await h.runExpectingFailure('full')
    const message = rootMessage(error)
    expect(failureTypes(error)).toContain('BadInputError')
    expect(message).toMatch(/Schema drift in source table public\.(customers|employees)/)
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/Schema drift/)
    const steps = await h.warehouse`
      select table_name, error from etl.steps where run_id = ${runId} and step = 'extract' and status = 'failed'
      order by table_name`
    expect(steps.map((s) => s.error)).toEqual(
      expect.arrayContaining([expect.stringContaining('column loyalty_points is numeric(10,2), expected integer')]),
    )
    // Nothing was staged and no attempt was retried: a non-retryable failure.
    const [staged] = await h.warehouse`select count(*)::int as n from staging.customers`
    expect(staged?.n).toBe(0)
    const description = await h.client.workflow.getHandle(`paccafe-pipeline-${runId}`).describe()
    expect(description.status.name).toBe('FAILED')
  })

  it('hands back the rows it staged, so the next run stages and publishes them', async () => {
    // The run above failed on two tables, after the other four were staged.
    const [orders] = await h.source`select count(*)::int as n from orders`
    const [released] = await h.warehouse`
      select count(*) filter (where _row_hash = 'released')::int as released, count(*)::int as staged
      from staging.orders`
    expect(released).toEqual({ released: orders?.n, staged: orders?.n })
    const [watermark] = await h.warehouse`select high_water_mark from etl.watermarks where table_name = 'orders'`
    expect(watermark?.high_water_mark ?? null).toBeNull()

    await h.source`alter table customers alter column loyalty_points type integer using loyalty_points::integer`
    await h.source`alter table employees add column role varchar(50)`
    const { runId, result } = await h.run('full')
    const extracted = Object.fromEntries(result.extracted.map((e) => [e.tableName, e]))
    expect(extracted.orders).toMatchObject({ rowsInserted: 0, rowsUpdated: orders?.n })
    const [left] = await h.warehouse`select count(*)::int as n from staging.orders where _row_hash = 'released'`
    expect(left?.n).toBe(0)
    const accounting = await h.warehouse`
      select table_name, difference from etl.row_accounting where run_id = ${runId} order by table_name`
    expect(accounting).toHaveLength(8)
    for (const row of accounting) expect(row.difference, row.table_name).toBe(0)
    const [published] = await h.warehouse`select count(*)::int as n from warehouse.fct_orders`
    expect(published?.n).toBe(orders?.n)
  })
})
