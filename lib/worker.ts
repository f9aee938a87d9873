// A worker process: opens the databases and the object store once, applies migrations,
// and hosts the workflows and activities on a task queue until told to stop.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker'
import type { ActivityContext } from '../activities/context.ts'
import { createActivities } from '../activities/index.ts'
import type { Config } from './config.ts'
import { connect } from './db.ts'
import { migrate } from './migrations.ts'
import { loadModels } from './models.ts'
import { createObjectStore, ensureBucket } from './object-store.ts'
import { projectRoot, workflowsEntry } from './paths.ts'
import { loadRules } from './rules.ts'

/** A pre-built bundle (paccafe build) is used when present; otherwise the workflows are bundled now. */
const PREBUILT_BUNDLE = path.join(projectRoot, 'dist', 'workflow-bundle.js')

export async function createActivityContext(config: Config): Promise<ActivityContext> {
  const warehouse = connect(config.warehouseUrl, { name: 'paccafe-worker', max: 6 })
  const source = connect(config.sourceUrl, { name: 'paccafe-extract', max: 4, readOnly: true })
  const store = createObjectStore(config.s3)
  await migrate(warehouse)
  await ensureBucket(store, config.s3.region)
  return { config, warehouse, source, store, models: await loadModels(), rules: await loadRules() }
}

export async function closeActivityContext(context: ActivityContext): Promise<void> {
  await Promise.all([context.warehouse.end(), context.source.end()])
}

export async function workflowBundle() {
  if (existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE }
  return bundleWorkflowCode({ workflowsPath: workflowsEntry, logger: quietBundlerLogger })
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(message)
  },
  error(message: string) {
    console.error(message)
  },
}

export interface WorkerHandle {
  worker: Worker
  context: ActivityContext
  connection: NativeConnection
}

export async function createWorker(
  config: Config,
  options: { taskQueue?: string; bundle?: Awaited<ReturnType<typeof workflowBundle>> } = {},
): Promise<WorkerHandle> {
  const context = await createActivityContext(config)
  const connection = await NativeConnection.connect({ address: config.temporal.address })
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowBundle: options.bundle ?? (await workflowBundle()),
    activities: createActivities(context),
    maxConcurrentActivityTaskExecutions: 8,
  })
  return { worker, context, connection }
}

export async function shutdownWorker(handle: WorkerHandle): Promise<void> {
  await closeActivityContext(handle.context)
  await handle.connection.close()
}
