// The fault suite: a run survives its worker SIGKILLed during an extract, a model and
// validation's upload to the bucket; its S3 gateway stopped for 20 seconds; its database
// connections terminated mid-model; its Temporal server restarted. Each run completes, and what
// it leaves equals what an uninterrupted run from the same sources leaves: every table of
// staging, clean, dq, warehouse and marts (row count and content checksum, bookkeeping columns
// aside), the row accounting, and the quarantine objects in the bucket. The writer lock is
// never held by a closed workflow for longer than the heartbeat timeout, and is given back.
//
// Each fault is pinned to its moment by something the test holds, not by timing: an advisory
// lock of the test's own that the model's build (or an extract's second chunk) waits on, or the
// S3 gateway frozen with SIGSTOP until a request of validation is queued at it. The processes
// killed are the test's own, on loopback ports; every wait and every loop is bounded, so a run
// that never finishes fails its test with what was still pending.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { WorkflowHandle } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../../lib/config.ts'
import type { PipelineRunResult } from '../../lib/contract.ts'
import { connect, type Sql } from '../../lib/db.ts'
import { generateSheets } from '../../seed/generate-sheets.ts'
import { createHarness, type Harness, type HarnessOptions, testConfig } from '../support/harness.ts'
import {
  expectRunning,
  freePort,
  type OwnedProcess,
  startS3Gateway,
  startTemporalServer,
  startWorkerProcess,
  unreadBytesOnPort,
  until,
} from '../support/processes.ts'
import {
  activityAttempts,
  describeAttempts,
  type LockWatch,
  type PendingActivity,
  pendingActivities,
  resultWithin,
  runState,
  untilTakenOver,
  watchWriterLock,
} from '../support/run-watch.ts'
import {
  differingTables,
  type RunSnapshot,
  runSnapshot,
  type TableFingerprint,
  tableFingerprint,
} from '../support/warehouse-fingerprint.ts'

const SEED = { scale: 0.1 }
const SHEETS = { seed: 11, defectRate: 0.05, format: 'xlsx' } as const
/** Short, so that a dead worker's activities are noticed and retried within seconds. */
const HEARTBEAT_SECONDS = 5
/** Bound for a killed worker's activities to be retried: heartbeat timeout, retry interval, a worker's start. */
const TAKEOVER_MS = 60_000
/** Bound for a faulted run to finish, well above what an uninterrupted one takes. */
const RUN_MS = 150_000
const TEST_MS = 300_000
/** The model the tests hold up: an advisory lock of the test's own keeps its build waiting. */
const HELD_MODEL = 'warehouse.fct_order_lines'
const HEARTBEAT_TIMEOUT = /heartbeat timeout/i

let reference: RunSnapshot
let referenceWithOneRowChanged: TableFingerprint
const cleanUps: (() => Promise<unknown>)[] = []

/** A harness of the test's own with the demo sheets in its folder, closed after the suite. */
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await createHarness(SEED, options)
  cleanUps.push(() => h.close())
  await generateSheets(h.source, h.config.sheets.dir, SHEETS)
  return h
}

async function folder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paccafe-faults-'))
  cleanUps.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function owned(process: OwnedProcess): OwnedProcess {
  cleanUps.push(() => process.kill())
  return process
}

interface Started {
  runId: string
  workflow: WorkflowHandle
  lock: LockWatch
}

/** Starts a run and watches the writer lock while it runs. */
async function startRun(h: Harness, heartbeatSeconds?: number): Promise<Started> {
  const { runId, workflow } = await h.start('full', heartbeatSeconds)
  const lock = watchWriterLock(h.warehouse, h.client, (heartbeatSeconds ?? 20) * 1000)
  cleanUps.push(() => lock.stop())
  return { runId, workflow, lock }
}

/**
 * The run completes, and leaves what an uninterrupted run leaves: the same tables, row
 * accounting and quarantine objects, every table balanced, the lock never held by a closed
 * workflow past the heartbeat timeout and given back at the end.
 */
