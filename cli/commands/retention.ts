// paccafe retention [--dry-run]: expires what is older than its configured age and no longer
// needed (docs/retention.md), printing per kind what it expired, or with --dry-run would.
import type { Command } from 'commander'
import { BadInputError } from '../../lib/errors.ts'
import type { RetentionReport } from '../../lib/retention.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'

const REFUSED = 2

export function registerRetentionCommand(program: Command): void {
  program
    .command('retention')
    .description('expire quarantine objects, verdicts, clean rows, load tables and reports older than their ages')
    .option('--dry-run', 'print what would be expired, and change nothing')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The ages are PACCAFE_RETENTION_QUARANTINE_DAYS (30), PACCAFE_RETENTION_VERDICTS_DAYS (90),
PACCAFE_RETENTION_CLEAN_DAYS (90), PACCAFE_RETENTION_STAGING_DAYS (90) and
PACCAFE_RETENTION_REPORTS_DAYS (30). Nothing of an open quarantine batch or an open failed load
is expired: reprocess or discard it first. The latest run's report is always kept.

Example:
  $ paccafe retention --dry-run`,
    )
    .action(async (options: { dryRun?: boolean; json?: boolean }) => {
      const { connect } = await import('../../lib/db.ts')
      const { createObjectStore } = await import('../../lib/object-store.ts')
      const { preflight } = await import('../../lib/preflight.ts')
      const { applyRetention } = await import('../../lib/retention.ts')
      const config = configFromEnvironment()
      await preflight(config, ['warehouse', 's3'])
      const sql = connect(config.warehouseUrl, { name: 'paccafe-retention', max: 1 })
      try {
        const report = await applyRetention(sql, createObjectStore(config.s3), config.retention, {
          dryRun: options.dryRun === true,
        })
        if (options.json) sayJson(report)
        else for (const line of retentionLines(report)) say(line)
      } catch (error) {
        if (!(error instanceof BadInputError)) throw error
        console.error(`paccafe: ${error.message}`)
        process.exitCode = REFUSED
      } finally {
        await sql.end({ timeout: 5 })
      }
    })
}

/** One line per kind, then one per thing kept although old enough, then the lifecycle rules. */
export function retentionLines(report: RetentionReport): string[] {
  const lines = [report.dryRun ? 'retention, dry run: nothing is changed' : 'retention']
  for (const kind of report.kinds) {
    const verb = report.dryRun ? 'would expire' : 'expired'
    const oldest = kind.oldestDays === null ? '' : `, the oldest ${Math.floor(kind.oldestDays)} days old`
    const note = kind.note && kind.expired > 0 ? ` (${kind.note})` : ''
    lines.push(
      `  ${kind.kind.padEnd(20)} older than ${kind.ageDays} days: ${verb} ${kind.expired} ${kind.unit}${oldest}${note}`,
    )
    for (const kept of kind.kept) lines.push(`      kept: ${kept}`)
  }
  const lifecycle = report.lifecycle
  if (lifecycle.state === 'set') lines.push(`  bucket lifecycle rules set: ${lifecycle.rules.join(', ')}`)
  if (lifecycle.state === 'unsupported') {
    lines.push(
      `  bucket lifecycle rules: not supported by this S3 server (${lifecycle.reason}); only this command expires objects`,
    )
  }
  return lines
}
