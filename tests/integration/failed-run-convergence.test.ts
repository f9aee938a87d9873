// A run that fails for good part-way through publishing (here, on purpose, in the model after
// fct_orders) leaves the tables it built ahead of the sums that read them. The next successful
// run must leave every warehouse table and mart equal to a clean build from the same sources,
// with no manual step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPipelineRun } from '../../client/start-runs.ts'
import { withDatabaseName } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { createObjectStore } from '../../lib/object-store.ts'
import { createWorker, shutdownWorker, workflowBundle } from '../../worker/worker.ts'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'
import { type TableFingerprint, tableFingerprint } from '../support/warehouse-fingerprint.ts'

let h: Harness

/**
 * The warehouse and marts, table by table. The tables of previous versions are left out: they
 * hold the versions one run replaced, which say how a table was built, not what it holds.
 */
async function warehouseFingerprint(sql: Sql): Promise<TableFingerprint> {
  const tables = await tableFingerprint(sql, { schemas: ['warehouse', 'marts'] })
  return Object.fromEntries(Object.entries(tables).filter(([table]) => !table.endsWith('__previous')))
}

/** Changes of a trading day that touch orders, lines and customers (products stay as they are). */
async function tradeADay(h: Harness): Promise<void> {
  await h.source.begin(async (tx) => {
    const [order] = await tx<{ order_id: number }[]>`
      insert into orders (employee_id, customer_id, order_date, total_amount, payment_method, order_status)
      values (1, 3, now() - interval '1 hour', 9.00, 'Cash', 'Completed') returning order_id`
    await tx`insert into order_details (order_id, product_id, quantity, unit_price, subtotal)
             values (${order?.order_id ?? 0}, 1, 2, 4.50, 9.00)`
    // Changed in place: an order voided, an order that moves to another customer, loyalty points.
    await tx`update orders set order_status = 'Cancelled'
             where order_id = (select min(order_id) from orders where order_status = 'Completed' and customer_id = 4)`
    await tx`update orders set customer_id = 6
             where order_id = (select min(order_id) from orders where order_status = 'Completed' and customer_id = 5)`
    await tx`update customers set loyalty_points = loyalty_points + 50 where customer_id = 8`
  })
}

/** A clean build: one full run into a fresh warehouse reading the same POS database. */
async function cleanBuildOf(h: Harness): Promise<TableFingerprint> {
  const suffix = 'clean_build'
  const config = {
    ...h.config,
    warehouseUrl: withDatabaseName(
      h.config.warehouseUrl,
      `${new URL(h.config.warehouseUrl).pathname.slice(1)}_${suffix}`,
    ),
    temporal: { ...h.config.temporal, taskQueue: `${h.config.temporal.taskQueue}-${suffix}` },
    s3: { ...h.config.s3, bucket: `${h.config.s3.bucket}-${suffix.replace('_', '-')}` },
  }
  await ensureDatabase(config.warehouseUrl)
  const handle = await createWorker(config, { bundle: await workflowBundle() })
  const running = handle.worker.run()
  const warehouse = connect(config.warehouseUrl, { max: 1 })
  try {
    const runId = `run-clean-build-${Date.now()}`
    await (await startPipelineRun(h.client, config.temporal.taskQueue, { runId, mode: 'full' })).result()
    return await warehouseFingerprint(warehouse)
  } finally {
    await warehouse.end()
    handle.worker.shutdown()
    await running
    await shutdownWorker(handle)
    await dropDatabase(config.warehouseUrl)
    const store = createObjectStore(config.s3)
    const keys: string[] = []
    for await (const item of store.client.listObjectsV2(store.bucket, '', true)) if (item.name) keys.push(item.name)
    if (keys.length > 0) await store.client.removeObjects(store.bucket, keys)
    await store.client.removeBucket(store.bucket)
  }
}

describe('a run that failed part-way through publishing', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('is followed by a run that leaves every warehouse table and mart as a clean build would', async () => {
    await tradeADay(h)
    // The sums of customers' orders, built after fct_orders, refuse every write of the next run.
    await h.warehouse.unsafe(`
      create function warehouse.planted_failure() returns trigger language plpgsql as $$
      begin raise exception 'planted failure after fct_orders' using errcode = '22023'; end $$;
      create trigger planted_failure before insert or update or delete on warehouse.int_customer_orders
      for each statement execute function warehouse.planted_failure();`)
    const failed = await h.runExpectingFailure('full')
    expect(failureTypes(failed.error)).toContain('BadInputError')
    expect(failureMessage(failed.error, 'BadInputError')).toMatch(
      /model warehouse\.int_customer_orders: bad data: planted failure/,
    )
    const steps = await h.warehouse<{ step: string; status: string }[]>`
      select step, status from etl.steps
      where run_id = ${failed.runId} and step in ('model:warehouse.fct_orders', 'model:warehouse.int_customer_orders')
      order by step`
    expect(steps).toEqual([
      { step: 'model:warehouse.fct_orders', status: 'succeeded' },
      { step: 'model:warehouse.int_customer_orders', status: 'failed' },
    ])

    await h.warehouse.unsafe('drop trigger planted_failure on warehouse.int_customer_orders')
    const next = await h.run('full')
    expect(next.result.accounting.filter((row) => row.difference !== 0)).toEqual([])

    const converged = await warehouseFingerprint(h.warehouse)
    // The tables the failure left behind are among those compared: the failed model and what reads it.
    expect(Object.keys(converged)).toEqual(
      expect.arrayContaining([
        'warehouse.fct_orders',
        'warehouse.int_customer_orders',
        'marts.customer_rfm',
        'marts.customer_activity_monthly',
      ]),
    )
    expect(converged).toEqual(await cleanBuildOf(h))
    // The failed run's rows were taken over: none carries its id any more.
    const [left] = await h.warehouse`
      select count(*)::int as n from warehouse.fct_orders where _run_id = ${failed.runId}`
    expect(left?.n).toBe(0)
  })
})
