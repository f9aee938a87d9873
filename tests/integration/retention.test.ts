// Retention on generator data: runs made old by moving their timestamps back, then
// `paccafe retention` expires exactly what is past its age and no longer needed, in the
// database and in the bucket; a dry run changes nothing, a second run expires nothing more, and
// an open quarantine batch keeps its objects until it is discarded; run reports expire, the
// latest run's however old.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestDiscard } from '../../client/batches.ts'
import type { RetentionAges } from '../../lib/config.ts'
import { reportKeyOf } from '../../lib/contract.ts'
import { loadTableName } from '../../lib/extract/batch-names.ts'
import { putJson } from '../../lib/object-store.ts'
import { applyRetention, type RetentionKind, type RetentionReport } from '../../lib/retention.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf } from '../support/processes.ts'

let h: Harness
let runA: string
let runB: string
let runC: string
/** Customers changed at the source before run B, and before run C. */
let changedInB: string[]
let changedInC: string[]

const AGES: RetentionAges = { quarantineDays: 30, verdictsDays: 90, cleanDays: 40, stagingDays: 90, reportsDays: 90 }

/** Makes everything a run recorded look `days` older. */
async function age(runId: string, days: number): Promise<void> {
  await h.warehouse.begin(async (tx) => {
    await tx`
      update etl.runs set started_at = started_at - make_interval(days => ${days}),
                          finished_at = finished_at - make_interval(days => ${days})
      where run_id = ${runId}`
    await tx`
      update etl.batches set started_at = started_at - make_interval(days => ${days}),
                             finished_at = finished_at - make_interval(days => ${days})
      where run_id = ${runId}`
    await tx`update dq.violations set detected_at = detected_at - make_interval(days => ${days}) where run_id = ${runId}`
    await tx`
      update dq.quarantine_batches set created_at = created_at - make_interval(days => ${days}) where batch_id = ${runId}`
    await tx`
      update dq.quarantine_objects set created_at = created_at - make_interval(days => ${days}) where run_id = ${runId}`
  })
}

/** Customers no rule has anything to say about, which a run can change without opening a batch. */
async function cleanCustomers(count: number, except: string[]): Promise<string[]> {
  const rows = await h.warehouse<{ key: string }[]>`
    select s.customer_id::text as key from staging.customers as s
    where not exists (select 1 from dq.violations as v where v.table_name = 'customers' and v.natural_key = s.customer_id::text)
      and s.customer_id::text <> all(${except}::text[])
    order by s.customer_id limit ${count}`
  return rows.map((row) => row.key)
}

async function changeCustomers(keys: string[]): Promise<void> {
  await h.source`update customers set loyalty_points = loyalty_points + 1 where customer_id = any(${keys.map(Number)}::int[])`
}

async function bucketKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = []
  for await (const item of h.store.client.listObjectsV2(h.store.bucket, prefix, true))
    if (item.name) keys.push(item.name)
  return keys.sort()
}

/** What retention could touch, to compare before and after. */
async function snapshot() {
  const [counts] = await h.warehouse<Record<string, number>[]>`
    select (select count(*)::int from dq.verdicts) as verdicts,
           (select count(*)::int from dq.violations) as violations,
           (select count(*)::int from dq.quarantine_objects) as quarantine_objects,
           (select count(*)::int from clean.customers) as clean_customers,
           (select count(*)::int from pg_tables where schemaname = 'staging') as staging_tables`
  return { ...counts, objects: await bucketKeys() }
}

function kind(report: RetentionReport, name: RetentionKind) {
  const found = report.kinds.find((k) => k.kind === name)
  if (!found) throw new Error(`no ${name} in the report`)
  return found
}

async function verdictKeys(runId: string): Promise<string[]> {
  const rows = await h.warehouse<{ key: string }[]>`
    select natural_key as key from dq.verdicts where run_id = ${runId} and table_name = 'customers' order by 1`
  return rows.map((row) => row.key)
}

