// The run report's delivery: built from the warehouse (lib/report/) and uploaded to the bucket
// next to the run's other objects; its key and size are recorded on etl.runs for the summary.
import type { BuildReportInput, ReportResult } from '../lib/contract.ts'
import { reportKeyOf } from '../lib/contract.ts'
import { BadInputError } from '../lib/errors.ts'
import { heartbeat } from '../lib/heartbeat.ts'
import { buildRunReport } from '../lib/report/build-report.ts'
import { webUiRunUrl } from '../lib/temporal.ts'
import type { ActivityContext } from './context.ts'

export const REPORT_CONTENT_TYPE = 'text/html; charset=utf-8'

export function makeBuildReport(context: ActivityContext) {
  /**
   * Idempotent: the stamp the report says it was generated at is kept on the run's first build,
   * so a retry writes the same bytes under the same key. createActivities heartbeats throughout.
   */
  return async function buildReport(input: BuildReportInput): Promise<ReportResult> {
    const { runId } = input
    const [run] = await context.warehouse<{ workflow_id: string; generated_at: Date }[]>`
      update etl.runs set report_generated_at = coalesce(report_generated_at, now())
      where run_id = ${runId}
      returning workflow_id, report_generated_at as generated_at`
    if (!run) throw new BadInputError(`There is no run ${runId} to report on`)
    const { html } = await buildRunReport(context.warehouse, runId, {
      timezone: context.config.timezone,
      webUiUrl: webUiRunUrl(context.config, run.workflow_id),
      generatedAt: run.generated_at,
    })
    heartbeat()
    const body = Buffer.from(html, 'utf8')
    const reportKey = reportKeyOf(runId)
    await context.store.client.putObject(context.store.bucket, reportKey, body, body.length, {
      'Content-Type': REPORT_CONTENT_TYPE,
    })
    // Recorded once the object exists, so a key in the summary always names an object.
    await context.warehouse`
      update etl.runs set report_key = ${reportKey}, report_bytes = ${body.length} where run_id = ${runId}`
    return { reportKey, bytes: body.length }
  }
}
