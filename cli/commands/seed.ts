import type { Command } from 'commander'
import { redactUrl } from '../../lib/config.ts'
import { connect, ensureDatabase } from '../../lib/db.ts'
import { DEFAULT_SEED_OPTIONS, seedDemoPos } from '../../seed/demo-pos.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('create the demo POS database and fill it with a deterministic dataset, defects included')
    .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), DEFAULT_SEED_OPTIONS.seed)
    .option('--replace', 'drop the demo tables first (never use on a real POS database)')
    .action(async (options: { seed: number; replace?: boolean }) => {
      const config = configFromEnvironment()
      await ensureDatabase(config.sourceUrl)
      const sql = connect(config.sourceUrl, { name: 'paccafe-seed', max: 1 })
      try {
        const result = await seedDemoPos(sql, { ...DEFAULT_SEED_OPTIONS, seed: options.seed }, options.replace)
        say(`Seeded ${redactUrl(config.sourceUrl)}: ${JSON.stringify(result.rows)}`)
        say(`Planted defects: ${JSON.stringify(result.defects)}`)
      } finally {
        await sql.end()
      }
    })
}
