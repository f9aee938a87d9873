// What the CLI says about one run, as text and as JSON: its record in etl.runs, its summary
// (lib/run-summary.ts, with the run report's key) once it has ended, its progress while it runs,
// and its Web UI link. The JSON keys are stable: scripts read them (docs/cli.md).
import type { RunProgress } from '../lib/contract.ts'
import type { Sql } from '../lib/db.ts'
import type { RunSummary } from '../lib/run-summary.ts'

/** One row of `paccafe runs`: a run as etl.runs and its accounting record it. */
export interface RunListing {
  runId: string
  workflowId: string
  mode: string
  status: string
  startedAt: string
  finishedAt: string | null
  durationSeconds: number | null
  rowsExtracted: number | null
  rowsPublished: number | null
  rowsRejected: number | null
  /** The run's quarantine batch when it held rows back (its id is the run id). */
  quarantineBatch: { batchId: string; status: string; rowsHeld: number } | null
  /** How it was started, when its id tells: schedule, cli (or another client), or null (the Web UI, a hand-made id). */
  startedBy: 'schedule' | 'cli' | null
  error: string | null
}

/** What `paccafe status` and `paccafe run --json` print. */
export interface RunReport extends RunListing {
  webUiUrl: string
  /** While it runs: the stage, steps done of total, rows so far (from the workflow's progress query). */
  progress: RunProgress | null
  /** What the run waits for now, when it waits (no worker, the writer lock, a retried activity). */
  waiting: string | null
  /** Once it has ended: rows per table, violations per rule, archived objects, the batch, the report's key. */
  summary: RunSummary | null
}

/** A run the warehouse has no record of yet: only its names and how it was started. */
export function unrecordedRun(runId: string, workflowId: string, mode: string, status: string): RunListing {
  return {
    runId,
    workflowId,
    mode,
    status,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    durationSeconds: null,
    rowsExtracted: null,
    rowsPublished: null,
    rowsRejected: null,
    quarantineBatch: null,
    startedBy: startedBy(runId),
    error: null,
  }
}

/** Run ids the CLI makes (lib/temporal.ts newRunId), and those of scheduled runs. */
const CLI_RUN_ID = /^run-\d{8}T\d{6}Z-[a-z]+$/
const SCHEDULED_RUN_ID = /^scheduled-/

export function startedBy(runId: string): RunListing['startedBy'] {
  if (SCHEDULED_RUN_ID.test(runId)) return 'schedule'
  if (CLI_RUN_ID.test(runId)) return 'cli'
  return null
}

interface RunRow {
  run_id: string
  workflow_id: string
  mode: string
  status: string
  started_at: Date
  finished_at: Date | null
  duration_seconds: number | null
  rows_extracted: number | null
  rows_published: number | null
  rows_rejected: number | null
  batch_id: string | null
  batch_status: string | null
  rows_held: number | null
  error: string | null
}

export interface RunFilter {
  limit: number
  status?: string
  mode?: string
  runId?: string
}

/** The latest runs first, as etl.runs, etl.row_accounting and dq.quarantine_batches hold them. */
export async function listRuns(sql: Sql, filter: RunFilter): Promise<RunListing[]> {
  const rows = await sql<RunRow[]>`
    select r.run_id, r.workflow_id, r.mode, r.status, r.started_at, r.finished_at, r.error,
           extract(epoch from r.finished_at - r.started_at)::float8 as duration_seconds,
           a.rows_extracted, a.rows_published, a.rows_rejected,
           b.batch_id, b.status as batch_status, b.rows_held
    from etl.runs as r
    left join lateral (
      select sum(rows_extracted)::int as rows_extracted, sum(rows_published)::int as rows_published,
             sum(rows_rejected)::int as rows_rejected
      from etl.row_accounting where run_id = r.run_id
    ) as a on true
    left join dq.quarantine_batches as b on b.batch_id = r.run_id
    where (${filter.status ?? null}::text is null or r.status = ${filter.status ?? null})
      and (${filter.mode ?? null}::text is null or r.mode = ${filter.mode ?? null})
      and (${filter.runId ?? null}::text is null or r.run_id = ${filter.runId ?? null})
    order by r.started_at desc, r.run_id desc
    limit ${filter.limit}`
  return rows.map(listing)
}

function listing(row: RunRow): RunListing {
  return {
    runId: row.run_id,
    workflowId: row.workflow_id,
    mode: row.mode,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationSeconds: row.duration_seconds === null ? null : Math.round(row.duration_seconds * 10) / 10,
    rowsExtracted: row.rows_extracted,
    rowsPublished: row.rows_published,
    rowsRejected: row.rows_rejected,
    quarantineBatch:
      row.batch_id === null
        ? null
        : { batchId: row.batch_id, status: row.batch_status ?? '?', rowsHeld: row.rows_held ?? 0 },
    startedBy: startedBy(row.run_id),
    error: row.error,
  }
}

const count = (n: number | null) => (n === null ? '-' : String(n))

/** `paccafe runs` as a table: one line per run, the latest first. */
export function formatRunList(runs: RunListing[]): string[] {
  if (runs.length === 0) return ['no runs yet (start one with: paccafe run)']
  const header = ['run', 'mode', 'status', 'started', 'seconds', 'extracted', 'published', 'rejected', 'batch', 'by']
  const rows = runs.map((run) => [
    run.runId,
    run.mode,
    run.status,
    run.startedAt.replace(/\.\d{3}Z$/, 'Z'),
    run.durationSeconds === null ? '-' : run.durationSeconds.toFixed(1),
    count(run.rowsExtracted),
    count(run.rowsPublished),
    count(run.rowsRejected),
    run.quarantineBatch ? `${run.quarantineBatch.status} (${run.quarantineBatch.rowsHeld} held)` : '-',
    run.startedBy ?? '-',
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)))
  const numeric = new Set([4, 5, 6, 7])
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/** The lines of `paccafe status` before the summary (which formatRunSummary prints once the run has ended). */
export function formatRunHead(report: RunReport): string[] {
  const lines = [`Run ${report.runId} (${report.mode}): ${report.status}`]
  const ended = report.finishedAt ? `, ended ${report.finishedAt}` : ''
  const took = report.durationSeconds === null ? '' : ` (${report.durationSeconds.toFixed(1)} s)`
  lines.push(`  started ${report.startedAt}${ended}${took}${report.startedBy ? ` by ${report.startedBy}` : ''}`)
  if (report.progress) lines.push(`  ${progressText(report.progress)}`)
  if (report.waiting) lines.push(`  ${report.waiting}`)
  if (report.error) lines.push(`  error: ${report.error}`)
  lines.push(`  Web UI: ${report.webUiUrl}`)
  return lines
}

/** "extracting: 3/20 steps done, 4,504 rows so far" (rows when the workflow reports them). */
export function progressText(progress: RunProgress): string {
  const rows =
    progress.rowsExtracted === undefined ? '' : `, ${progress.rowsExtracted.toLocaleString('en')} rows so far`
  return `${progress.stage}: ${progress.stepsDone}/${progress.stepsTotal} steps done${rows}`
}
