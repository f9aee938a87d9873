import type { Command } from 'commander'
import { userName } from '../../lib/config.ts'
import { connect } from '../../lib/db.ts'
import { UsageError } from '../../lib/errors.ts'
import { declareOverride, listOverrides, withdrawOverride } from '../../lib/quality/duplicate-customers.ts'
import { checkDuplicates, duplicatesLine } from '../../seed/check-duplicates.ts'
import { configFromEnvironment, say } from '../context.ts'

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
      '\nExample:\n  paccafe duplicates --scale 10\n  paccafe duplicates same 12 345 --note "same phone, married name"',
    )
    .action(async (options: { scale?: number; seed?: number; keep?: boolean }) => {
      if (options.scale === undefined) {
        duplicates.help()
        return
      }
      const check = await checkDuplicates(configFromEnvironment(), options as { scale: number })
      say(duplicatesLine(check))
    })

  const declare = (name: string, samePerson: boolean, what: string) =>
    duplicates
      .command(`${name} <customer> <other>`)
      .description(`declare two customer records ${what}; the next run applies it`)
      .option('--note <text>', 'why (kept with the declaration)')
      .action(async (customer: string, other: string, options: { note?: string }) => {
        const config = configFromEnvironment()
        const sql = connect(config.warehouseUrl, { name: 'paccafe-duplicates', max: 1 })
        try {
          await declareOverride(
            sql,
            customerId(customer),
            customerId(other),
            samePerson,
            options.note ?? null,
            userName(config.warehouseUrl),
          )
          say(`Declared customers ${customer} and ${other} ${what}; the next run applies it.`)
        } finally {
          await sql.end()
        }
      })
  declare('same', true, 'the same person')
  declare('different', false, 'different people')

  duplicates
    .command('withdraw <customer> <other>')
    .description('take a declaration back: the next run judges the pair by the rules again')
    .action(async (customer: string, other: string) => {
      const config = configFromEnvironment()
      const sql = connect(config.warehouseUrl, { name: 'paccafe-duplicates', max: 1 })
      try {
        const found = await withdrawOverride(sql, customerId(customer), customerId(other))
        say(
          found
            ? `Withdrew the declaration on customers ${customer} and ${other}.`
            : `Nothing was declared on customers ${customer} and ${other}.`,
        )
      } finally {
        await sql.end()
      }
    })

  duplicates
    .command('overrides')
    .description('the declared pairs, oldest first')
    .action(async () => {
      const config = configFromEnvironment()
      const sql = connect(config.warehouseUrl, { name: 'paccafe-duplicates', max: 1 })
      try {
        for (const o of await listOverrides(sql)) {
          const verdict = o.samePerson ? 'same person' : 'different people'
          say(
            `${o.customerId} ${o.matchedCustomerId} ${verdict} by ${o.decidedBy} ${o.decidedAt.toISOString()}${o.note ? `: ${o.note}` : ''}`,
          )
        }
      } finally {
        await sql.end()
      }
    })
}
