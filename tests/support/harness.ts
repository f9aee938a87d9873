// An isolated pipeline for one test file: its own source and warehouse databases, bucket and
// task queue on the real services, and an in-process worker hosting the real workflows.
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { DefaultLogger, Runtime } from '@temporalio/worker'
import { startPipelineRun } from '../../client/start-runs.ts'
import { type Config, loadConfig, loadDotEnv, sourceAdminUrl, userName, withDatabaseName } from '../../lib/config.ts'
import type { PipelineRunResult, RunMode } from '../../lib/contract.ts'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { migrate } from '../../lib/migrations.ts'
import { createObjectStore, ensureBucket, type ObjectStore } from '../../lib/object-store.ts'
import { connectClient, newRunId } from '../../lib/temporal.ts'
import {
  createPosSchema,
  DEFAULT_GENERATOR_OPTIONS,
  type GeneratorOptions,
  generatePos,
  grantReader,
} from '../../seed/generate-pos.ts'
import { createWorker, shutdownWorker, type WorkerHandle, workflowBundle } from '../../worker/worker.ts'

let bundle: Awaited<ReturnType<typeof workflowBundle>> | undefined
let runtimeInstalled = false

/** Worker logs only warnings and errors in tests: expected failures would drown the report. */
function quietWorkerLogs(): void {
  if (runtimeInstalled) return
  Runtime.install({ logger: new DefaultLogger('ERROR') })
  runtimeInstalled = true
}

export interface Harness {
  config: Config
  source: Sql
  warehouse: Sql
  store: ObjectStore
  client: Client
  /** The in-process worker (its activity context gives tests the real activities). */
  readonly handle: WorkerHandle
  startWorker(): Promise<void>
  /** Starts a run without waiting for it. */
  start(
    mode: RunMode,
    heartbeatSeconds?: number,
  ): Promise<{ runId: string; workflow: Awaited<ReturnType<typeof startPipelineRun>> }>
  /** Runs the pipeline-run workflow to completion and returns its run id and result. */
  run(mode: RunMode): Promise<{ runId: string; result: PipelineRunResult }>
  /** Starts a run and returns the error it fails with. */
  runExpectingFailure(mode: RunMode): Promise<{ runId: string; error: Error }>
  close(): Promise<void>
}

/**
 * An id of its own for a test file's databases, bucket and task queue (`<prefix>_<8 hex>`), so
 * that suites running at the same time against one PostgreSQL never share a database.
 */
export function uniqueTestId(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}

export function testConfig(id: string): Config {
  loadDotEnv()
  const base = loadConfig()
  return {
    ...base,
    sourceUrl: withDatabaseName(base.sourceUrl, `paccafe_test_${id}_pos`),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `paccafe_test_${id}_wh`),
    temporal: { ...base.temporal, taskQueue: `paccafe-test-${id}` },
    s3: { ...base.s3, bucket: `paccafe-test-${id}` },
    sheets: { dir: path.join(tmpdir(), `paccafe-test-${id}-sheets`), landingPrefix: 'landing/' },
  }
}

/**
 * A warehouse database of its own, fresh and migrated, for a test file of the model engine that
 * needs no other service; drop() closes the connection and removes the database.
 */
export async function migratedWarehouse(id: string): Promise<{ sql: Sql; drop: () => Promise<void> }> {
  const { warehouseUrl } = testConfig(id)
  await dropDatabase(warehouseUrl)
  await ensureDatabase(warehouseUrl)
  const sql = connect(warehouseUrl, { max: 1 })
  await migrate(sql)
  return {
    sql,
    drop: async () => {
      await sql.end()
      await dropDatabase(warehouseUrl)
    },
  }
}

let runCounter = 0

export interface HarnessOptions {
  /** Start the in-process worker now (default) or later with startWorker(). */
  startWorker?: boolean
  /** Rows per extraction chunk. */
  extractChunkRows?: number
  /** Create the POS tables empty instead of generating data (the test fills them by hand). */
  emptySource?: boolean
  /** Changes the test's configuration (services of the test's own, for instance). */
  configure?: (config: Config) => Config
}

