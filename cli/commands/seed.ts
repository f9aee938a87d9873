import type { Command } from 'commander'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('create the demo POS database and fill it with a deterministic dataset, defects included')
    .option(
      '--scale <n>',
      'size: 1 is the real size; customers, orders, lines and movements grow with it',
      parseNumber('--scale'),
      1,
    )
    .option(
      '--seed <n>',
      "random seed: the same seed gives the same data (default: the demo's, 42)",
      parseNumber('--seed'),
    )
    .option('--defect-rate <r>', 'share of rows carrying each kind of defect', parseNumber('--defect-rate'), 0.05)
    .option('--sheets <format>', 'also write the hand-kept sheets to PACCAFE_SHEETS_DIR: xlsx, csv or none', 'xlsx')
    .option('--replace', 'drop the demo tables first (never use on a real POS database)')
    .addHelpText(
      'after',
      `
Refuses a source database that has tables (exit code 2) unless --replace is given.

Example:
  $ paccafe seed --scale 10 --sheets csv`,
    )
    .action(
      async (options: { scale: number; seed?: number; defectRate: number; sheets: string; replace?: boolean }) => {
        if (!['xlsx', 'csv', 'none'].includes(options.sheets))
          throw new UsageError(`--sheets must be xlsx, csv or none, not ${JSON.stringify(options.sheets)}`)
        const { redactUrl, sourceAdminUrl, userName } = await import('../../lib/config.ts')
        const { connect, ensureDatabase } = await import('../../lib/db.ts')
        const { DEFAULT_GENERATOR_OPTIONS, generatePos, grantReader } = await import('../../seed/generate-pos.ts')
        const { generateSheets } = await import('../../seed/generate-sheets.ts')
        const config = configFromEnvironment()
        const adminUrl = sourceAdminUrl(config)
        await ensureDatabase(adminUrl)
        const sql = connect(adminUrl, { name: 'paccafe-seed', max: 1 })
        try {
          const generatorOptions = {
            scale: options.scale,
            seed: options.seed ?? DEFAULT_GENERATOR_OPTIONS.seed,
            defectRate: options.defectRate,
          }
          const result = await generatePos(sql, generatorOptions, options.replace)
          await grantReader(sql, userName(config.sourceUrl))
          say(`Seeded ${redactUrl(config.sourceUrl)}: ${JSON.stringify(result.rows)}`)
          say(`Planted defects: ${JSON.stringify(result.defects)}`)
          if (options.sheets !== 'none') {
            const sheets = await generateSheets(sql, config.sheets.dir, {
              ...generatorOptions,
              format: options.sheets as 'xlsx' | 'csv',
            })
            say(`Wrote ${sheets.files.join(', ')} to ${config.sheets.dir}: ${JSON.stringify(sheets.rows)}`)
            say(`Planted sheet defects: ${JSON.stringify(sheets.defects)}`)
          }
        } finally {
          await sql.end()
        }
      },
    )
}

function parseNumber(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value)
    if (!Number.isFinite(number) || number < 0)
      throw new UsageError(`${flag} expects a non-negative number, not ${JSON.stringify(value)}`)
    return number
  }
}
