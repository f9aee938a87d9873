// What the cafe must see after a run: rows per table, violations per rule, and where the
// archived rows and the run report are. Read from the meta tables, so it works for any run,
// finished or not.
import type { Sql } from './db.ts'

/** One row of etl.row_accounting, as stored: rows_extracted = rows_published + rows_rejected. */
export interface RowAccountingRecord {
  table_name: string
  rows_extracted: number
  rows_published: number
  rows_rejected: number
  rows_deleted: number
  difference: number
}

export interface RunSummary {
  runId: string
  status: string
  mode: string
  staged: {
    table_name: string
    source: string
    rows_read: number
    rows_inserted: number
    rows_updated: number
    rows_unchanged: number
    rows_rejected: number
    rows_deleted: number
  }[]
  tables: RowAccountingRecord[]
  rules: { rule_name: string; table_name: string; severity: string; rows_checked: number; rows_failed: number }[]
  objects: { object_key: string; row_count: number }[]
  /** The run's quarantine batch, when it held rows back. */
  batch?: { batch_id: string; status: string; rows_held: number; workflow_id: string }
  /** What a failed run archived for reprocess-load. */
  failedLoads: { failed_load_id: string; object_key: string; rows_archived: number | null; status: string }[]
  /** The run report's object in the bucket, once uploaded (etl.runs records it after the upload). */
  report: { report_key: string; report_bytes: number } | null
}

export async function readRunSummary(sql: Sql, runId: string): Promise<RunSummary> {
  const [run] = await sql<{ status: string; mode: string; report_key: string | null; report_bytes: number | null }[]>`
    select status, mode, report_key, report_bytes::int as report_bytes from etl.runs where run_id = ${runId}`
  const staged = await sql<RunSummary['staged']>`
    select table_name, source, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, rows_deleted
    from etl.batches where run_id = ${runId} order by source, table_name`
  const tables = await sql<RunSummary['tables']>`
    select table_name, rows_extracted, rows_published, rows_rejected, rows_deleted, difference
    from etl.row_accounting where run_id = ${runId} order by table_name`
  const rules = await sql<RunSummary['rules']>`
    select r.rule_name, r.table_name, coalesce(c.severity, '?') as severity, r.rows_checked, r.rows_failed
    from dq.rule_results r left join dq.rules c using (rule_name)
    where r.run_id = ${runId} order by r.table_name, r.rule_name`
  const objects = await sql<RunSummary['objects']>`
    select object_key, row_count from dq.quarantine_objects where run_id = ${runId} order by object_key`
  const [batch] = await sql<NonNullable<RunSummary['batch']>[]>`
    select batch_id, status, rows_held, workflow_id from dq.quarantine_batches where batch_id = ${runId}`
  const failedLoads = await sql<RunSummary['failedLoads']>`
    select failed_load_id, object_key, rows_archived, status from etl.failed_loads where run_id = ${runId}
    order by failed_load_id`
  return {
    runId,
    status: run?.status ?? 'unknown',
    mode: run?.mode ?? '?',
    staged,
    tables,
    rules,
    objects,
    ...(batch ? { batch } : {}),
    failedLoads,
    report: run?.report_key ? { report_key: run.report_key, report_bytes: run.report_bytes ?? 0 } : null,
  }
}

export function formatRunSummary(summary: RunSummary, bucket: string, webUiUrl: string): string {
  const lines: string[] = []
  lines.push(`Run ${summary.runId} (${summary.mode}): ${summary.status}`)
  lines.push('')
  lines.push('Extracted into staging (read = new + changed + unchanged + rejected):')
  lines.push(
    `  ${'table'.padEnd(20)} ${'source'.padEnd(7)} ${'read'.padStart(8)} ${'new'.padStart(8)} ${'changed'.padStart(8)} ${'same'.padStart(8)} ${'rejected'.padStart(8)} ${'deleted'.padStart(7)}`,
  )
  for (const b of summary.staged) {
    lines.push(
      `  ${b.table_name.padEnd(20)} ${b.source.padEnd(7)} ${String(b.rows_read).padStart(8)} ${String(b.rows_inserted).padStart(8)} ${String(b.rows_updated).padStart(8)} ${String(b.rows_unchanged).padStart(8)} ${String(b.rows_rejected).padStart(8)} ${String(b.rows_deleted).padStart(7)}`,
    )
  }
  lines.push('')
  lines.push('Published (extracted = published + rejected):')
  lines.push(
    `  ${'table'.padEnd(20)} ${'extracted'.padStart(9)} ${'published'.padStart(9)} ${'rejected'.padStart(8)} ${'deleted'.padStart(7)} ${'diff'.padStart(5)}`,
  )
  for (const t of summary.tables) {
    lines.push(
      `  ${t.table_name.padEnd(20)} ${String(t.rows_extracted).padStart(9)} ${String(t.rows_published).padStart(9)} ${String(t.rows_rejected).padStart(8)} ${String(t.rows_deleted).padStart(7)} ${String(t.difference).padStart(5)}`,
    )
  }
  lines.push('')
  lines.push('Violations per rule:')
  for (const r of summary.rules) {
    lines.push(
      `  ${r.rule_name.padEnd(42)} ${r.severity.padEnd(8)} ${String(r.rows_failed).padStart(5)} of ${r.rows_checked}`,
    )
  }
  lines.push('')
  lines.push(summary.objects.length > 0 ? `Archived rows (bucket ${bucket}):` : 'Archived rows: none')
  for (const o of summary.objects) lines.push(`  s3://${bucket}/${o.object_key}  (${o.row_count} rows)`)
  if (summary.batch) {
    lines.push('')
    lines.push(
      `Quarantine batch ${summary.batch.batch_id}: ${summary.batch.rows_held} rows held back, ${summary.batch.status} ` +
        `(paccafe batch ${summary.batch.batch_id}; workflow ${summary.batch.workflow_id})`,
    )
  }
  if (summary.failedLoads.length > 0) {
    lines.push('')
    lines.push('Failed loads archived (replay with: paccafe reprocess-load <id>):')
    for (const f of summary.failedLoads) {
      const rows = f.rows_archived === null ? 'a file' : `${f.rows_archived} rows`
      lines.push(`  ${f.failed_load_id}  s3://${bucket}/${f.object_key}  (${rows}, ${f.status})`)
    }
  }
  if (summary.report) {
    lines.push('')
    lines.push(
      `Report: s3://${bucket}/${summary.report.report_key}  (${summary.report.report_bytes.toLocaleString('en')} bytes; ` +
        `a copy here: paccafe report ${summary.runId})`,
    )
  }
  lines.push('')
  lines.push(`Web UI: ${webUiUrl}`)
  return lines.join('\n')
}