export async function createHarness(
  seed: Partial<GeneratorOptions> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const id = randomBytes(4).toString('hex')
  const base = { ...testConfig(id), extractChunkRows: options.extractChunkRows ?? 100_000 }
  const config = options.configure ? options.configure(base) : base
  await ensureDatabase(sourceAdminUrl(config))
  await ensureDatabase(config.warehouseUrl)
  // Tests change the source as the POS would; the pipeline reads it as the reader role.
  const source = connect(sourceAdminUrl(config), { name: 'paccafe-test', max: 2 })
  const warehouse = connect(config.warehouseUrl, { name: 'paccafe-test', max: 2 })
  if (options.emptySource) await createPosSchema(source)
  else await generatePos(source, { ...DEFAULT_GENERATOR_OPTIONS, ...seed })
  await grantReader(source, userName(config.sourceUrl))
  // What a worker does at start-up, done here too so tests may start their workers later.
  await migrate(warehouse)
  await ensureBucket(createObjectStore(config.s3), config.s3.region)
  quietWorkerLogs()
  bundle ??= await workflowBundle()
  let worker: { handle: WorkerHandle; running: Promise<void> } | undefined
  const startWorker = async () => {
    const handle = await createWorker(config, { bundle })
    worker = { handle, running: handle.worker.run() }
  }
  if (options.startWorker !== false) await startWorker()
  const client = await connectClient(config)
  const start = async (mode: RunMode, heartbeatSeconds?: number) => {
    // Run ids are per second; tests run faster than that, so add a counter.
    const runId = `${newRunId(mode)}-${++runCounter}`
    const workflow = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode, heartbeatSeconds })
    return { runId, workflow }
  }
  return {
    config,
    source,
    warehouse,
    store: createObjectStore(config.s3),
    client,
    get handle() {
      if (!worker) throw new Error('The in-process worker has not been started')
      return worker.handle
    },
    startWorker,
    start,
    async run(mode) {
      const { runId, workflow } = await start(mode)
      return { runId, result: await workflow.result() }
    },
    async runExpectingFailure(mode) {
      const { runId, workflow } = await start(mode)
      try {
        await workflow.result()
      } catch (error) {
        return { runId, error: error as Error }
      }
      throw new Error(`Run ${runId} was expected to fail but succeeded`)
    },
    async close() {
      // Every step is tried, so that a service a test left down (its own gateway, say) does not
      // leave the databases behind; the first failure is thrown at the end.
      const failures: unknown[] = []
      const attempt = async (step: () => Promise<unknown>) => {
        await step().catch((error: unknown) => failures.push(error))
      }
      // Quarantine batch workflows outlive their runs; the test's own end with it.
      await attempt(() => terminateOpenWorkflows(client, config.temporal.taskQueue))
      if (worker) {
        const { handle, running } = worker
        await attempt(async () => {
          handle.worker.shutdown()
          await running
        })
        await attempt(() => shutdownWorker(handle))
      }
      await attempt(() => client.connection.close())
      await attempt(() => source.end())
      await attempt(() => warehouse.end())
      await attempt(() => removeBucket(createObjectStore(config.s3)))
      await attempt(() => dropDatabase(sourceAdminUrl(config)))
      await attempt(() => dropDatabase(config.warehouseUrl))
      await attempt(() => rm(config.sheets.dir, { recursive: true, force: true }))
      if (failures.length > 0) throw failures[0]
    },
  }
}

async function terminateOpenWorkflows(client: Client, taskQueue: string): Promise<void> {
  const open = client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })
  for await (const workflow of open) {
    await client.workflow
      .getHandle(workflow.workflowId)
      .terminate('test over')
      .catch(() => undefined)
  }
}

async function removeBucket(store: ObjectStore): Promise<void> {
  const keys: string[] = []
  for await (const item of store.client.listObjectsV2(store.bucket, '', true)) {
    if (item.name) keys.push(item.name)
  }
  if (keys.length > 0) await store.client.removeObjects(store.bucket, keys)
  await store.client.removeBucket(store.bucket)
}

/** The failure message at the root of a workflow failure chain. */
export function rootMessage(error: unknown): string {
  let current = error as { cause?: unknown; message?: string } | undefined
  while (current?.cause) current = current.cause as typeof current
  return current?.message ?? String(error)
}

/** The message of the first failure of `type` along a workflow failure chain. */
export function failureMessage(error: unknown, type: string): string | undefined {
  let current = error as { cause?: unknown; type?: string; message?: string } | undefined
  while (current) {
    if (current.type === type) return current.message
    current = current.cause as typeof current
  }
  return undefined
}

/** The failure types along a workflow failure chain. */
export function failureTypes(error: unknown): string[] {
  const types: string[] = []
  let current = error as { cause?: unknown; type?: string } | undefined
  while (current) {
    if (current.type) types.push(current.type)
    current = current.cause as typeof current
  }
  return types
}
