// paccafe runs: the latest pipeline runs, as the warehouse recorded them (etl.runs, their row
// accounting and quarantine batches).
import type { Command } from 'commander'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'

const STATUSES = ['running', 'succeeded', 'failed']
const MODES = ['full', 'incremental', 'models', 'reprocess', 'reload']

export function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('the latest runs: mode, status, start, duration, rows published and rejected, quarantine batch')
    .option('--limit <n>', 'how many runs, the latest first (1 to 1000)', '20')
    .option('--status <status>', `only runs in this status (${STATUSES.join(', ')})`)
    .option('--mode <mode>', `only runs of this mode (${MODES.join(', ')})`)
    .option('--json', 'print the runs as one JSON array')
    .addHelpText(
      'after',
      `
"by" says how a run was started when its id tells: schedule, or cli (paccafe, or another client);
a run started from the Web UI with an id of its own shows "-".

Example:
  $ paccafe runs --limit 5
  $ paccafe runs --status failed --json | jq -r '.[].runId'`,
    )
    .action(async (options: { limit: string; status?: string; mode?: string; json?: boolean }) => {
      const limit = Number(options.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new UsageError(`--limit must be a whole number from 1 to 1000, not ${JSON.stringify(options.limit)}`)
      if (options.status !== undefined && !STATUSES.includes(options.status))
        throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(options.status)}`)
      if (options.mode !== undefined && !MODES.includes(options.mode))
        throw new UsageError(`--mode must be one of ${MODES.join(', ')}, not ${JSON.stringify(options.mode)}`)
      const config = configFromEnvironment()
      const { preflight } = await import('../../lib/preflight.ts')
      const { connect } = await import('../../lib/db.ts')
      const { formatRunList, listRuns } = await import('../run-report.ts')
      const { unmigratedWarehouse } = await import('../unmigrated.ts')
      await preflight(config, ['warehouse'])
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      try {
        const runs = await listRuns(sql, {
          limit,
          ...(options.status ? { status: options.status } : {}),
          ...(options.mode ? { mode: options.mode } : {}),
        }).catch(unmigratedWarehouse)
        if (options.json) sayJson(runs)
        else for (const line of formatRunList(runs)) say(line)
      } finally {
        await sql.end({ timeout: 5 })
      }
    })
}
