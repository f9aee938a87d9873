// Reading one run for `paccafe status` and `paccafe run --json`: its record and summary from
// the warehouse, and, while it runs, its progress and what it waits for from Temporal.
import type { Client } from '@temporalio/client'
import type { Config } from '../lib/config.ts'
import { WORKFLOW_ID_PREFIX } from '../lib/contract.ts'
import type { Sql } from '../lib/db.ts'
import { readRunSummary } from '../lib/run-summary.ts'
import { webUiRunUrl, workflowIdFor } from '../lib/temporal.ts'
import { runStatus } from './follow-run.ts'
import { listRuns, type RunReport, unrecordedRun } from './run-report.ts'

/** A run named by its run id or its workflow id (paccafe-pipeline-<run id>). */
export function runIdOf(name: string): string {
  return name.startsWith(WORKFLOW_ID_PREFIX) ? name.slice(WORKFLOW_ID_PREFIX.length) : name
}

/**
 * The run as the warehouse records it, with its summary once it has ended; status `unknown`
 * when the warehouse has no record of it (not started yet, or no such run).
 */
export async function readRunReport(
  sql: Sql,
  config: Config,
  runId: string,
  workflowId = workflowIdFor(runId),
): Promise<RunReport> {
  const [[run], summary] = await Promise.all([listRuns(sql, { limit: 1, runId }), readRunSummary(sql, runId)])
  const base = run ?? unrecordedRun(runId, workflowId, summary.mode, summary.status)
  return {
    ...base,
    webUiUrl: webUiRunUrl(config, base.workflowId),
    progress: null,
    waiting: null,
    summary: run && run.status !== 'running' ? summary : null,
  }
}

/** Whether the warehouse knows the run at all. */
export async function runRecorded(sql: Sql, runId: string): Promise<boolean> {
  const [row] = await sql`select 1 from etl.runs where run_id = ${runId}`
  return row !== undefined
}

/**
 * Adds what Temporal knows of a running run: its stage, steps and rows so far, or what it waits
 * for. Returns the workflow's status name (RUNNING, COMPLETED...), or undefined when it has none.
 */
export async function addLiveStatus(client: Client, report: RunReport): Promise<string | undefined> {
  const handle = client.workflow.getHandle(report.workflowId)
  const description = await handle.describe().catch((error: { name?: string }) => {
    if (error.name === 'WorkflowNotFoundError') return undefined
    throw error
  })
  if (!description) return undefined
  if (description.status.name === 'RUNNING') {
    const look = await runStatus({ client, handle, taskQueue: description.taskQueue, hasProgressQuery: true }).catch(
      () => undefined,
    )
    if (look?.progress) report.progress = look.progress
    else if (look?.status) report.waiting = look.status.text
    if (report.status === 'unknown') report.status = 'running'
  }
  return description.status.name
}