async function expectUninterruptedResult(
  h: Harness,
  run: Started,
  workers: OwnedProcess[] = [],
  options: { otherRuns?: 'ignore' } = {},
): Promise<PipelineRunResult> {
  const died = workers.map((worker) =>
    worker.exited.then(() => expectRunning(worker, 'A worker process') as never),
  ) as Promise<never>[]
  const result = await resultWithin<PipelineRunResult>(
    run.workflow,
    RUN_MS,
    () => runState(h.warehouse, run.workflow, run.runId),
    Promise.race(died),
  )
  const lock = await run.lock.stop()
  expect(lock.problems).toEqual([])
  expect(lock.holders).toEqual([run.runId])
  const [status] = await h.warehouse`select status from etl.runs where run_id = ${run.runId}`
  expect(status?.status).toBe('succeeded')
  const { snapshot, problems } = await runSnapshot(h.warehouse, h.store, run.runId, options)
  expect(problems).toEqual([])
  expect(snapshot.accounting.filter((row) => row.difference !== 0)).toEqual([])
  expect(differingTables(snapshot.tables, reference.tables)).toEqual([])
  expect(snapshot.accounting).toEqual(reference.accounting)
  expect(snapshot.quarantine).toEqual(reference.quarantine)
  const [held] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
  expect(held?.n).toBe(0)
  return result
}

/**
 * Holds an advisory lock of the test's own; `waiting` finds the pipeline's statement waiting
 * on it (its backend pid), `release` lets it go on.
 */
async function holdLock(
  h: Harness,
  key: string,
  /** LIKE patterns of the waiting session's application name and statement. */
  waiter: { application: string; query: string },
): Promise<{ waiting: () => Promise<number | undefined>; release: () => Promise<void> }> {
  const holder: Sql = connect(h.config.warehouseUrl, { max: 1, name: 'paccafe-test-holder' })
  await holder`select pg_advisory_lock(hashtext(${key}))`
  const waiting = async () =>
    (
      await h.warehouse<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name like ${waiter.application}
          and wait_event_type = 'Lock' and query like ${waiter.query}`
    )[0]?.pid
  let released = false
  const release = async () => {
    if (released) return
    released = true
    await holder`select pg_advisory_unlock(hashtext(${key}))`
    await holder.end()
  }
  cleanUps.push(release)
  return { waiting, release }
}

/** Holds up HELD_MODEL's build: the model runner takes this advisory lock before building it. */
const holdModel = (h: Harness) =>
  holdLock(h, HELD_MODEL, { application: 'paccafe-worker%', query: '%pg_advisory_xact_lock%' })

/**
 * Holds up the commit of chunk `chunk` of `table`'s extract: a trigger of the test's own on
 * etl.batches makes that chunk's transaction wait for an advisory lock the test holds, so the
 * chunks before it are committed and the extract is half-way.
 */
async function holdChunk(h: Harness, table: string, chunk: number) {
  const key = `paccafe-test:chunk:${table}:${chunk}`
  await h.warehouse.unsafe(`
    create function public.test_hold_chunk() returns trigger language plpgsql as $$
    begin
      if new.batch_id like '%.${table}' and old.chunks_copied = ${chunk - 1} and new.chunks_copied = ${chunk} then
        perform pg_advisory_xact_lock(hashtext('${key}'));
      end if;
      return new;
    end $$`)
  await h.warehouse.unsafe(`
    create trigger test_hold_chunk before update on etl.batches
    for each row execute function public.test_hold_chunk()`)
  return holdLock(h, key, { application: 'paccafe-load', query: '%update etl.batches%' })
}

/**
 * A service process of the test's own that the test stops and starts again. It is cleaned up
 * where it was first started, so that it outlives the harness that uses it (which empties its
 * bucket or talks to it when closed), however often it was restarted.
 */
function restartable(start: () => Promise<OwnedProcess>) {
  let current: OwnedProcess | undefined
  cleanUps.push(async () => current?.kill())
  return {
    async start() {
      current = await start()
      return current
    },
  }
}

/** An S3 gateway of the test's own, the configuration that points at it, and its restart on the same port and files. */
async function ownGateway() {
  const port = await freePort()
  const dir = await folder()
  const withGateway = (config: Config): Config => ({
    ...config,
    s3: { ...config.s3, endpoint: `http://127.0.0.1:${port}` },
  })
  const service = restartable(() => startS3Gateway(withGateway(testConfig('faults')), port, dir))
  return { port, gateway: await service.start(), withGateway, restart: () => service.start() }
}

