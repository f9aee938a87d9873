// The reprocess benchmark: reprocessing is set-based like a run, never row by row.
//
// Each scale gets a demo POS and a warehouse of its own (paccafe_bench_reprocess_s<N>_pos and
// _wh), a bucket and a task queue of its own, and an in-process worker hosting the real workflows
// and activities (worker/worker.ts). One full pipeline run through Temporal holds rows back and
// opens its quarantine batch workflow (paccafe-quarantine-<run id>); then a `reprocess` update of
// the whole batch with no file (every open row sent again through clean, validation and publish)
// is timed from sending the update to its answer. Beside it, measured the same way on the same
// worker: the scale's incremental pipeline run after `simulate --days 1`, from its start to its
// result. Where the time went comes from etl.steps (per stage: the wall time from its first
// step's start to its last step's end). At the end the batch workflows are terminated and the
// databases, the bucket and the sheets dropped.
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Client } from '@temporalio/client'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import { requestReprocess } from '../client/batches.ts'
import { startPipelineRun } from '../client/start-runs.ts'
import { type Config, sourceAdminUrl, withDatabaseName } from '../lib/config.ts'
import { REPROCESS_WORKFLOW_PREFIX, type ReprocessOutcome, type RunMode } from '../lib/contract.ts'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../lib/db.ts'
import { createObjectStore, type ObjectStore } from '../lib/object-store.ts'
import { projectRoot } from '../lib/paths.ts'
import { connectClient, workflowIdFor } from '../lib/temporal.ts'
import { generateSheets } from '../seed/generate-sheets.ts'
import { createWorker, shutdownWorker, workflowBundle } from '../worker/worker.ts'
import { envFor } from './cli-environment.ts'
import { medianByRatio } from './median.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')
const BUCKET = 'paccafe-bench-reprocess'
const TASK_QUEUE = 'paccafe-bench-reprocess'

/** Wall seconds per stage of a run, from etl.steps, and its slowest steps. */
export interface StepTimes {
  /** stage (extract: a reprocess's re-staging), clean, validate, publish, reconcile. */
  stages: Record<string, number>
  /** Seconds from the run's first step's start to its last step's end. */
  stepsSpan: number
  slowest: { step: string; seconds: number }[]
  /**
   * The activities etl.steps does not record (bookkeeping: the request, the outcome, the batch
   * and its files, the lock), from the workflows' Temporal histories: seconds from scheduled to
   * completed, slowest first.
   */
  unrecorded: { activity: string; seconds: number }[]
}

export interface ReprocessMeasurement {
  stage: 'reprocess'
  scale: number
  /** The outcome's rowsSubmitted: every open row of the batch. */
  rows: number
  /** From sending the update to its answer. */
  seconds: number
  outcome: ReprocessOutcome
  /** The incremental pipeline run after one simulated day, from its start to its result. */
  incrementalSeconds: number
  incrementalRows: number
  ratio: number
  /** The full run that opened the batch, for scale. */
  fullSeconds: number
  /** The ratio of every repeated measurement at this scale; the measurement shown is the median's. */
  ratios: number[]
  reprocessSteps: StepTimes
  incrementalSteps: StepTimes
}

function reprocessConfig(base: Config, scale: number): Config {
  const name = `paccafe_bench_reprocess_s${String(scale).replace('.', '_')}`
  return {
    ...base,
    sourceUrl: withDatabaseName(base.sourceUrl, `${name}_pos`),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `${name}_wh`),
    temporal: { ...base.temporal, taskQueue: TASK_QUEUE },
    s3: { ...base.s3, bucket: BUCKET },
    sheets: { ...base.sheets, dir: path.join(base.dataDir, `bench-reprocess-sheets-s${scale}`) },
  }
}

