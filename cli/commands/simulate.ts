import type { Command } from 'commander'
import { redactUrl, sourceAdminUrl } from '../../lib/config.ts'
import { connect } from '../../lib/db.ts'
import { simulateDays } from '../../seed/simulate.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('append days of new activity (orders, customers, movements, updates, voids) to the demo POS')
    .option('--days <n>', 'how many days to append', (v) => Number.parseInt(v, 10), 1)
    .action(async (options: { days: number }) => {
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