const stepRunning = async (h: Harness, runId: string, step: string) =>
  (
    await h.warehouse`
      select 1 from etl.steps where run_id = ${runId} and step = ${step} and status = 'running'`
  ).length > 0

/**
 * PostgreSQL abandons the statement of a worker that died (client_connection_check_interval)
 * instead of running on. Checked softly: the test goes on to what a dead worker's run needs next.
 */
async function expectAbandoned(h: Harness, pid: number): Promise<void> {
  const ended = await until(
    "the dead worker's statement to end",
    async () => (await h.warehouse`select 1 from pg_stat_activity where pid = ${pid}`).length === 0,
    30_000,
  ).then(
    () => true,
    () => false,
  )
  expect.soft(ended, `backend ${pid} of the killed worker still runs its statement after 30 s`).toBe(true)
}

const retriedAfter = async (workflow: WorkflowHandle, type: string) =>
  (await activityAttempts(workflow)).filter((a) => a.type === type && a.attempt > 1)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('faults a run survives', () => {
  beforeAll(async () => {
    const h = await createHarness(SEED)
    try {
      await generateSheets(h.source, h.config.sheets.dir, SHEETS)
      const { runId, workflow } = await h.start('full')
      await resultWithin(workflow, RUN_MS, () => runState(h.warehouse, workflow, runId))
      const { snapshot, problems } = await runSnapshot(h.warehouse, h.store, runId)
      expect(problems).toEqual([])
      reference = snapshot
      // The fingerprint must see a change of one value in one row.
      await h.warehouse
        .begin(async (tx) => {
          await tx`update marts.sales_by_hour set orders = orders + 1
                   where ctid = (select ctid from marts.sales_by_hour limit 1)`
          referenceWithOneRowChanged = await tableFingerprint(tx as unknown as Sql, { runId })
          throw new Error('rolled back')
        })
        .catch(() => {})
    } finally {
      await h.close()
    }
  }, TEST_MS)
  afterAll(async () => {
    for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => {})
  })

  it('the reference: an uninterrupted run fills every layer, balances its rows and quarantines rows', () => {
    const nonEmpty = (schema: string) =>
      Object.entries(reference.tables).filter(([name, table]) => name.startsWith(`${schema}.`) && table.rows > 0)
    for (const schema of ['staging', 'clean', 'dq', 'warehouse', 'marts']) {
      expect(nonEmpty(schema).length, schema).toBeGreaterThanOrEqual(3)
    }
    expect(reference.tables['staging.stock_count']?.rows).toBeGreaterThan(0) // the sheets were read
    expect(reference.accounting.length).toBeGreaterThanOrEqual(6)
    expect(reference.accounting.filter((row) => row.difference !== 0)).toEqual([])
    expect(Object.keys(reference.quarantine).some((key) => key.endsWith('.jsonl'))).toBe(true)
    expect(differingTables(referenceWithOneRowChanged, reference.tables).map((d) => d.split(':')[0])).toEqual([
      'marts.sales_by_hour',
    ])
  })

  it(
    'the worker SIGKILLed during an extract: the extract resumes after its last committed chunk on another worker',
    async () => {
      const h = await harness({ startWorker: false, extractChunkRows: 100 })
      const [source] = await h.source<{ n: number }[]>`select count(*)::int as n from order_details`
      expect(source?.n).toBeGreaterThan(200) // three chunks or more
      const held = await holdChunk(h, 'order_details', 2)
      const first = owned(await startWorkerProcess(h.config))
      const run = await startRun(h, HEARTBEAT_SECONDS)
      await until('the second chunk of order_details to wait', async () => (await held.waiting()) !== undefined)
      const batchId = `${run.runId}.order_details`
      const [atKill] = await h.warehouse`select status, chunks_copied from etl.batches where batch_id = ${batchId}`
      expect(atKill).toEqual({ status: 'loading', chunks_copied: 1 })
      const pending = await pendingActivities(run.workflow)
      const statement = (await held.waiting()) as number
      await first.kill()
      const second = owned(await startWorkerProcess(h.config))
      await expectAbandoned(h, statement)
      await held.release()
      await untilTakenOver(run.workflow, pending, TAKEOVER_MS)
      await expectUninterruptedResult(h, run, [second])
      const [batch] = await h.warehouse`
        select status, resumed_times, rows_read, chunks_copied from etl.batches where batch_id = ${batchId}`
      expect(batch?.status).toBe('staged')
      expect(batch?.resumed_times).toBe(1)
      expect(batch?.rows_read).toBe(source?.n) // each row read once: no chunk copied twice, none skipped
      expect(batch?.chunks_copied).toBe(Math.ceil((source?.n ?? 0) / 100))
      const retried = await retriedAfter(run.workflow, 'extractPosTable')
      expect(retried.length, describeAttempts(await activityAttempts(run.workflow))).toBeGreaterThan(0)
      expect(retried.every((a) => HEARTBEAT_TIMEOUT.test(a.lastFailure ?? ''))).toBe(true)
    },
    TEST_MS,
  )

  it(
    'the worker SIGKILLed during a model: PostgreSQL drops its statement, another worker builds the model',
    async () => {
      const h = await harness({ startWorker: false })
      const first = owned(await startWorkerProcess(h.config))
      const held = await holdModel(h)
      const run = await startRun(h, HEARTBEAT_SECONDS)
      await until('the model to wait in PostgreSQL', async () => (await held.waiting()) !== undefined)
      expect(await stepRunning(h, run.runId, `model:${HELD_MODEL}`)).toBe(true)
      const pending = await pendingActivities(run.workflow)
      expect(pending.some((a) => a.type === 'runModel' && a.state === 'STARTED')).toBe(true)
      const statement = (await held.waiting()) as number
      await first.kill()
      const second = owned(await startWorkerProcess(h.config))
      await expectAbandoned(h, statement)
      // The heartbeat timeout: the model is retried on the new worker, and waits there in turn.
      await untilTakenOver(run.workflow, pending, TAKEOVER_MS)
      await until('the retried model to wait in PostgreSQL', async () => (await held.waiting()) !== undefined)
      const [lock] = await h.warehouse`select run_id from etl.publish_lock`
      expect(lock?.run_id).toBe(run.runId) // held by a live run, which goes on
      await held.release()
      await expectUninterruptedResult(h, run, [second])
      const retried = await retriedAfter(run.workflow, 'runModel')
      expect(retried.length, describeAttempts(await activityAttempts(run.workflow))).toBeGreaterThan(0)
      expect(retried.every((a) => HEARTBEAT_TIMEOUT.test(a.lastFailure ?? ''))).toBe(true)
    },
    TEST_MS,
  )

  it(
    "the worker SIGKILLed during validation's upload to the bucket",
    async () => {
      const { port, gateway, withGateway } = await ownGateway()
      const h = await harness({ startWorker: false, configure: withGateway })
      const first = owned(await startWorkerProcess(h.config))
      const run = await startRun(h, HEARTBEAT_SECONDS)
      await until('validation to start', async () => stepRunning(h, run.runId, 'validate'), 60_000, 10)
      // Frozen, the gateway holds validation's first upload half-way; the worker dies in the middle of it.
      gateway.child.kill('SIGSTOP')
      let pending: PendingActivity[] = []
      try {
        await until('an upload to reach the frozen gateway', () => unreadBytesOnPort(port) > 0, 30_000, 20)
        expect(await stepRunning(h, run.runId, 'validate')).toBe(true)
        pending = await pendingActivities(run.workflow)
        expect(pending.some((a) => a.type === 'validateTable' && a.state === 'STARTED')).toBe(true)
        await first.kill()
      } finally {
        gateway.child.kill('SIGCONT')
      }
      const second = owned(await startWorkerProcess(h.config))
      await untilTakenOver(run.workflow, pending, TAKEOVER_MS)
      const result = await expectUninterruptedResult(h, run, [second])
      expect(result.validations.some((validation) => validation.quarantineObjects.length > 0)).toBe(true)
      const retried = await retriedAfter(run.workflow, 'validateTable')
      expect(retried.length, describeAttempts(await activityAttempts(run.workflow))).toBeGreaterThan(0)
    },
    TEST_MS,
  )

  it(
    'the S3 gateway stopped for 20 seconds during a run',
    async () => {
      const { port, gateway, withGateway, restart } = await ownGateway()
      const h = await harness({ configure: withGateway })
      const run = await startRun(h, HEARTBEAT_SECONDS)
      await until('validation to start', async () => stepRunning(h, run.runId, 'validate'), 60_000, 10)
      const stoppedAt = Date.now()
      gateway.child.kill('SIGSTOP')
      try {
        await until('an upload to reach the stopped gateway', () => unreadBytesOnPort(port) > 0, 30_000, 20)
      } finally {
        await gateway.kill() // gone: its connections reset, new ones refused
      }
      await sleep(Math.max(0, stoppedAt + 20_000 - Date.now()))
      await restart()
      await expectUninterruptedResult(h, run)
      const retried = await retriedAfter(run.workflow, 'validateTable')
      expect(retried.length, describeAttempts(await activityAttempts(run.workflow))).toBeGreaterThan(0)
    },
    TEST_MS,
  )

  it(
    "the pipeline's database connections terminated mid-model: the worker stays up and the model is retried",
    async () => {
      const h = await harness({ startWorker: false })
      const worker = owned(await startWorkerProcess(h.config))
      const held = await holdModel(h)
      const run = await startRun(h, HEARTBEAT_SECONDS)
      await until('the model to wait in PostgreSQL', async () => (await held.waiting()) !== undefined)
      const statement = await held.waiting()
      // Every session of the pipeline in its warehouse, the model's statement and the idle pool alike.
      const terminated = await h.warehouse<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name like 'paccafe%'
          and application_name not like 'paccafe-test%' and pg_terminate_backend(pid)`
      expect(terminated.map((row) => row.pid)).toContain(statement)
      await held.release()
      await expectUninterruptedResult(h, run, [worker])
      expectRunning(worker, 'The worker process')
      const retried = await retriedAfter(run.workflow, 'runModel')
      expect(retried.length, describeAttempts(await activityAttempts(run.workflow))).toBeGreaterThan(0)
    },
    TEST_MS,
  )

  it(
    'the Temporal dev server restarted during a run: the same worker and workflow go on',
    async () => {
      const [port, uiPort] = [await freePort(), await freePort()]
      const dbFile = path.join(await folder(), 'temporal.sqlite')
      const service = restartable(() => startTemporalServer(port, uiPort, dbFile))
      const server = await service.start()
      const h = await harness({
        configure: (config) => ({ ...config, temporal: { ...config.temporal, address: `127.0.0.1:${port}` } }),
      })
      const held = await holdModel(h)
      const run = await startRun(h)
      await until('the model to wait in PostgreSQL', async () => (await held.waiting()) !== undefined)
      await server.kill()
      await service.start()
      await held.release()
      await expectUninterruptedResult(h, run)
      expect(h.handle.worker.getState()).toBe('RUNNING') // the in-process worker reconnected
      expect((await run.workflow.describe()).runId).toBe(
        (run.workflow as { firstExecutionRunId?: string }).firstExecutionRunId,
      )
    },
    TEST_MS,
  )

  it(
    'a run cancelled mid-model: its statement is cancelled in PostgreSQL, its rows and the lock handed back',
    async () => {
      const h = await harness()
      const held = await holdModel(h)
      const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
      await until('the model to wait in PostgreSQL', async () => (await held.waiting()) !== undefined)
      await workflow.cancel()
      await until('the cancelled statement to end', async () => (await held.waiting()) === undefined, 30_000)
      const outcome = await workflow.result().then(
        () => 'succeeded',
        () => 'failed',
      )
      expect(outcome).toBe('failed')
      expect((await workflow.describe()).status.name).toBe('CANCELLED')
      const [step] = await h.warehouse`
        select status, error from etl.steps where run_id = ${runId} and step = ${`model:${HELD_MODEL}`}`
      expect(step?.status).toBe('failed')
      expect(step?.error).toMatch(/canceling statement due to user request/)
      const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
      expect(run).toEqual({ status: 'failed', error: 'cancelled' })
      const [lock] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
      expect(lock?.n).toBe(0)
      await held.release()
      // The next run publishes what the cancelled one had staged, as an uninterrupted run would.
      const next = await startRun(h, HEARTBEAT_SECONDS)
      await expectUninterruptedResult(h, next, [], { otherRuns: 'ignore' })
    },
    TEST_MS,
  )
})
