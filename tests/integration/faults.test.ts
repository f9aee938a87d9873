// The fault suite: a run survives a worker SIGKILLed during an extract, a model and
// validation's upload; its S3 gateway stopped for 20 seconds; its database connections
// terminated mid-model; its Temporal server restarted. Each run completes, its warehouse equals
// that of an uninterrupted run on the same data (row counts and a content checksum per table),
// its rows balance, and the writer lock is given back. The services killed are the test's own
// processes on loopback ports; every wait is bounded.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../../lib/config.ts'
import { connect, type Sql } from '../../lib/db.ts'
import type { PipelineRunResult } from '../../lib/pipeline-types.ts'
import { type Fingerprint, warehouseFingerprint } from '../support/fingerprint.ts'
import { createHarness, type Harness, type HarnessOptions, testConfig } from '../support/harness.ts'
import {
  freePort,
  type OwnedProcess,
  startS3Gateway,
  startTemporalServer,
  startWorkerProcess,
  until,
} from '../support/processes.ts'

const SEED = { scale: 0.1 }
/** Short, so that a dead worker's activity is retried quickly. */
const HEARTBEAT_SECONDS = 5
/** The model the tests hold up: an advisory lock of the test's own keeps its build waiting. */
const HELD_MODEL = 'warehouse.fct_order_lines'

let reference: Fingerprint
const cleanUps: (() => Promise<void>)[] = []

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await createHarness(SEED, options)
  cleanUps.push(() => h.close())
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

/** The run finished as an uninterrupted one would: same warehouse, rows balanced, lock given back. */
async function expectUninterruptedResult(h: Harness, result: PipelineRunResult): Promise<void> {
  for (const row of result.accounting) expect(row.difference, row.tableName).toBe(0)
  expect(await warehouseFingerprint(h.warehouse)).toEqual(reference)
  const [lock] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
  expect(lock?.n).toBe(0)
}

/** Holds up HELD_MODEL's build until release(); resolves once its statement waits in PostgreSQL. */
async function holdModel(
  h: Harness,
): Promise<{ backend: () => Promise<number | undefined>; release: () => Promise<void> }> {
  const holder: Sql = connect(h.config.warehouseUrl, { max: 1, name: 'paccafe-test-holder' })
  await holder`select pg_advisory_lock(hashtext(${HELD_MODEL}))`
  const backend = async () =>
    (
      await h.warehouse<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = 'paccafe-worker-model'
          and wait_event_type = 'Lock' and query like '%pg_advisory_xact_lock%'`
    )[0]?.pid
  let released = false
  const release = async () => {
    if (released) return
    released = true
    await holder`select pg_advisory_unlock(hashtext(${HELD_MODEL}))`
    await holder.end()
  }
  cleanUps.push(release)
  return { backend, release }
}

/** An S3 gateway of the test's own, the configuration that points at it, and its restart on the same port and files. */
async function ownGateway() {
  const port = await freePort()
  const dir = await folder()
  const withGateway = (config: Config): Config => ({
    ...config,
    s3: { ...config.s3, endpoint: `http://127.0.0.1:${port}` },
  })
  const start = async () => owned(await startS3Gateway(withGateway(testConfig('faults')), port, dir))
  return { gateway: await start(), withGateway, restart: start }
}

const stepRunning = async (h: Harness, runId: string, step: string) =>
  (
    await h.warehouse`
      select 1 from etl.steps where run_id = ${runId} and step = ${step} and status = 'running'`
  ).length > 0

