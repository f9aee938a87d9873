import type { Command } from 'commander'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say } from '../context.ts'

function days(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--days expects a whole number of 1 or more, not ${JSON.stringify(value)}`)
  return n
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('append days of new activity (orders, customers, movements, updates, voids) to the demo POS')
    .option('--days <n>', 'how many days to append', days, 1)
    .addHelpText('after', '\nExample:\n  $ paccafe simulate --days 3 && paccafe run --mode incremental')
    .action(async (options: { days: number }) => {
      const { redactUrl, sourceAdminUrl } = await import('../../lib/config.ts')
      const { connect } = await import('../../lib/db.ts')
      const { simulateDays } = await import('../../seed/simulate.ts')
      const config = configFromEnvironment()
      const sql = connect(sourceAdminUrl(config), { name: 'paccafe-simulate', max: 1 })
      try {
        const result = await simulateDays(sql, options.days)
        say(`Simulated ${result.days} day(s) from ${result.fromDay} in ${redactUrl(config.sourceUrl)}`)
        say(
          `Inserted: ${JSON.stringify(result.inserted)}; updated in place: ${JSON.stringify(result.updated)}; deleted: ${JSON.stringify(result.deleted)}`,
        )
      } finally {
        await sql.end()
      }
    })
}
