// Any activity may run twice (a retry after a crash): the result is the same as once.
// The activities run here in Temporal's mock activity context against the real PostgreSQL
// and S3 gateway, called twice in a row as a retry would.
import { MockActivityEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Activities, createActivities } from '../../activities/index.ts'
import { loadTableName } from '../../lib/extract/batch-names.ts'
import { loadModels, selectModels } from '../../lib/model-engine/graph.ts'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let activities: Activities
const runId = 'run-idempotency-test'
const env = new MockActivityEnvironment()
/** Runs an activity in Temporal's activity context, as a worker would. */
const attempt = <I, R>(activity: (input: I) => Promise<R>, input: I) => env.run(activity, input) as Promise<R>

const tableExists = async (name: string) =>
  (await h.warehouse`select to_regclass(${name}) is not null as found`)[0]?.found as boolean

const snapshot = async () => ({
  staging: await h.warehouse`select customer_id, _batch_id, _row_hash, _deleted_at from staging.customers order by 1`,
  batches:
    await h.warehouse`select batch_id, status, rows_read, rows_inserted, rows_updated from etl.batches order by 1`,
  verdicts: await h.warehouse`select batch_id, natural_key, verdict, nullified from dq.verdicts order by 1, 2`,
  violations: await h.warehouse`select violation_id, natural_key, rule_name from dq.violations order by 1`,
  ruleResults: await h.warehouse`select rule_name, rows_checked, rows_failed from dq.rule_results order by 1`,
  objects: await h.warehouse`select object_key, row_count, checksum from dq.quarantine_objects order by 1`,
  dim: (await tableExists('warehouse.dim_customers'))
    ? await h.warehouse`select * from warehouse.dim_customers order by nk_customer_id`
    : [],
  steps: await h.warehouse`select step, table_name, status, rows_in, rows_out from etl.steps order by 1, 2`,
})

describe('activities run twice give the result of one run', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.25, defectRate: 0.2 })
    activities = createActivities(h.handle.context)
    await attempt(activities.startRun, { runId, workflowId: 'test', mode: 'full' as const })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('extract, clean, validate, publish and reconcile, each twice', async () => {
    const input = { runId, tableName: 'customers', mode: 'full' as const }
    const firstExtract = await attempt(activities.extractPosTable, input)
    const afterExtract = await snapshot()
    expect(await attempt(activities.extractPosTable, input)).toEqual(firstExtract)
    expect(await snapshot()).toEqual(afterExtract)
    expect(firstExtract.rowsInserted).toBe(50)

    await attempt(activities.runModel, { runId, model: 'clean.customers' })
    await attempt(activities.runModel, { runId, model: 'clean.customers' })
    const firstValidation = await attempt(activities.validateTable, { runId, tableName: 'customers' })
    const afterValidation = await snapshot()
    expect(await attempt(activities.validateTable, { runId, tableName: 'customers' })).toEqual(firstValidation)
    expect(await snapshot()).toEqual(afterValidation)
    // The two nullify rules of customers each caught their planted rows, archived one object each.
    const [planted] = await h.source<{ defects: string[] }[]>`
      select array_agg(distinct defect order by defect) as defects from seed_truth.defects
      where table_name = 'customers' and defect in ('invalid_email', 'negative_loyalty_points')`
    expect(planted?.defects).toEqual(['invalid_email', 'negative_loyalty_points'])
    expect([...firstValidation.quarantineObjects].sort()).toEqual([
      `quarantine/run=${runId}/table=customers/rule=customers_email_format.jsonl`,
      `quarantine/run=${runId}/table=customers/rule=customers_loyalty_points_not_negative.jsonl`,
    ])

    // dim_customers reads duplicate grouping and the customers' first orders: its upstream models
    // are built first (the orders' tables stay empty here).
    const upstream = selectModels(await loadModels(), ['+warehouse.dim_customers']).filter(
      (name) => name !== 'warehouse.dim_customers' && name !== 'clean.customers',
    )
    for (const model of upstream) await attempt(activities.runModel, { runId, model })
    const firstPublish = await attempt(activities.runModel, { runId, model: 'warehouse.dim_customers' })
    const afterPublish = await snapshot()
    const secondPublish = await attempt(activities.runModel, { runId, model: 'warehouse.dim_customers' })
    expect(await snapshot()).toEqual(afterPublish)
    expect(firstPublish.rowsInserted).toBe(52)
    expect(secondPublish).toMatchObject({ rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 52 })

    const accounting = await attempt(activities.reconcileRowAccounting, { runId, tables: ['customers'] })
    expect(await attempt(activities.reconcileRowAccounting, { runId, tables: ['customers'] })).toEqual(accounting)
    expect(accounting).toEqual([
      { tableName: 'customers', rowsExtracted: 50, rowsPublished: 50, rowsRejected: 0, rowsDeleted: 0, difference: 0 },
    ])
  })

  it('an extraction that crashed half-way is redone from its load table, each row staged once', async () => {
    // The customers as an earlier run staged them (the test above does too; this one runs alone as well).
    const earlierRun = 'run-idempotency-earlier'
    await attempt(activities.startRun, { runId: earlierRun, workflowId: 'test-earlier', mode: 'full' as const })
    await attempt(activities.extractPosTable, { runId: earlierRun, tableName: 'customers', mode: 'full' as const })
    const crashedRun = 'run-idempotency-crash'
    await attempt(activities.startRun, { runId: crashedRun, workflowId: 'test-crash', mode: 'full' as const })
    await h.source`update customers set loyalty_points = loyalty_points + 1 where customer_id <= 5`
    // What a crash leaves behind: the batch recorded as loading and a half-filled load table.
    await h.warehouse`
      insert into etl.batches (batch_id, run_id, table_name, source, mode)
      values (${`${crashedRun}.customers`}, ${crashedRun}, 'customers', 'pos', 'full')`
    await h.warehouse.unsafe(`
      create unlogged table staging."${loadTableName(`${crashedRun}.customers`, 'customers')}" as
      select customer_id, first_name, last_name, email, phone, loyalty_points, created_at
      from staging.customers limit 3`)
    const result = await attempt(activities.extractPosTable, {
      runId: crashedRun,
      tableName: 'customers',
      mode: 'full' as const,
    })
    expect(result).toMatchObject({ rowsRead: 50, rowsInserted: 0, rowsUpdated: 5, rowsUnchanged: 45 })
    const [staged] = await h.warehouse`
      select count(*)::int as n, count(*) filter (where _batch_id = ${`${crashedRun}.customers`})::int as in_batch
      from staging.customers`
    expect(staged).toEqual({ n: 50, in_batch: 5 })
    const [leftover] = await h.warehouse`
      select count(*)::int as n from pg_tables where schemaname = 'staging' and tablename like '\\_load\\_%'`
    expect(leftover?.n).toBe(0)
  })
})