/** A fresh demo POS at this scale and its sheets (as CSV files), and an empty warehouse. */
async function prepare(config: Config, scale: number): Promise<void> {
  await dropDatabase(config.warehouseUrl)
  await ensureDatabase(config.warehouseUrl)
  await ensureDatabase(sourceAdminUrl(config))
  console.error(`  generating the demo POS at scale ${scale}...`)
  await run(cli, ['seed', '--replace', '--scale', String(scale), '--sheets', 'none'], {
    env: envFor(config),
    maxBuffer: 1 << 24,
  })
  const sql = connect(sourceAdminUrl(config), { max: 1 })
  try {
    await generateSheets(sql, config.sheets.dir, { seed: 42, defectRate: 0.02, format: 'csv' })
  } finally {
    await sql.end()
  }
}

const stageOf = (step: string): string =>
  step === 'extract'
    ? 'extract'
    : step.startsWith('model:clean.')
      ? 'clean'
      : step === 'validate'
        ? 'validate'
        : step.startsWith('model:')
          ? 'publish'
          : step.startsWith('reconcile')
            ? 'reconcile'
            : step

/** Activities whose every attempt records a row of etl.steps. */
const RECORDED = new Set([
  'extractPosTable',
  'ingestSheet',
  'stageReprocess',
  'runModel',
  'validateTable',
  'reconcileRowAccounting',
  'reconcileWarehouse',
])

const eventMs = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6

/** The activities of these workflows that etl.steps does not record, from their histories. */
async function unrecordedActivities(client: Client, workflowIds: string[], sinceMs: number) {
  const activities: { activity: string; seconds: number }[] = []
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory()
    const scheduled = new Map<number, { activity: string; at: number }>()
    for (const event of history.events ?? []) {
      const attributes = event.activityTaskScheduledEventAttributes
      if (attributes && eventMs(event.eventTime) >= sinceMs) {
        scheduled.set(Number(event.eventId), {
          activity: attributes.activityType?.name ?? '?',
          at: eventMs(event.eventTime),
        })
      }
      const completed = event.activityTaskCompletedEventAttributes
      const start = completed ? scheduled.get(Number(completed.scheduledEventId)) : undefined
      if (start && !RECORDED.has(start.activity)) {
        activities.push({ activity: start.activity, seconds: (eventMs(event.eventTime) - start.at) / 1000 })
      }
    }
  }
  return activities.sort((a, b) => b.seconds - a.seconds)
}

async function stepTimes(
  warehouse: Sql,
  client: Client,
  runId: string,
  workflowIds: string[],
  sinceMs: number,
): Promise<StepTimes> {
  const rows = await warehouse<{ step: string; table_name: string; started: number; seconds: number }[]>`
    select step, table_name, extract(epoch from started_at)::float8 as started, duration_ms / 1000.0::float8 as seconds
    from etl.steps where run_id = ${runId} and duration_ms is not null`
  const spans = new Map<string, { from: number; to: number }>()
  for (const row of rows) {
    const stage = stageOf(row.step)
    const span = spans.get(stage) ?? { from: row.started, to: row.started + row.seconds }
    span.from = Math.min(span.from, row.started)
    span.to = Math.max(span.to, row.started + row.seconds)
    spans.set(stage, span)
  }
  const all = [...spans.values()]
  return {
    stages: Object.fromEntries([...spans.entries()].map(([stage, s]) => [stage, s.to - s.from])),
    stepsSpan: all.length === 0 ? 0 : Math.max(...all.map((s) => s.to)) - Math.min(...all.map((s) => s.from)),
    slowest: rows
      .map((row) => ({ step: row.table_name ? `${row.step} ${row.table_name}` : row.step, seconds: row.seconds }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 5),
    unrecorded: await unrecordedActivities(client, workflowIds, sinceMs),
  }
}

/** Runs a pipeline run through Temporal to its result: seconds from its start, and what it is. */
async function pipelineRunOnce(client: Client, config: Config, scale: number, mode: RunMode) {
  const runId = `bench-reprocess-s${scale}-${Date.now()}-${mode}`
  const started = performance.now()
  const workflow = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode })
  const result = await workflow.result()
  const seconds = (performance.now() - started) / 1000
  const rows = result.extracted.reduce((sum, e) => sum + e.rowsInserted + e.rowsUpdated, 0)
  return { runId, result, seconds, rows }
}

