import type { Command } from 'commander'
import { userName } from '../../lib/config.ts'
import type { Sql } from '../../lib/db.ts'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say } from '../context.ts'

/** The warehouse for one declaration or listing, and the module that keeps them. */
async function withOverrides<T>(
  work: (
    sql: Sql,
    overrides: typeof import('../../lib/quality/duplicate-customers.ts'),
    config: ReturnType<typeof configFromEnvironment>,
  ) => Promise<T>,
): Promise<T> {
  const { connect } = await import('../../lib/db.ts')
  const overrides = await import('../../lib/quality/duplicate-customers.ts')
  const config = configFromEnvironment()
  const sql = connect(config.warehouseUrl, { name: 'paccafe-duplicates', max: 1 })
  try {
    return await work(sql, overrides, config)
  } finally {
    await sql.end()
  }
}

function customerId(value: string): number {
  const id = Number(value)
  if (!Number.isInteger(id) || id <= 0)
    throw new UsageError(`expected a customer id (a positive integer), not ${value}`)
  return id
}

function scale(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--scale expects a positive number, not ${value}`)
  return n
}

export function registerDuplicatesCommand(program: Command): void {
  const duplicates = program
    .command('duplicates')
    .description('duplicate customers: measure the grouping on generated data, or declare pairs for the next run')
    .option('--scale <n>', 'generate a demo POS of this size, group its customers and compare with the truth', scale)
    .option('--seed <n>', 'random seed of the generated data', (value) => customerId(value))
    .option('--keep', 'keep the scratch databases (paccafe_duplicates_<scale>_pos and _wh) to look at')
    .addHelpText(
      'after',
      '\nExample:\n  $ paccafe duplicates --scale 10\n  $ paccafe duplicates same 12 345 --note "same phone, married name"',
    )
    .action(async (options: { scale?: number; seed?: number; keep?: boolean }) => {
      if (options.scale === undefined) {
        duplicates.help()
        return
      }
      const { checkDuplicates, duplicatesLine } = await import('../../seed/check-duplicates.ts')
      const check = await checkDuplicates(configFromEnvironment(), options as { scale: number })
      say(duplicatesLine(check))
    })

  const declare = (name: string, samePerson: boolean, what: string) =>
    duplicates
      .command(`${name} <customer> <other>`)
      .description(`declare two customer records ${what}; the next run applies it`)
      .option('--note <text>', 'why (kept with the declaration)')
      .addHelpText('after', `\nExample:\n  $ paccafe duplicates ${name} 12 345 --note "checked with the branch"`)
      .action(async (customer: string, other: string, options: { note?: string }) => {
        await withOverrides(async (sql, overrides, config) => {
          await overrides.declareOverride(
            sql,
            customerId(customer),
            customerId(other),
            samePerson,
            options.note ?? null,
            userName(config.warehouseUrl),
          )
          say(`Declared customers ${customer} and ${other} ${what}; the next run applies it.`)
        })
      })
  declare('same', true, 'the same person')
  declare('different', false, 'different people')

  duplicates
    .command('withdraw <customer> <other>')
    .description('take a declaration back: the next run judges the pair by the rules again')
    .addHelpText('after', '\nExample:\n  $ paccafe duplicates withdraw 12 345')
    .action(async (customer: string, other: string) => {
      await withOverrides(async (sql, overrides) => {
        const found = await overrides.withdrawOverride(sql, customerId(customer), customerId(other))
        say(
          found
            ? `Withdrew the declaration on customers ${customer} and ${other}.`
            : `Nothing was declared on customers ${customer} and ${other}.`,
        )
      })
    })

  duplicates
    .command('overrides')
    .description('the declared pairs, oldest first')
    .addHelpText('after', '\nExample:\n  $ paccafe duplicates overrides')
    .action(async () => {
      await withOverrides(async (sql, overrides) => {
        for (const o of await overrides.listOverrides(sql)) {
          const verdict = o.samePerson ? 'same person' : 'different people'
          say(
            `${o.customerId} ${o.matchedCustomerId} ${verdict} by ${o.decidedBy} ${o.decidedAt.toISOString()}${o.note ? `: ${o.note}` : ''}`,
          )
        }
      })
    })
}
