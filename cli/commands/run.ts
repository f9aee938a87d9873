// paccafe run: start a pipeline run, follow it (a progress bar on a terminal, plain lines in a
// log) and print its summary; --json prints the same facts as one JSON document. The run's end
// is learnt from its result, a long poll; the looks at its progress only feed the display.
import type { Client } from '@temporalio/client'
import type { Command } from 'commander'
import type { Config } from '../../lib/config.ts'
import type { RunMode } from '../../lib/contract.ts'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, notice, say, sayJson } from '../context.ts'
import { RunFailedError } from '../exit-codes.ts'
import { type RunReport, unrecordedRun } from '../run-report.ts'

interface RunOptions {
  mode: string
  wait: boolean
  follow?: boolean
  json?: boolean
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start one pipeline run through Temporal, show its progress and print its summary')
    .option('--mode <mode>', 'full or incremental', 'full')
    .option('--follow', 'follow the run to its end and print its summary (the default)')
    .option('--no-wait', 'start the run and return its workflow id without waiting')
    .option('--json', 'print the run (with its summary once ended) as one JSON document; notices go to stderr')
    .addHelpText(
      'after',
      `
On a terminal a bar shows the stage, the steps done of total and the rows so far; otherwise a
line per stage or wait. Exit code 0: the run succeeded; 3: it failed (its summary is printed
first); 2: a bad option or setting; 4: a service cannot be reached.

Example:
  $ paccafe run --mode incremental --follow
  $ paccafe run --json | jq '.summary.tables'`,
    )
    .action(async (options: RunOptions) => {
      if (options.mode !== 'full' && options.mode !== 'incremental') {
        throw new UsageError(`--mode must be full or incremental, not ${JSON.stringify(options.mode)}`)
      }
      if (options.follow && !options.wait) throw new UsageError('give --follow or --no-wait, not both')
      const config = configFromEnvironment()
      const { connectClient } = await import('../../lib/temporal.ts')
      const { preflight } = await import('../../lib/preflight.ts')
      // The summary is read from the warehouse at the end: better to know now that it cannot be.
      const [client, warehouse] = await Promise.allSettled([connectClient(config), preflight(config, ['warehouse'])])
      if (client.status === 'rejected' || warehouse.status === 'rejected') {
        if (client.status === 'fulfilled') await client.value.connection.close()
        throw client.status === 'rejected' ? client.reason : (warehouse as PromiseRejectedResult).reason
      }
      try {
        const report = await runPipeline(config, client.value, options.mode, {
          wait: options.wait,
          json: options.json === true,
        })
        if (report.status === 'failed') throw new RunFailedError(`The run failed: ${report.error ?? 'see its summary'}`)
      } finally {
        await client.value.connection.close()
      }
    })
}

export interface RunPipelineOptions {
  wait?: boolean
  /** Print one JSON document on stdout, and every notice on stderr. */
  json?: boolean
}

/**
 * Starts a run, follows it with a progress display, prints its summary (or its JSON) and
 * returns what it printed.
 */
export async function runPipeline(
  config: Config,
  client: Client,
  mode: RunMode,
  { wait = true, json = false }: RunPipelineOptions = {},
): Promise<RunReport> {
  const { startPipelineRun } = await import('../../client/start-runs.ts')
  const { connect } = await import('../../lib/db.ts')
  const { newRunId, webUiRunUrl } = await import('../../lib/temporal.ts')
  const { followWithDisplay } = await import('../progress-display.ts')
  const { readRunReport } = await import('../run-status.ts')
  const tell = json ? notice : say
  const runId = newRunId(mode)
  // Opened now, so that the summary at the end does not wait for a new session.
  const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
  try {
    // The run belongs to this CLI's warehouse, whichever worker records its start.
    const { deploymentOf } = await import('../../lib/deployment.ts')
    const deployment = await deploymentOf(sql)
    const handle = await startPipelineRun(client, config.temporal.taskQueue, { runId, mode }, deployment)
    const url = webUiRunUrl(config, handle.workflowId)
    tell(`Started ${handle.workflowId}`)
    tell(`Watch it in the Web UI: ${url}`)
    if (!wait) {
      const started: RunReport = {
        ...emptyReport(runId, handle.workflowId, mode, url),
        status: 'running',
      }
      if (json) sayJson(started)
      return started
    }
    const display = followWithDisplay(client, handle, config.temporal.taskQueue, { toStderr: json })
    const failure = await handle.result().then(
      () => undefined,
      (error: Error) => error,
    )
    await display.stop()
    const report = await readRunReport(sql, config, runId, handle.workflowId)
    if (failure && report.error === null) report.error = failureMessage(failure)
    if (failure && report.status !== 'failed') report.status = 'failed'
    if (json) sayJson(report)
    else {
      const { formatRunSummary } = await import('../../lib/run-summary.ts')
      say('')
      if (report.summary) say(formatRunSummary(report.summary, config.s3.bucket, url))
    }
    return report
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** The cause a failed workflow gives (the line the run failed with), else its own message. */
function failureMessage(failure: Error): string {
  return (failure.cause as Error | undefined)?.message ?? failure.message
}

function emptyReport(runId: string, workflowId: string, mode: string, webUiUrl: string): RunReport {
  return {
    ...unrecordedRun(runId, workflowId, mode, 'unknown'),
    startedBy: 'cli',
    webUiUrl,
    progress: null,
    waiting: null,
    summary: null,
  }
}
