// A worker process: opens the databases and the object store once (activities/context.ts),
// and hosts the workflows and activities on a task queue until told to stop.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { bundleWorkflowCode, GracefulShutdownPeriodExpiredError, NativeConnection, Worker } from '@temporalio/worker'
import { type ActivityContext, closeActivityContext, createActivityContext } from '../activities/context.ts'
import { createActivities } from '../activities/index.ts'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/logger.ts'
import { projectRoot, workflowInterceptorsEntry, workflowsEntry } from '../lib/paths.ts'
import { connectTemporal, withTimeout } from '../lib/preflight.ts'
import { registerSearchAttributes } from '../lib/temporal.ts'
import { activityInterceptors } from './activity-interceptors.ts'

/** A pre-built bundle (paccafe build) is used when present; otherwise the workflows are bundled now. */
const PREBUILT_BUNDLE = path.join(projectRoot, 'dist', 'workflow-bundle.js')

/**
 * How long a stopping worker lets its activities finish before cancelling them, and how long
 * before it gives up on them: SIGTERM always ends the process.
 */
export const SHUTDOWN_GRACE_TIME = '10s'
export const SHUTDOWN_FORCE_TIME = '30s'

export async function workflowBundle() {
  if (prebuiltBundleIsFresh()) return { codePath: PREBUILT_BUNDLE }
  return bundleWorkflows()
}

/**
 * The pre-built bundle is used only while no source it is built from (workflows/, lib/) is newer:
 * stale workflow code would run old logic (without the deployment check, say) without a word.
 */
function prebuiltBundleIsFresh(): boolean {
  if (!existsSync(PREBUILT_BUNDLE)) return false
  const built = statSync(PREBUILT_BUNDLE).mtimeMs
  return ['workflows', 'lib'].every((folder) => {
    const dir = path.join(projectRoot, folder)
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).every(
      (file) => statSync(path.join(dir, file)).mtimeMs <= built,
    )
  })
}

/** The workflows and their interceptors (workflows/interceptors.ts) as one bundle. */
export function bundleWorkflows() {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntry,
    workflowInterceptorModules: [workflowInterceptorsEntry],
    logger: quietBundlerLogger,
  })
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
  options: { taskQueue?: string; bundle?: Awaited<ReturnType<typeof workflowBundle>>; logger?: Logger } = {},
): Promise<WorkerHandle> {
  // Temporal first: it is the cheapest to check, and without it nothing else matters.
  const connection = await connectTemporal(config, () => NativeConnection.connect({ address: config.temporal.address }))
  let context: ActivityContext | undefined
  try {
    const added = await registerSearchAttributes(connection.operatorService, config.temporal.namespace)
    if (added.length > 0) options.logger?.info({ added }, 'registered the search attributes of pipeline runs')
    context = await createActivityContext(config)
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: options.taskQueue ?? config.temporal.taskQueue,
      workflowBundle: options.bundle ?? (await workflowBundle()),
      activities: createActivities(context),
      interceptors: { activity: [activityInterceptors(context.deployment, options.logger)] },
      maxConcurrentActivityTaskExecutions: 8,
      shutdownGraceTime: SHUTDOWN_GRACE_TIME,
      shutdownForceTime: SHUTDOWN_FORCE_TIME,
    })
    return { worker, context, connection }
  } catch (error) {
    if (context) await closeActivityContext(context, 0)
    await connection.close()
    throw error
  }
}

export async function shutdownWorker(handle: WorkerHandle): Promise<void> {
  await closeActivityContext(handle.context)
  await handle.connection.close()
}

/**
 * Runs the worker until SIGINT or SIGTERM (the Temporal runtime's shutdown signals) and closes
 * what it opened. Activities still running after the grace time are cancelled; any left after
 * the force time are abandoned (their attempts time out and run again elsewhere). Returns the
 * exit code: 0 after a clean drain, 1 when activities had to be abandoned.
 */
export async function runUntilStopped(handle: WorkerHandle, logger: Logger): Promise<number> {
  let exitCode = 0
  const onSignal = (signal: NodeJS.Signals) =>
    logger.info(
      { signal, activitiesRunning: handle.worker.getStatus().numInFlightActivities, graceTime: SHUTDOWN_GRACE_TIME },
      'stopping: no new tasks; running activities may finish within the grace time, then are cancelled',
    )
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  try {
    await handle.worker.run()
  } catch (error) {
    if (!(error instanceof GracefulShutdownPeriodExpiredError)) throw error
    logger.warn(`activities still running ${SHUTDOWN_FORCE_TIME} after the shutdown request were abandoned`)
    exitCode = 1
  }
  try {
    await withTimeout(
      (async () => {
        await closeActivityContext(handle.context)
        // Refused while an abandoned activity's worker still holds the connection; exiting closes it.
        await handle.connection.close().catch(() => {})
      })(),
      10_000,
      'closing the worker',
    )
  } catch (error) {
    logger.warn({ err: error }, 'the worker did not close its connections in time')
    exitCode = 1
  }
  logger.info('worker stopped')
  return exitCode
}