async function terminate(client: Client, workflowId: string): Promise<void> {
  await client.workflow
    .getHandle(workflowId)
    .terminate('bench over')
    .catch(() => undefined)
}

async function removeBucket(store: ObjectStore): Promise<void> {
  const keys: string[] = []
  for await (const item of store.client.listObjectsV2(store.bucket, '', true)) {
    if (item.name) keys.push(item.name)
  }
  for (let i = 0; i < keys.length; i += 1000) await store.client.removeObjects(store.bucket, keys.slice(i, i + 1000))
  await store.client.removeBucket(store.bucket)
}

/**
 * Before each timed run: a checkpoint, so that neither is timed while the writes before it
 * (the full run's, for the reprocess) are still being flushed to disk. Needs a superuser; without
 * one the runs are timed as they come.
 */
async function settleWrites(warehouse: Sql): Promise<void> {
  await warehouse`checkpoint`.catch(() => undefined)
}

async function measureScale(
  config: Config,
  scale: number,
  bundle: Awaited<ReturnType<typeof workflowBundle>>,
): Promise<ReprocessMeasurement> {
  await prepare(config, scale)
  const handle = await createWorker(config, { bundle })
  const running = handle.worker.run()
  const client = await connectClient(config)
  const warehouse = connect(config.warehouseUrl, { name: 'paccafe-bench', max: 1 })
  const batches: string[] = []
  try {
    const full = await pipelineRunOnce(client, config, scale, 'full')
    if (!full.result.quarantineBatch) throw new Error(`The full run at scale ${scale} held no row back`)
    batches.push(full.result.quarantineBatch)
    const batchId = full.runId
    await settleWrites(warehouse)
    const sentAt = Date.now()
    const started = performance.now()
    const outcome = await requestReprocess(client, batchId, { requestedBy: 'bench' })
    const seconds = (performance.now() - started) / 1000

    await run(cli, ['simulate', '--days', '1'], { env: envFor(config) })
    await settleWrites(warehouse)
    const incremental = await pipelineRunOnce(client, config, scale, 'incremental')
    if (incremental.result.quarantineBatch) batches.push(incremental.result.quarantineBatch)

    const measurement: ReprocessMeasurement = {
      stage: 'reprocess',
      scale,
      rows: outcome.rowsSubmitted,
      seconds,
      outcome,
      incrementalSeconds: incremental.seconds,
      incrementalRows: incremental.rows,
      ratio: seconds / incremental.seconds,
      fullSeconds: full.seconds,
      ratios: [],
      // The batch workflow's own activities (the request, settling) and its reprocess run's.
      reprocessSteps: await stepTimes(
        warehouse,
        client,
        outcome.runId,
        [full.result.quarantineBatch, REPROCESS_WORKFLOW_PREFIX + outcome.runId],
        sentAt,
      ),
      incrementalSteps: await stepTimes(warehouse, client, incremental.runId, [workflowIdFor(incremental.runId)], 0),
    }
    return measurement
  } finally {
    for (const workflowId of batches) await terminate(client, workflowId)
    await warehouse.end()
    handle.worker.shutdown()
    await running
    await shutdownWorker(handle)
    await client.connection.close()
    await dropDatabase(config.warehouseUrl)
    await dropDatabase(sourceAdminUrl(config))
    await rm(config.sheets.dir, { recursive: true, force: true })
  }
}

