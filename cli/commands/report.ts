// paccafe report [<run>]: the run report (lib/report/) of one run, built here from the warehouse
// and written to a local file; the latest run when none is named. The copy in the bucket is the
// worker's (activities/build-report.ts).
import type { Command } from 'commander'
import { ConfigurationError, UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say } from '../context.ts'

/** Errors of a path that cannot be written: the person gave a wrong one. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EROFS'])

export function registerReportCommand(program: Command): void {
  program
    .command('report [run]')
    .description("a run's report as one self-contained HTML file (the latest run by default)")
    .option('--out <file>', 'where to write it (default: report-<run>.html in the current folder)')
    .addHelpText(
      'after',
      `
The run is a run id or a workflow id (see: paccafe runs). The same report is in the bucket as
reports/run=<run>/report.html once the run has built it. Exit code 2: no such run, or a path
that cannot be written.

Example:
  $ paccafe report
  $ paccafe report run-20261201T020000Z-full --out /tmp/report.html`,
    )
    .action(async (name: string | undefined, options: { out?: string }) => {
      const config = configFromEnvironment()
      const path = await import('node:path')
      const { writeFile } = await import('node:fs/promises')
      const { preflight } = await import('../../lib/preflight.ts')
      const { connect } = await import('../../lib/db.ts')
      const { runIdOf } = await import('../run-status.ts')
      const { unmigratedWarehouse } = await import('../unmigrated.ts')
      const { buildRunReport } = await import('../../lib/report/build-report.ts')
      const { webUiRunUrl } = await import('../../lib/temporal.ts')
      await preflight(config, ['warehouse'])
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 2 })
      try {
        const wanted = name === undefined ? null : runIdOf(name)
        // The stamp the worker's copy carries, so both copies are the same bytes once it exists.
        const [run] = await sql<{ run_id: string; workflow_id: string; generated_at: Date | null }[]>`
          select run_id, workflow_id, report_generated_at as generated_at from etl.runs
          where ${wanted}::text is null or run_id = ${wanted}
          order by started_at desc, run_id desc limit 1`.catch(reportColumnsMissing)
        if (!run)
          throw new UsageError(
            wanted === null
              ? 'There are no runs yet (start one with: paccafe run)'
              : `There is no run ${wanted} (see: paccafe runs)`,
          )
        const { html } = await buildRunReport(sql, run.run_id, {
          timezone: config.timezone,
          webUiUrl: webUiRunUrl(config, run.workflow_id),
          generatedAt: run.generated_at ?? new Date(),
        })
        const out = path.resolve(options.out ?? `report-${run.run_id}.html`)
        const body = Buffer.from(html, 'utf8')
        await writeFile(out, body).catch((error: NodeJS.ErrnoException) => {
          if (error.code && UNWRITABLE.has(error.code))
            throw new UsageError(`Cannot write the report to ${out} (${error.code})`, { cause: error })
          throw error
        })
        say(`Report of run ${run.run_id}: ${out} (${body.length.toLocaleString('en')} bytes)`)
      } finally {
        await sql.end({ timeout: 5 })
      }

      function reportColumnsMissing(error: { code?: string }): never {
        // undefined_column: a warehouse migrated before the report's columns (0027).
        if (error.code === '42703')
          throw new ConfigurationError(
            'The warehouse has no report columns on etl.runs yet (migration 0027): start a worker once, it applies the migrations',
            { cause: error },
          )
        return unmigratedWarehouse(error)
      }
    })
}
