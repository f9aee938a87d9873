// The two workflows on the real Temporal dev server, with stub activities that record when each
// call started and ended: the order of the DAG, what a failure stops and what it lets finish,
// and the writer lock released whatever happens. No database: only the workflows are tested.
import { Context } from '@temporalio/activity'
import { type Client, WorkflowFailedError } from '@temporalio/client'
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common'
import { NativeConnection, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Activities } from '../../activities/index.ts'
import { startModelsRun, startPipelineRun } from '../../client/start-runs.ts'
import { type ModelBuildResult, type RunPlan, WORKFLOW_ID_PREFIX } from '../../lib/contract.ts'
import { RUN_MODE, RUN_OUTCOME, RUN_QUARANTINED } from '../../lib/search-attributes.ts'
import { connectClient } from '../../lib/temporal.ts'
import { workflowBundle } from '../../worker/worker.ts'
import { failureTypes, testConfig, uniqueTestId } from '../support/harness.ts'

const config = testConfig(uniqueTestId('workflows'))

/** warehouse.dim_a and warehouse.dim_b are independent; fct_c reads both; marts.d reads fct_c. */
const PLAN: RunPlan = {
  extractTables: ['orders', 'customers'],
  sheets: ['stock_count'],
  tables: ['customers', 'orders'],
  cleanModels: ['clean.customers', 'clean.orders'],
  publishModels: [
    { name: 'warehouse.dim_a', dependsOn: [] },
    { name: 'warehouse.dim_b', dependsOn: [] },
    { name: 'warehouse.fct_c', dependsOn: ['warehouse.dim_a', 'warehouse.dim_b'] },
    { name: 'marts.d', dependsOn: ['warehouse.fct_c'] },
  ],
}

interface Call {
  name: string
  subject?: string
  start: number
  end?: number
  outcome?: 'ok' | 'failed'
}

/** What a scenario changes in the stubs: which calls fail, and how long each takes. */
interface Scenario {
  fails?: (name: string, subject: string | undefined, attempt: number) => Error | undefined
  millis?: (name: string, subject: string | undefined) => number
}

let clock = 0
const calls = new Map<string, Call[]>() // by run id
let scenario: Scenario = {}

const built = (model: string): ModelBuildResult => ({
  model,
  rowsSelected: 1,
  rowsInserted: 1,
  rowsUpdated: 0,
  rowsUnchanged: 0,
  rowsDeleted: 0,
})

type Input = Record<string, string>

/** A stub activity: records its call (its subject is the input's `subjectKey`), waits as the scenario says, then fails or returns. */
function stub(name: string, subjectKey: string | undefined, result: (input: Input) => unknown = () => undefined) {
  const attempts = new Map<string, number>()
  return async (input: Input | undefined): Promise<unknown> => {
    // The run is the workflow's: planRun has no input.
    const runId = (Context.current().info.workflowExecution?.workflowId ?? '').replace(WORKFLOW_ID_PREFIX, '')
    const subject = subjectKey ? input?.[subjectKey] : undefined
    const key = `${runId}/${name}/${subject}`
    const attempt = (attempts.get(key) ?? 0) + 1
    attempts.set(key, attempt)
    const call: Call = { name, subject, start: ++clock }
    const list = calls.get(runId) ?? []
    list.push(call)
    calls.set(runId, list)
    await new Promise((resolve) => setTimeout(resolve, scenario.millis?.(name, subject) ?? 5))
    call.end = ++clock
    const error = scenario.fails?.(name, subject, attempt)
    call.outcome = error ? 'failed' : 'ok'
    if (error) throw error
    return result(input ?? {})
  }
}

const staged = (tableName: string) => ({
  batchId: `b-${tableName}`,
  tableName,
  rowsRead: 1,
  rowsInserted: 1,
  rowsUpdated: 0,
  rowsUnchanged: 0,
  rowsDeleted: 0,
})

const stubActivities = {
  startRun: stub('startRun', undefined),
  finishRun: stub('finishRun', 'status'),
  releaseFailedRun: stub('releaseFailedRun', undefined),
  adoptFailedRuns: stub('adoptFailedRuns', undefined, () => ({ runs: [], rows: 0 })),
  acquireWriterLock: stub('acquireWriterLock', undefined),
  releaseWriterLock: stub('releaseWriterLock', undefined),
  planRun: stub('planRun', undefined, () => PLAN),
  extractPosTable: stub('extractPosTable', 'tableName', (input) => staged(input.tableName ?? '')),
  ingestSheet: stub('ingestSheet', 'sheet', (input) => staged(input.sheet ?? '')),
  runModel: stub('runModel', 'model', (input) => built(input.model ?? '')),
  validateTable: stub('validateTable', 'tableName', (input) => ({
    tableName: input.tableName,
    rowsChecked: 1,
    rowsRejected: 0,
    violations: 0,
    quarantineObjects: [],
  })),
  reconcileRowAccounting: stub('reconcileRowAccounting', undefined, () => []),
  reconcileWarehouse: stub('reconcileWarehouse', undefined, () => []),
  retireCorrections: stub('retireCorrections', undefined, () => ({ retired: 0 })),
  openQuarantineBatch: stub('openQuarantineBatch', undefined, () => ({ opened: false })),
  archiveFailedLoads: stub('archiveFailedLoads', undefined, () => ({
    runId: '',
    failedLoads: [],
    rowsArchived: 0,
    reopened: [],
  })),
  stageFailedLoad: notUsed('stageFailedLoad'),
  notify: stub('notify', 'event', () => ({ delivered: false, skipped: 'not configured in these tests' })),
  buildReport: stub('buildReport', undefined, () => ({ reportKey: 'reports/run=x/report.html', bytes: 1 })),
  // Quarantine batches are tested with real activities (tests/integration/reprocess.test.ts).
  describeBatch: notUsed('describeBatch'),
  prepareReprocess: notUsed('prepareReprocess'),
  stageReprocess: notUsed('stageReprocess'),
  resolveReprocess: notUsed('resolveReprocess'),
  settleBatch: notUsed('settleBatch'),
  discardBatch: notUsed('discardBatch'),
} satisfies Record<keyof Activities, unknown>