function describe(steps: StepTimes, extractName: string): string {
  const order = ['extract', 'clean', 'validate', 'publish', 'reconcile']
  const stages = order
    .filter((stage) => stage in steps.stages)
    .map((stage) => `${stage === 'extract' ? extractName : stage} ${steps.stages[stage]?.toFixed(2)}`)
    .join(', ')
  const slowest = steps.slowest.map((s) => `${s.step} ${s.seconds.toFixed(2)}`).join(', ')
  const unrecorded = steps.unrecorded
    .slice(0, 3)
    .map((a) => `${a.activity} ${a.seconds.toFixed(2)}`)
    .join(', ')
  const total = steps.unrecorded.reduce((sum, a) => sum + a.seconds, 0)
  return (
    `stages (wall s): ${stages}; steps span ${steps.stepsSpan.toFixed(2)}; slowest steps: ${slowest}; ` +
    `not in etl.steps: ${total.toFixed(2)} s (${unrecorded})`
  )
}

/** One measurement: its figures and where the time went. */
function printMeasurement(m: ReprocessMeasurement, n: number): void {
  console.log(
    `  measurement ${n} at scale ${m.scale}: reprocess ${m.seconds.toFixed(3)} s, incremental ${m.incrementalSeconds.toFixed(3)} s, ratio ${m.ratio.toFixed(2)}`,
  )
  const o = m.outcome
  console.log(
    `  reprocess: ${o.rowsPublished} published, ${o.rowsStillRejected} still rejected, ${o.rowsStillNullified} still nullified; ${describe(m.reprocessSteps, 're-stage')}`,
  )
  console.log(`  incremental (${m.incrementalRows} rows staged): ${describe(m.incrementalSteps, 'extract')}`)
  console.log(`  the full run that opened the batch took ${m.fullSeconds.toFixed(2)} s`)
}

/** The scale's bench lines: the measurement with the median ratio. */
function printBenchLines(m: ReprocessMeasurement): void {
  console.log(`bench reprocess scale=${m.scale} rows=${m.rows} seconds=${m.seconds.toFixed(3)}`)
  console.log(
    `bench reprocess scale=${m.scale} incremental_seconds=${m.incrementalSeconds.toFixed(3)} ratio=${m.ratio.toFixed(2)}`,
  )
  if (m.ratios.length > 1) {
    console.log(
      `  ratios over ${m.ratios.length} measurements: ${m.ratios.map((r) => r.toFixed(2)).join(', ')}; the median is shown`,
    )
  }
}

export function printReprocessTable(results: ReprocessMeasurement[]): void {
  console.log('')
  console.log(
    `${'scale'.padStart(6)} ${'rows'.padStart(8)} ${'reprocess s'.padStart(12)} ${'incremental s'.padStart(14)} ${'ratio'.padStart(6)} ${'full run s'.padStart(11)}`,
  )
  for (const m of results) {
    console.log(
      `${String(m.scale).padStart(6)} ${String(m.rows).padStart(8)} ${m.seconds.toFixed(2).padStart(12)} ${m.incrementalSeconds.toFixed(2).padStart(14)} ${m.ratio.toFixed(2).padStart(6)} ${m.fullSeconds.toFixed(2).padStart(11)}`,
    )
  }
}

/**
 * Each scale is measured `repeat` times, each on fresh databases, and the measurement with the
 * median ratio is kept: one measurement's ratio varies by a tenth or more between runs here.
 */
export async function benchReprocess(base: Config, scales: number[], repeat = 3): Promise<ReprocessMeasurement[]> {
  // The in-process worker logs warnings and errors only.
  Runtime.install({ logger: new DefaultLogger('WARN') })
  const bundle = await workflowBundle()
  const results: ReprocessMeasurement[] = []
  const config = reprocessConfig(base, scales[0] ?? 1)
  try {
    for (const scale of scales) {
      const measurements: ReprocessMeasurement[] = []
      for (let n = 1; n <= repeat; n++) {
        const measurement = await measureScale(reprocessConfig(base, scale), scale, bundle)
        printMeasurement(measurement, n)
        measurements.push(measurement)
      }
      const kept = { ...medianByRatio(measurements), ratios: measurements.map((m) => m.ratio) }
      printBenchLines(kept)
      results.push(kept)
    }
  } finally {
    await removeBucket(createObjectStore(config.s3)).catch(() => undefined)
  }
  return results
}