describe('faults a run survives', () => {
  beforeAll(async () => {
    const h = await createHarness(SEED)
    try {
      await h.run('full')
      reference = await warehouseFingerprint(h.warehouse)
    } finally {
      await h.close()
    }
  })
  afterAll(async () => {
    for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => {})
  })

  it('the worker SIGKILLed during an extract: the extract resumes on another worker', async () => {
    const h = await harness({ startWorker: false, extractChunkRows: 200 })
    const first = owned(await startWorkerProcess(h.config))
    const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('a chunk of the run to be committed', async () => {
      const [batch] = await h.warehouse`
        select 1 from etl.batches where run_id = ${runId} and status = 'loading' and chunks_copied > 0`
      return batch !== undefined
    })
    await first.kill()
    owned(await startWorkerProcess(h.config))
    await expectUninterruptedResult(h, await workflow.result())
  })

  it('the worker SIGKILLed during a model: PostgreSQL drops its statement, another worker builds the model', async () => {
    const h = await harness({ startWorker: false })
    const first = owned(await startWorkerProcess(h.config))
    const held = await holdModel(h)
    const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('the model to wait in PostgreSQL', async () => (await held.backend()) !== undefined)
    expect(await stepRunning(h, runId, `model:${HELD_MODEL}`)).toBe(true)
    await first.kill()
    // client_connection_check_interval: the dead worker's statement does not wait on.
    await until('the dead worker statement to end', async () => (await held.backend()) === undefined, 30_000)
    const [lock] = await h.warehouse`select run_id from etl.publish_lock`
    expect(lock?.run_id).toBe(runId) // the run is alive: its workflow goes on
    owned(await startWorkerProcess(h.config))
    await held.release()
    await expectUninterruptedResult(h, await workflow.result())
  })

  it("the worker SIGKILLed during validation's upload to the bucket", async () => {
    const { gateway, withGateway } = await ownGateway()
    const h = await harness({ startWorker: false, configure: withGateway })
    const first = owned(await startWorkerProcess(h.config))
    const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('validation to start', async () => stepRunning(h, runId, 'validate'), 60_000, 10)
    // Frozen, the gateway holds every upload half-way; the worker dies in the middle of them.
    gateway.child.kill('SIGSTOP')
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      expect(await stepRunning(h, runId, 'validate')).toBe(true)
      await first.kill()
    } finally {
      gateway.child.kill('SIGCONT')
    }
    owned(await startWorkerProcess(h.config))
    const result: PipelineRunResult = await workflow.result()
    await expectUninterruptedResult(h, result)
    expect(result.validations.some((validation) => validation.quarantineObjects.length > 0)).toBe(true)
  })

  it('the S3 gateway stopped for 20 seconds during a run', async () => {
    const { gateway, withGateway, restart } = await ownGateway()
    const h = await harness({ configure: withGateway })
    const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('validation to start', async () => stepRunning(h, runId, 'validate'), 60_000, 10)
    await gateway.kill()
    await new Promise((resolve) => setTimeout(resolve, 20_000))
    await restart()
    await expectUninterruptedResult(h, await workflow.result())
  })

  it("the pipeline's database connections terminated mid-model", async () => {
    const h = await harness()
    const held = await holdModel(h)
    const { workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('the model to wait in PostgreSQL', async () => (await held.backend()) !== undefined)
    const terminated = await h.warehouse<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and application_name like 'paccafe-worker%' and pg_terminate_backend(pid)`
    expect(terminated.length).toBeGreaterThan(0)
    await held.release()
    await expectUninterruptedResult(h, await workflow.result())
  })

  it('the Temporal dev server restarted during a run', async () => {
    const [port, uiPort] = [await freePort(), await freePort()]
    const dbFile = path.join(await folder(), 'temporal.sqlite')
    const server = owned(await startTemporalServer(port, uiPort, dbFile))
    const h = await harness({
      configure: (config) => ({ ...config, temporal: { ...config.temporal, address: `127.0.0.1:${port}` } }),
    })
    const held = await holdModel(h)
    const { workflow } = await h.start('full')
    await until('the model to wait in PostgreSQL', async () => (await held.backend()) !== undefined)
    await server.kill()
    owned(await startTemporalServer(port, uiPort, dbFile))
    await held.release()
    await expectUninterruptedResult(h, await workflow.result())
  })

  it('a run cancelled mid-model: its statement is cancelled in PostgreSQL, its rows and the lock handed back', async () => {
    const h = await harness()
    const held = await holdModel(h)
    const { runId, workflow } = await h.start('full', HEARTBEAT_SECONDS)
    await until('the model to wait in PostgreSQL', async () => (await held.backend()) !== undefined)
    await workflow.cancel()
    await until('the cancelled statement to end', async () => (await held.backend()) === undefined, 30_000)
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
    // The next run publishes what the cancelled one had staged.
    const { result } = await h.run('full')
    await expectUninterruptedResult(h, result)
  })
})
