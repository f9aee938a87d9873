// paccafe status <run>: one run: its status, its stage and progress while it runs (or what it
// waits for), its summary once it has ended, and its Web UI link.
import type { Command } from 'commander'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'

export function registerStatusCommand(program: Command): void {
  program
    .command('status <run>')
    .description('one run (its run id or workflow id): status, progress while it runs, summary once ended, Web UI link')
    .option('--json', 'print the run as one JSON document')
    .addHelpText(
      'after',
      `
Exit code 0 whatever the run's status (read it from the output); 2: no such run.

Example:
  $ paccafe status run-20261201T020000Z-full
  $ paccafe status "$(paccafe runs --limit 1 --json | jq -r '.[0].runId')" --json | jq .status`,
    )
    .action(async (name: string, options: { json?: boolean }) => {
      const config = configFromEnvironment()
      const { preflight } = await import('../../lib/preflight.ts')
      const { connect } = await import('../../lib/db.ts')
      const { addLiveStatus, readRunReport, runIdOf, runRecorded } = await import('../run-status.ts')
      const { unmigratedWarehouse } = await import('../unmigrated.ts')
      await preflight(config, ['warehouse'])
      const runId = runIdOf(name)
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      try {
        const report = await readRunReport(sql, config, runId).catch(unmigratedWarehouse)
        const recorded = await runRecorded(sql, runId)
        // Temporal is asked only when the warehouse cannot tell: a run still running, or not recorded yet.
        if (!recorded || report.status === 'running') {
          const { connectClient } = await import('../../lib/temporal.ts')
          const client = await connectClient(config)
          try {
            const workflowStatus = await addLiveStatus(client, report)
            if (!recorded && workflowStatus === undefined)
              throw new UsageError(`There is no run ${runId} (see: paccafe runs)`)
            if (!recorded && workflowStatus !== 'RUNNING') report.status = workflowStatus?.toLowerCase() ?? 'unknown'
          } finally {
            await client.connection.close()
          }
        }
        if (options.json) return sayJson(report)
        const { formatRunHead } = await import('../run-report.ts')
        for (const line of formatRunHead(report)) say(line)
        if (report.summary) {
          const { formatRunSummary } = await import('../../lib/run-summary.ts')
          say('')
          say(formatRunSummary(report.summary, config.s3.bucket, report.webUiUrl))
        }
      } finally {
        await sql.end({ timeout: 5 })
      }
    })
}