beforeAll(async () => {
  h = await createHarness({ scale: 0.1 })
  runA = (await h.run('full')).runId
  changedInB = await cleanCustomers(5, [])
  await changeCustomers(changedInB)
  runB = (await h.run('full')).runId
  // Two of B's customers again, and one new.
  changedInC = [...changedInB.slice(0, 2), ...(await cleanCustomers(1, changedInB))]
  await changeCustomers(changedInC)
  runC = (await h.run('full')).runId
  await age(runA, 100)
  await age(runB, 50)
  await age(runC, 45)
}, 600_000)

afterAll(async () => {
  await h?.close()
})

describe('paccafe retention', () => {
  it('starts from an open batch of run A with its objects in the bucket', async () => {
    const [batch] = await h.warehouse<{ status: string }[]>`
      select status from dq.quarantine_batches where batch_id = ${runA}`
    expect(batch?.status).toBe('open')
    expect((await bucketKeys(`quarantine/run=${runA}/`)).length).toBeGreaterThan(0)
    expect(await h.warehouse`select 1 from dq.quarantine_batches where batch_id <> ${runA}`).toEqual([])
    expect(await bucketKeys('reports/')).toEqual([runA, runB, runC].map(reportKeyOf).sort())
  })

  it('changes nothing on a dry run, and says what it would expire', async () => {
    const before = await snapshot()
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: true })
    expect(await snapshot()).toEqual(before)
    // A's verdicts of the rows B and C staged again; B's of the two C staged again are 50 days old.
    const supersededOfA = new Set([...changedInB, ...changedInC]).size
    expect(kind(report, 'verdicts')).toMatchObject({ expired: supersededOfA })
    expect(kind(report, 'clean rows')).toMatchObject({ expired: changedInC.length })
    expect(kind(report, 'quarantine objects')).toMatchObject({ expired: 0 })
    expect(kind(report, 'quarantine objects').kept.join('\n')).toContain(`batch ${runA} is open`)
    // A's report is 100 days old, past 90; B's and C's are younger.
    expect(kind(report, 'report objects')).toMatchObject({ expired: 1, kept: [] })

    const env = { ...environmentOf(h.config), PACCAFE_RETENTION_CLEAN_DAYS: '40' }
    const cli = await runPaccafe(['retention', '--dry-run'], env)
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toContain('retention, dry run: nothing is changed')
    expect(cli.stdout).toMatch(
      new RegExp(`verdicts +older than 90 days: would expire ${supersededOfA} rows, the oldest 100 days old`),
    )
    expect(cli.stdout).toContain(`kept: batch ${runA} is open`)
    expect(await snapshot()).toEqual(before)
  })

  it('expires the verdicts of superseded rows past the age, and keeps every current verdict', async () => {
    const currentBefore = await h.warehouse<{ n: number }[]>`
      select count(*)::int as n from staging.customers as s
      join dq.verdicts as v on v.table_name = 'customers' and v.batch_id = s._batch_id and v.natural_key = s.customer_id::text`
    const keysOfA = await verdictKeys(runA)
    const keysOfB = await verdictKeys(runB)
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })

    const superseded = [...new Set([...changedInB, ...changedInC])].sort()
    expect(kind(report, 'verdicts').expired).toBe(superseded.length)
    expect(await verdictKeys(runA)).toEqual(keysOfA.filter((key) => !superseded.includes(key)))
    // B's verdicts of C's customers are superseded too, but younger than the age.
    expect(await verdictKeys(runB)).toEqual(keysOfB)
    const currentAfter = await h.warehouse<{ n: number }[]>`
      select count(*)::int as n from staging.customers as s
      join dq.verdicts as v on v.table_name = 'customers' and v.batch_id = s._batch_id and v.natural_key = s.customer_id::text`
    expect(currentAfter).toEqual(currentBefore)
    // The clean rows are run C's, 45 days old, past 40.
    expect(kind(report, 'clean rows').expired).toBe(changedInC.length)
    expect(await h.warehouse`select natural_key from clean.customers`).toEqual([])
    // Staging is the current mirror: not a row of it goes.
    const [staged] = await h.warehouse<{ n: number }[]>`select count(*)::int as n from staging.customers`
    const [source] = await h.source<{ n: number }[]>`select count(*)::int as n from customers`
    expect(staged?.n).toBe(source?.n)
    // A's report is gone, and its run no longer names it.
    expect(kind(report, 'report objects').expired).toBe(1)
    expect(await bucketKeys('reports/')).toEqual([runB, runC].map(reportKeyOf).sort())
    const reportKeys = await h.warehouse<{ run_id: string; report_key: string | null }[]>`
      select run_id, report_key from etl.runs where run_id in (${runA}, ${runB}) order by started_at`
    expect(reportKeys).toEqual([
      { run_id: runA, report_key: null },
      { run_id: runB, report_key: reportKeyOf(runB) },
    ])
  })

  it('keeps the open batch, its rows and its objects', async () => {
    expect((await bucketKeys(`quarantine/run=${runA}/`)).length).toBeGreaterThan(0)
    const [held] = await h.warehouse<{ n: number }[]>`
      select count(*)::int as n from dq.quarantine_objects where run_id = ${runA}`
    expect(held?.n).toBeGreaterThan(0)
  })

  it('expires nothing more when run again', async () => {
    const before = await snapshot()
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })
    expect(report.kinds.map((k) => [k.kind, k.expired])).toEqual(report.kinds.map((k) => [k.kind, 0]))
    expect(await snapshot()).toEqual(before)
  })

  it('expires a discarded batch past the age: its objects, then its resolved violations', async () => {
    const young = [...(await bucketKeys())]
    await requestDiscard(h.client, runA, { reason: 'test: retention', requestedBy: 'ani' })
    const objectsOfA = await bucketKeys(`quarantine/run=${runA}/`)
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })
    expect(kind(report, 'quarantine objects').expired).toBe(objectsOfA.length)
    expect(await bucketKeys(`quarantine/run=${runA}/`)).toEqual([])
    expect(await bucketKeys()).toEqual(young.filter((key) => !objectsOfA.includes(key)))
    expect(await h.warehouse`select 1 from dq.quarantine_objects where run_id = ${runA}`).toEqual([])
    // Discarded just now: the violations are kept until their resolution is past the age.
    const [discarded] = await h.warehouse<{ n: number }[]>`
      select count(*)::int as n from dq.violations where quarantine_batch_id = ${runA} and status = 'discarded'`
    expect(discarded?.n).toBeGreaterThan(0)
    expect(kind(report, 'violations').expired).toBe(0)
    await h.warehouse`
      update dq.violations set resolved_at = resolved_at - interval '91 days' where quarantine_batch_id = ${runA}`
    const later = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })
    expect(kind(later, 'violations').expired).toBe(discarded?.n)
    expect(await h.warehouse`select 1 from dq.violations where quarantine_batch_id = ${runA}`).toEqual([])
  })

  it('keeps a young closed batch and an open failed load; expires old closed failed loads and load tables only', async () => {
    // A batch closed now but quarantined 10 days ago: younger than 30 days.
    await h.source`update customers set email = 'not an email' where customer_id = ${Number(changedInB[4])}`
    const runD = (await h.run('full')).runId
    await requestDiscard(h.client, runD, { reason: 'test: retention', requestedBy: 'ani' })
    await age(runD, 10)
    const objectsOfD = await bucketKeys(`quarantine/run=${runD}/`)
    expect(objectsOfD.length).toBeGreaterThan(0)

    // Load tables left by runs that ended before merging: one 100 days old, one 10.
    const leftovers: Record<string, string> = {}
    for (const [runId, days] of [
      ['run-old-failed', 100],
      ['run-young-failed', 10],
    ] as const) {
      await h.warehouse`
        insert into etl.runs (run_id, workflow_id, mode, status, started_at, finished_at)
        values (${runId}, ${runId}, 'full', 'failed', now() - make_interval(days => ${days}), now() - make_interval(days => ${days}))`
      await h.warehouse`
        insert into etl.batches (batch_id, run_id, table_name, source, mode, started_at)
        values (${`${runId}.customers`}, ${runId}, 'customers', 'pos', 'full', now() - make_interval(days => ${days}))`
      leftovers[runId] = loadTableName(`${runId}.customers`, 'customers')
      await h.warehouse.unsafe(`create table staging."${leftovers[runId]}" (like staging.customers)`)
    }
    // Failed loads archived by those runs: an old discarded one, an old open one, a young discarded one.
    const failedLoads = [
      ['run-old-failed', 'customers', 'discarded', 100],
      ['run-old-failed', 'orders', 'open', 100],
      ['run-young-failed', 'customers', 'discarded', 10],
    ] as const
    for (const [runId, table, status, days] of failedLoads) {
      const prefix = `failed/run=${runId}/table=${table}/`
      await putJson(h.store, `${prefix}rows.jsonl`, { customer_id: 1 })
      await putJson(h.store, `${prefix}error.json`, { error: 'test' })
      await h.warehouse`
        insert into etl.failed_loads (failed_load_id, run_id, batch_id, table_name, source, kind, object_key, error_key,
                                      rows_archived, bytes, checksum, error, status, created_at)
        values (${`${runId}.${table}`}, ${runId}, ${`${runId}.${table}`}, ${table}, 'pos', 'rows',
                ${`${prefix}rows.jsonl`}, ${`${prefix}error.json`}, 1, 20, 'test', 'test', ${status},
                now() - make_interval(days => ${days}))`
    }
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })
    expect(kind(report, 'quarantine objects').expired).toBe(0)
    expect(await bucketKeys(`quarantine/run=${runD}/`)).toEqual(objectsOfD)
    expect(kind(report, 'failed-load objects').expired).toBe(2)
    expect(kind(report, 'failed-load objects').kept.join('\n')).toContain('failed load run-old-failed.orders is open')
    expect(await bucketKeys('failed/')).toEqual([
      'failed/run=run-old-failed/table=orders/error.json',
      'failed/run=run-old-failed/table=orders/rows.jsonl',
      'failed/run=run-young-failed/table=customers/error.json',
      'failed/run=run-young-failed/table=customers/rows.jsonl',
    ])
    expect(await h.warehouse`select 1 from etl.failed_loads`).toHaveLength(3)
    expect(kind(report, 'staging load tables').expired).toBe(1)
    const tables = await h.warehouse<{ name: string }[]>`
      select tablename as name from pg_tables where schemaname = 'staging' and tablename like '\\_load\\_%'`
    expect(tables.map((t) => t.name)).toEqual([leftovers['run-young-failed']])

    await age(runD, 25)
    // C's report deleted by a retention interrupted before it cleared C's key: this run clears it.
    await h.store.client.removeObject(h.store.bucket, reportKeyOf(runC))
    const later = await applyRetention(h.warehouse, h.store, { ...AGES, reportsDays: 30 }, { dryRun: false })
    expect(kind(later, 'quarantine objects').expired).toBe(objectsOfD.length)
    expect(await bucketKeys('quarantine/')).toEqual([])
    // Every report is past 30 days (B's expires now); D's, the latest run's, stays however old.
    expect(kind(later, 'report objects')).toMatchObject({ expired: 1 })
    expect(kind(later, 'report objects').kept).toEqual([
      `report of run ${runD} (35 days old): kept, the latest run's report`,
    ])
    expect(await bucketKeys('reports/')).toEqual([reportKeyOf(runD)])
    const named = await h.warehouse<{ run_id: string }[]>`
      select run_id from etl.runs where report_key is not null order by run_id`
    expect(named.map((run) => run.run_id)).toEqual([runD])
  })

  it('says once that the local S3 server has no lifecycle rules', async () => {
    const report = await applyRetention(h.warehouse, h.store, AGES, { dryRun: false })
    expect(report.lifecycle).toMatchObject({ state: 'unsupported' })
    const cli = await runPaccafe(['retention'], environmentOf(h.config))
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout.match(/lifecycle rules: not supported/g)).toHaveLength(1)
  })
})
