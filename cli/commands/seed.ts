import type { Command } from 'commander'
import { redactUrl, sourceAdminUrl, userName } from '../../lib/config.ts'
import { connect, ensureDatabase } from '../../lib/db.ts'
import { DEFAULT_GENERATOR_OPTIONS, generatePos, grantReader } from '../../seed/generate-pos.ts'
import { generateSheets, type SheetFormat } from '../../seed/generate-sheets.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('create the demo POS database and fill it with a deterministic dataset, defects included')
    .option(
      '--scale <n>',
      'size: 1 is the real size; customers, orders, lines and movements grow with it',
      parseNumber,
      1,
    )
    .option('--seed <n>', 'random seed: the same seed gives the same data', parseNumber, DEFAULT_GENERATOR_OPTIONS.seed)
    .option('--defect-rate <r>', 'share of rows carrying each kind of defect', parseNumber, 0.05)
    .option('--sheets <format>', 'also write the hand-kept sheets to PACCAFE_SHEETS_DIR: xlsx, csv or none', 'xlsx')
    .option('--replace', 'drop the demo tables first (never use on a real POS database)')
    .action(async (options: { scale: number; seed: number; defectRate: number; sheets: string; replace?: boolean }) => {
      if (!['xlsx', 'csv', 'none'].includes(options.sheets)) throw new Error('--sheets must be xlsx, csv or none')
      const config = configFromEnvironment()
      const adminUrl = sourceAdminUrl(config)
      await ensureDatabase(adminUrl)
      const sql = connect(adminUrl, { name: 'paccafe-seed', max: 1 })
      try {
        const generatorOptions = { scale: options.scale, seed: options.seed, defectRate: options.defectRate }
        const result = await generatePos(sql, generatorOptions, options.replace)
        await grantReader(sql, userName(config.sourceUrl))
        say(`Seeded ${redactUrl(config.sourceUrl)}: ${JSON.stringify(result.rows)}`)
        say(`Planted defects: ${JSON.stringify(result.defects)}`)
        if (options.sheets !== 'none') {
          const sheets = await generateSheets(sql, config.sheets.dir, {
            ...generatorOptions,
            format: options.sheets as SheetFormat,
          })
          say(`Wrote ${sheets.files.join(', ')} to ${config.sheets.dir}: ${JSON.stringify(sheets.rows)}`)
          say(`Planted sheet defects: ${JSON.stringify(sheets.defects)}`)
        }
      } finally {
        await sql.end()
      }
    })
}

function parseNumber(value: string): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0) throw new Error(`expected a non-negative number, not ${value}`)
  return number
}
