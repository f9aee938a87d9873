// A rule's threshold stops a run before anything is published: the run fails as
// RuleThresholdError naming the rule, the table, the count and the threshold, the warehouse is
// as it was, and the rows go back to the next run. The table checks (volume against the previous
// full load, freshness of the newest order) fire on data made to trip them and are quiet
// otherwise; `paccafe rules` lists them all with their results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { tableFingerprint } from '../support/warehouse-fingerprint.ts'

let h: Harness

/** The run's result of one rule or table check. */
async function result(runId: string, rule: string) {
  const [row] = await h.warehouse`
    select rows_checked, rows_failed, passed, detail, threshold_exceeded from dq.rule_results
    where run_id = ${runId} and rule_name = ${rule}`
  return row
}

function rule(name: string) {
  const found = h.handle.context.rules.find((r) => r.name === name)
  if (!found) throw new Error(`no rule ${name}`)
  return found
}

const published = () => tableFingerprint(h.warehouse, { schemas: ['warehouse', 'marts'] })

// A scenario, in order: each test is the run after the one before.
describe('thresholds and table checks', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('counts orders of several branches, records no violation for them, and finds the orders stale', async () => {
    const { runId } = await h.run('full')
    // The orders whose lines are products of more than one branch, counted from the source.
    const [several] = await h.source`
      select count(*)::int as n from (
        select d.order_id from order_details as d join products as p using (product_id)
        group by d.order_id having count(distinct p.store_branch) > 1) as o`
    const [orders] = await h.source`select count(*)::int as n, max(created_at)::text as newest from orders`
    expect(several?.n).toBeGreaterThan(0)
    expect(await result(runId, 'orders_single_branch')).toEqual({
      rows_checked: orders?.n,
      rows_failed: several?.n,
      passed: true,
      detail: null,
      threshold_exceeded: false,
    })
    const [violations] = await h.warehouse`
      select count(*)::int as n from dq.violations where rule_name = 'orders_single_branch'`
    expect(violations?.n).toBe(0)
    // The generator's history ends before today: the newest order is older than two days.
    expect(await result(runId, 'orders_freshness')).toMatchObject({
      passed: false,
      detail: `newest created_at ${orders?.newest} (at most 2 days old)`,
    })
    expect(await result(runId, 'orders_volume')).toMatchObject({ passed: true, detail: 'no previous full load' })
  })

  it('stops a run whose failing rows go above a threshold, before anything is published', async () => {
    const before = await published()
    // 30 orders whose payment method the POS garbled: the run's batch of orders is those 30.
    await h.source`
      update orders set payment_method = 'Bitcoin'
      where order_id in (select order_id from orders order by order_id limit 30)`
    rule('orders_payment_method_known').threshold = '5%'
    const { runId, error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('RuleThresholdError')
    expect(rootMessage(error)).toBe(
      'Rule orders_payment_method_known on orders: 30 failing rows, above its threshold of 5% (1 of 30 rows)',
    )
    // The rule result was recorded before the run stopped; no warehouse or mart table changed.
    expect(await result(runId, 'orders_payment_method_known')).toMatchObject({
      rows_checked: 30,
      rows_failed: 30,
      passed: false,
      threshold_exceeded: true,
    })
    expect(await published()).toEqual(before)
    // Nothing of the orders was recorded as violations or archived for the stopped run.
    const [violations] = await h.warehouse`
      select count(*)::int as n from dq.violations where run_id = ${runId} and table_name = 'orders'`
    expect(violations?.n).toBe(0)
    const archived: string[] = []
    for await (const item of h.store.client.listObjectsV2(
      h.store.bucket,
      `quarantine/run=${runId}/table=orders/`,
      true,
    )) {
      if (item.name) archived.push(item.name)
    }
    expect(archived).toEqual([])
    // The run handed its 30 staged orders back to the next run.
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
    expect(run).toEqual({ status: 'failed', error: expect.stringContaining('orders_payment_method_known') })
    const [released] = await h.warehouse`
      select count(*)::int as n from staging.orders where _row_hash = 'released'`
    expect(released?.n).toBe(30)
  })

  it('publishes the rows handed back once the threshold is lifted; a fresh order quiets freshness', async () => {
    rule('orders_payment_method_known').threshold = undefined
    await h.source`update orders set created_at = now() at time zone ${h.config.timezone} - interval '1 hour'
                   where order_id = (select max(order_id) from orders)`
    const { runId } = await h.run('full')
    const accounting = await h.warehouse`
      select rows_extracted, difference from etl.row_accounting where run_id = ${runId} and table_name = 'orders'`
    expect(accounting).toEqual([{ rows_extracted: 31, difference: 0 }])
    const [unknown] = await h.warehouse`
      select count(*)::int as n from warehouse.fct_orders
      where nk_order_id in (select order_id from staging.orders order by order_id limit 30) and payment_method = 'Unknown'`
    expect(unknown?.n).toBe(30)
    expect(await result(runId, 'orders_payment_method_known')).toMatchObject({ rows_failed: 30, passed: false })
    expect(await result(runId, 'orders_freshness')).toMatchObject({ passed: true })
    // The same number of order lines as the previous full load: volume is quiet.
    const [lines] = await h.source`select count(*)::int as n from order_details`
    expect(await result(runId, 'order_details_volume')).toEqual({
      rows_checked: lines?.n,
      rows_failed: 0,
      passed: true,
      detail: `${lines?.n} rows, the previous full load ${lines?.n} (-0%)`,
      threshold_exceeded: false,
    })
  })

  it('warns when a full load has fewer lines than the last, and stops when it has far fewer', async () => {
    const [before] = await h.source`select count(*)::int as n from order_details`
    const total = before?.n ?? 0
    // A tenth of the lines gone: more than the declared 5%, below the threshold of 50%.
    const tenth = Math.ceil(total / 10)
    await h.source`delete from order_details where order_detail_id in
                   (select order_detail_id from order_details order by order_detail_id desc limit ${tenth})`
    const warned = await h.run('full')
    expect(await result(warned.runId, 'order_details_volume')).toMatchObject({
      rows_checked: total - tenth,
      rows_failed: tenth,
      passed: false,
      threshold_exceeded: false,
    })
    // Then more than half of what is left.
    const left = total - tenth
    const gone = Math.floor(left * 0.6)
    await h.source`delete from order_details where order_detail_id in
                   (select order_detail_id from order_details order by order_detail_id desc limit ${gone})`
    const before2 = await published()
    const { runId, error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('RuleThresholdError')
    const fall = Math.round((gone / left) * 1000) / 10
    expect(rootMessage(error)).toBe(
      `Table check order_details_volume on order_details: ${left - gone} rows, the previous full load ${left} ` +
        `(-${fall}%), a fall above its threshold of 50%`,
    )
    expect(await result(runId, 'order_details_volume')).toMatchObject({ rows_failed: gone, threshold_exceeded: true })
    expect(await published()).toEqual(before2)
  })

  it('paccafe rules lists every rule with its severity, threshold and results on the last runs', async () => {
    const env = { PACCAFE_WAREHOUSE_URL: h.config.warehouseUrl, PACCAFE_SOURCE_URL: h.config.sourceUrl }
    const listed = await runPaccafe(['rules', '--table', 'order_details'], env)
    expect(listed.stderr).toBe('')
    expect(listed.code).toBe(0)
    const lines = listed.stdout.split('\n')
    expect(lines[0]).toBe('order_details')
    // Every rule of the table's file, then its table checks.
    const names = lines.filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0])
    const declared = h.handle.context.rules.filter((r) => r.table === 'order_details').map((r) => r.name)
    expect(names).toEqual([...declared].sort().concat('order_details_schema_drift', 'order_details_volume'))
    expect(lines).toContain('  order_details_volume  warn (table check)  threshold 50%')
    expect(lines).toContain('  order_details_order_exists  reject')
    // The trend: the failed rows on the last five runs, oldest first, from dq.rule_results.
    const runs = await h.warehouse`
      select r.rows_failed from dq.rule_results r join etl.runs u using (run_id)
      where r.rule_name = 'order_details_volume' order by u.started_at desc limit 5`
    const trend = runs
      .map((row) => row.rows_failed)
      .reverse()
      .join(' → ')
    const volume = lines[lines.indexOf('  order_details_volume  warn (table check)  threshold 50%') + 2]
    expect(volume).toMatch(/^ {6}last run run-\S+: \d+ rows, the previous full load \d+ \(-[\d.]+%\) \(not passed\)/)
    expect(volume).toContain(`, above its threshold: the run stopped; trend ${trend}`)

    const all = await runPaccafe(['rules'], env)
    expect(all.code).toBe(0)
    for (const line of ['  orders_single_branch  count', '  orders_schema_drift  stop (table check)']) {
      expect(all.stdout.split('\n')).toContain(line)
    }
    expect(all.stdout).toMatch(/orders_single_branch {2}count\n.*\n {6}last run run-\S+: \d+ checked, \d+ counted;/)

    const unknown = await runPaccafe(['rules', '--table', 'order_detail'], env)
    expect(unknown.code).toBe(2) // bad input (docs/cli.md)
    expect(unknown.stderr.trim()).toMatch(
      /^paccafe: unknown table "order_detail"; the tables are customers, employees, /,
    )
  })
})
