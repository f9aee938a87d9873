import type { Client } from '@temporalio/client'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { startPipelineRun } from '../../client/start-runs.ts'
import type { Config } from '../../lib/config.ts'
import type { RunMode } from '../../lib/contract.ts'
import { connect } from '../../lib/db.ts'
import { UsageError } from '../../lib/errors.ts'
import { preflight } from '../../lib/preflight.ts'
import { formatRunSummary, readRunSummary } from '../../lib/run-summary.ts'
import { connectClient, newRunId, webUiRunUrl } from '../../lib/temporal.ts'
import { configFromEnvironment, say } from '../context.ts'
import { followRun } from '../follow-run.ts'
import { waitNotices } from '../wait-notices.ts'

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start one pipeline run through Temporal, show its progress and print its summary')
    .option('--mode <mode>', 'full or incremental', 'full')
    .option('--no-wait', 'start the run and return its workflow id without waiting')
    .action(async (options: { mode: string; wait: boolean }) => {
      if (options.mode !== 'full' && options.mode !== 'incremental') {
        throw new UsageError(`--mode must be full or incremental, not ${JSON.stringify(options.mode)}`)
      }
      const config = configFromEnvironment()
      const client = await connectClient(config)
      // The summary is read from the warehouse at the end: better to know now that it cannot be.
      await preflight(config, ['warehouse']).catch(async (error) => {
        await client.connection.close()
        throw error
      })
      try {
        const ok = await runPipeline(config, client, options.mode, options.wait)
        if (!ok) process.exitCode = 1
      } finally {
        await client.connection.close()
      }
    })
}

/** Starts a run, follows it with a progress bar, prints the summary. Returns false if it failed. */
export async function runPipeline(config: Config, client: Client, mode: RunMode, wait = true): Promise<boolean> {
  const runId = newRunId(mode)
  const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode })
  const url = webUiRunUrl(config, handle.workflowId)
  say(`Started ${handle.workflowId}`)
  say(`Watch it in the Web UI: ${url}`)
  if (!wait) return true
  // A bar on a terminal; in a log (CI, a pipe) a line per stage or wait, repeated while it lasts.
  const interactive = process.stdout.isTTY === true
  const bar = new SingleBar({ format: '  {bar} {value}/{total} steps | {stage}', hideCursor: true })
  if (interactive) bar.start(1, 0, { stage: 'starting' })
  const notice = waitNotices()
  const follower = followRun(
    { client, handle, taskQueue: config.temporal.taskQueue, hasProgressQuery: true },
    ({ status, progress }) => {
      if (interactive) {
        if (progress) bar.setTotal(Math.max(progress.stepsTotal, 1))
        bar.update(progress?.stepsDone ?? 0, { stage: progress?.stage ?? status?.text ?? 'starting' })
        return
      }
      const line = notice(status, Date.now())
      if (line) say(`  ${line}`)
    },
  )
  let failure: unknown
  try {
    await handle.result()
  } catch (error) {
    failure = error
  } finally {
    await follower.stop()
    if (interactive) bar.stop()
  }
  const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
  try {
    say('')
    say(formatRunSummary(await readRunSummary(sql, runId), config.s3.bucket, url))
  } finally {
    await sql.end()
  }
  if (failure) {
    const cause = (failure as { cause?: Error }).cause
    console.error(`\nThe run failed: ${cause?.message ?? (failure as Error).message}`)
    return false
  }
  return true
}
