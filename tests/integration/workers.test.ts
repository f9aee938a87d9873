// Workers that stay up and stay safe, on the real services: two `paccafe worker` processes on
// one task queue share a run; one told to stop (SIGTERM) while it builds a model lets the model
// finish, exits 0, and the run completes; a worker of another deployment (another warehouse)
// refuses a run's activity at once with its one line, and writes nothing to its own warehouse.
import type { WorkflowHandle } from '@temporalio/client'
import { defaultPayloadConverter } from '@temporalio/common'
import { afterAll, describe, expect, it } from 'vitest'
import { startPipelineRun } from '../../client/start-runs.ts'
import { withDatabaseName } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../../lib/db.ts'
import { deploymentOf } from '../../lib/deployment.ts'
import { newRunId } from '../../lib/temporal.ts'
import { createWorker, shutdownWorker } from '../../worker/worker.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { type OwnedProcess, startWorkerProcess, until } from '../support/processes.ts'

const HELD_MODEL = 'warehouse.fct_order_lines'
const cleanUps: (() => Promise<unknown>)[] = []

afterAll(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => {})
}, 120_000)

async function harness(): Promise<Harness> {
  const h = await createHarness({ scale: 0.05 }, { startWorker: false })
  cleanUps.push(() => h.close())
  return h
}

function owned(process: OwnedProcess): OwnedProcess {
  cleanUps.push(() => process.kill())
  return process
}

interface StartedActivity {
  type: string
  /** The activity's summary (the model, table or sheet it works on), as the Web UI shows it. */
  summary?: string
  /** The worker that started it: `<pid>@<host>`. */
  identity: string
}

/** Every activity attempt the run's history shows started, with the worker that started it. */
async function startedActivities(workflow: WorkflowHandle): Promise<StartedActivity[]> {
  const history = await workflow.fetchHistory()
  const scheduled = new Map<string, Omit<StartedActivity, 'identity'>>()
  const started: StartedActivity[] = []
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes
    if (attributes) {
      const summary = event.userMetadata?.summary
      scheduled.set(String(event.eventId), {
        type: attributes.activityType?.name ?? '',
        ...(summary ? { summary: defaultPayloadConverter.fromPayload<string>(summary) } : {}),
      })
    }
    const start = event.activityTaskStartedEventAttributes
    if (start)
      started.push({
        ...(scheduled.get(String(start.scheduledEventId)) ?? { type: '' }),
        identity: start.identity ?? '',
      })
  }
  return started
}

/** The activity id of the activity scheduled with `summary` (a model's name). */
async function scheduledActivityId(workflow: WorkflowHandle, summary: string): Promise<string | undefined> {
  const events = (await workflow.fetchHistory()).events ?? []
  const scheduled = events.find(
    (event) =>
      event.activityTaskScheduledEventAttributes &&
      event.userMetadata?.summary &&
      defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary) === summary,
  )
  return scheduled?.activityTaskScheduledEventAttributes?.activityId ?? undefined
}

/** The model runner takes an advisory lock on the model's name: holding it holds the build. */
async function holdModel(h: Harness) {
  const holder = connect(h.config.warehouseUrl, { max: 1, name: 'paccafe-test-holder' })
  await holder`select pg_advisory_lock(hashtext(${HELD_MODEL}))`
  let released = false
  const release = async () => {
    if (released) return
    released = true
    await holder`select pg_advisory_unlock(hashtext(${HELD_MODEL}))`
    await holder.end()
  }
  cleanUps.push(release)
  const waiting = async () =>
    (
      await h.warehouse`
        select 1 from pg_stat_activity
        where datname = current_database() and application_name like 'paccafe-worker%'
          and wait_event_type = 'Lock' and query like '%pg_advisory_xact_lock%'`
    ).length > 0
  return { waiting, release }
}