function notUsed(name: string) {
  return async () => {
    throw new Error(`${name} is not used by these workflows' tests`)
  }
}

let client: Client
let connection: NativeConnection
let worker: Worker
let running: Promise<void>
let runs = 0

const nextRunId = () => `run-workflows-${Date.now()}-${++runs}`
const callsOf = (runId: string) => calls.get(runId) ?? []
const callOf = (runId: string, name: string, subject?: string) => {
  const call = callsOf(runId).find((c) => c.name === name && (subject === undefined || c.subject === subject))
  if (!call) throw new Error(`${name} ${subject ?? ''} was not called in ${runId}`)
  return call
}
const names = (runId: string) =>
  callsOf(runId).map((call) => (call.subject ? `${call.name}:${call.subject}` : call.name))
const badInput = (message: string) => ApplicationFailure.create({ message, type: 'BadInputError', nonRetryable: true })

describe('the workflows, with stub activities on the real dev server', () => {
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: config.temporal.address })
    worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: stubActivities as unknown as Activities,
    })
    running = worker.run()
    client = await connectClient(config)
  })
  afterAll(async () => {
    worker?.shutdown()
    await running
    await connection?.close()
    await client?.connection.close()
  })

  it('pipelineRun runs the DAG in order: lock, extract, clean, validate, the model graph, reconcile, finish, release', async () => {
    scenario = {}
    const runId = nextRunId()
    const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode: 'full' })
    const result = await handle.result()
    expect(result.extracted.map((batch) => batch.tableName).sort()).toEqual(['customers', 'orders', 'stock_count'])

    const at = (name: string, subject?: string) => callOf(runId, name, subject)
    const all = (name: string) => callsOf(runId).filter((call) => call.name === name)
    expect(names(runId)[0]).toBe('startRun')
    expect(at('acquireWriterLock').end).toBeLessThan(at('adoptFailedRuns').start)
    expect(at('adoptFailedRuns').end).toBeLessThan(at('planRun').start)
    const extracts = [...all('extractPosTable'), ...all('ingestSheet')]
    expect(extracts).toHaveLength(3)
    const cleans = PLAN.cleanModels.map((model) => at('runModel', model))
    expect(Math.min(...cleans.map((c) => c.start))).toBeGreaterThan(Math.max(...extracts.map((c) => c.end ?? 0)))
    const validations = all('validateTable')
    expect(validations.map((call) => call.subject).sort()).toEqual(PLAN.tables)
    expect(Math.min(...validations.map((c) => c.start))).toBeGreaterThan(Math.max(...cleans.map((c) => c.end ?? 0)))
    const [dimA, dimB, fctC, martD] = PLAN.publishModels.map((node) => at('runModel', node.name))
    if (!dimA || !dimB || !fctC || !martD) throw new Error('a publish model did not run')
    expect(Math.min(dimA.start, dimB.start)).toBeGreaterThan(Math.max(...validations.map((c) => c.end ?? 0)))
    expect(fctC.start).toBeGreaterThan(Math.max(dimA.end ?? 0, dimB.end ?? 0))
    expect(martD.start).toBeGreaterThan(fctC.end ?? 0)
    expect(at('reconcileRowAccounting').start).toBeGreaterThan(martD.end ?? 0)
    expect(at('reconcileWarehouse').start).toBeGreaterThan(at('reconcileRowAccounting').end ?? 0)
    // The outcome is told once the lock is released: a slow report or webhook never holds up the next run.
    expect(names(runId).slice(-4)).toEqual([
      'finishRun:succeeded',
      'releaseWriterLock',
      'buildReport',
      'notify:run.succeeded',
    ])
    expect(all('releaseFailedRun')).toEqual([])

    // What the Web UI shows: the outcome in the memo, filterable search attributes, and each
    // activity's summary (the model, table or sheet) on the timeline.
    const description = await handle.describe()
    expect(description.memo).toMatchObject({
      outcome: 'succeeded',
      rowsExtracted: 0,
      rowsPublished: 0,
      rowsRejected: 0,
    })
    expect(description.typedSearchAttributes.get(RUN_MODE)).toBe('full')
    expect(description.typedSearchAttributes.get(RUN_OUTCOME)).toBe('succeeded')
    expect(description.typedSearchAttributes.get(RUN_QUARANTINED)).toBe(false)
    const summaries = ((await handle.fetchHistory()).events ?? [])
      .map((event) => event.userMetadata?.summary)
      .filter((summary) => summary !== undefined && summary !== null)
      .map((summary) => defaultPayloadConverter.fromPayload<string>(summary))
    expect(summaries).toEqual(
      expect.arrayContaining([
        'extract customers',
        'sheet stock_count',
        'validate orders',
        ...PLAN.cleanModels,
        'marts.d',
      ]),
    )
  })

  it('pipelineRun on a failure starts nothing more, lets running models finish, hands its rows back and releases the lock', async () => {
    const runId = nextRunId()
    // dim_a fails at once while dim_b is still building; fct_c and marts.d read dim_a.
    scenario = {
      fails: (name, subject) =>
        name === 'runModel' && subject === 'warehouse.dim_a' ? badInput('dim_a is broken') : undefined,
      millis: (name, subject) => (name === 'runModel' && subject === 'warehouse.dim_b' ? 1500 : 5),
    }
    const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode: 'incremental' })
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(failureTypes(error)).toContain('PipelineRunFailed')
    const dimA = callOf(runId, 'runModel', 'warehouse.dim_a')
    const dimB = callOf(runId, 'runModel', 'warehouse.dim_b')
    expect(dimA.outcome).toBe('failed')
    expect(dimB.outcome).toBe('ok') // it was running when dim_a failed, and was let finish
    expect(dimB.end).toBeGreaterThan(dimA.end ?? 0)
    const started = names(runId)
    expect(started).not.toContain('runModel:warehouse.fct_c')
    expect(started).not.toContain('runModel:marts.d')
    expect(started).not.toContain('reconcileRowAccounting')
    // A typed error is not retried: dim_a ran once.
    expect(started.filter((name) => name === 'runModel:warehouse.dim_a')).toHaveLength(1)
    // The rows are handed back after every running activity ended, before the lock is released.
    expect(started.slice(-5)).toEqual([
      'releaseFailedRun',
      'finishRun:failed',
      'releaseWriterLock',
      'buildReport',
      'notify:run.failed',
    ])
    expect(callOf(runId, 'releaseFailedRun').start).toBeGreaterThan(dimB.end ?? 0)
  })

  it('modelsRun builds its graph in order and releases the lock after a failure too', async () => {
    const graph = PLAN.publishModels
    scenario = {}
    const ok = nextRunId()
    const results = await (await startModelsRun(client, config.temporal.taskQueue, { runId: ok, graph })).result()
    expect(results.map((result) => result.model).sort()).toEqual(graph.map((node) => node.name).sort())
    expect(callOf(ok, 'runModel', 'marts.d').start).toBeGreaterThan(callOf(ok, 'runModel', 'warehouse.fct_c').end ?? 0)
    expect(names(ok).slice(-2)).toEqual(['finishRun:succeeded', 'releaseWriterLock'])

    const failing = nextRunId()
    scenario = {
      fails: (name, subject) => (name === 'runModel' && subject === 'warehouse.fct_c' ? badInput('no') : undefined),
    }
    const error = await (await startModelsRun(client, config.temporal.taskQueue, { runId: failing, graph }))
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(failureTypes(error)).toContain('ModelsRunFailed')
    expect(names(failing)).not.toContain('runModel:marts.d')
    expect(names(failing).slice(-2)).toEqual(['finishRun:failed', 'releaseWriterLock'])
  })

  it('the writer lock is released through its own retry policy: a failing release is retried until it succeeds', async () => {
    const runId = nextRunId()
    scenario = {
      fails: (name, _subject, attempt) =>
        name === 'releaseWriterLock' && attempt <= 5 ? new Error('the warehouse is restarting') : undefined,
    }
    const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode: 'full' })
    await handle.result()
    const releases = callsOf(runId).filter((call) => call.name === 'releaseWriterLock')
    // Five failures: more than the bookkeeping policy's attempts, which would have failed the run.
    expect(releases.map((call) => call.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'ok'])
    // A succeeded run whose release needed retries is still a succeeded run: nothing handed back.
    expect(names(runId)).not.toContain('releaseFailedRun')
    expect(names(runId)).not.toContain('finishRun:failed')
  })

  it('a cancelled run hands its rows back and releases the lock', async () => {
    const runId = nextRunId()
    scenario = { millis: (name) => (name === 'extractPosTable' ? 3_000 : 5) }
    const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode: 'full' })
    const deadline = Date.now() + 30_000
    while (!names(runId).some((name) => name.startsWith('extractPosTable')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await handle.cancel()
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WorkflowFailedError)
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure)
    expect(names(runId).slice(-5)).toEqual([
      'releaseFailedRun',
      'finishRun:failed',
      'releaseWriterLock',
      'buildReport',
      'notify:run.failed',
    ])
  })
})