describe('workers', () => {
  it('two worker processes share one run; SIGTERM during a model drains that worker (exit 0) and the run completes', async () => {
    const h = await harness()
    const workers = [owned(await startWorkerProcess(h.config)), owned(await startWorkerProcess(h.config))]
    const held = await holdModel(h)
    const { workflow } = await h.start('full')
    await until('the held model to wait in PostgreSQL', held.waiting, 120_000, 200)

    // The worker building the held model is the one to stop (another model may be building too).
    const heldActivityId = await scheduledActivityId(workflow, HELD_MODEL)
    const description = await workflow.describe()
    const building = (description.raw.pendingActivities ?? []).find(
      (activity) => activity.activityId === heldActivityId,
    )
    const identity = building?.lastWorkerIdentity ?? ''
    const stopping = workers.find((worker) => identity.startsWith(`${worker.child.pid}@`))
    expect(stopping, `no worker process is ${identity}`).toBeDefined()
    stopping?.child.kill('SIGTERM')
    await until('the worker to log that it is stopping', () => stopping?.output().includes('stopping') ?? false, 20_000)
    // Released within the grace time: the model finishes on the stopping worker.
    await held.release()
    await stopping?.exited
    expect(stopping?.child.exitCode, stopping?.output()).toBe(0)
    expect(stopping?.output()).toContain('worker stopped')

    const result = await workflow.result()
    expect(result.accounting.every((row) => row.difference === 0)).toBe(true)
    const started = await startedActivities(workflow)
    const identities = new Set(started.map((activity) => activity.identity))
    expect(identities.size, JSON.stringify(started)).toBe(2)
    // The held model was built once, by the worker that was stopped: it drained, not abandoned.
    const heldBuilds = started.filter((activity) => activity.summary === HELD_MODEL)
    expect(heldBuilds.map((activity) => activity.identity)).toEqual([identity])
    const [run] = await h.warehouse`select status from etl.runs where run_id = ${result.runId}`
    expect(run?.status).toBe('succeeded')
  }, 300_000)

  it("a worker of another warehouse refuses a run's activities at once, non-retryable, with one line", async () => {
    const h = await harness()
    const otherWarehouseUrl = withDatabaseName(
      h.config.warehouseUrl,
      `${h.config.s3.bucket.replaceAll('-', '_')}_other`,
    )
    cleanUps.push(() => dropDatabase(otherWarehouseUrl))
    await ensureDatabase(otherWarehouseUrl)
    // Same task queue, another warehouse: a second checkout with its own PACCAFE_WAREHOUSE_URL.
    const other = await createWorker({ ...h.config, warehouseUrl: otherWarehouseUrl })
    const running = other.worker.run()
    cleanUps.push(async () => {
      other.worker.shutdown()
      await running
      await shutdownWorker(other)
    })
    const runId = `${newRunId('full')}-deployment`
    const deployment = await deploymentOf(h.warehouse)
    const workflow = await startPipelineRun(h.client, h.config.temporal.taskQueue, { runId, mode: 'full' }, deployment)
    const failure = await workflow.result().then(
      () => undefined,
      (error: Error) => error,
    )
    const chain: Error[] = []
    for (let e: unknown = failure; e instanceof Error; e = e.cause) chain.push(e)
    const refusal = chain.find((e) => e.message.includes('belongs to deployment'))
    expect(refusal?.message).toBe(
      `activity startRun of ${workflow.workflowId} belongs to deployment ${deployment}, but this worker serves ${other.context.deployment}: give each warehouse its own task queue (PACCAFE_TASK_QUEUE)`,
    )
    expect(refusal?.message).not.toContain('\n')
    // Refused at once: one attempt, no retries.
    const startRuns = (await startedActivities(workflow)).filter((activity) => activity.type === 'startRun')
    expect(startRuns).toHaveLength(1)
    const otherSql = connect(otherWarehouseUrl, { max: 1 })
    cleanUps.push(() => otherSql.end())
    const [written] = await otherSql`select count(*)::int as n from etl.runs`
    expect(written?.n).toBe(0)
  }, 180_000)
})
