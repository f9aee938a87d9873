import type { Command } from 'commander'
import { ConfigurationError } from '../../lib/errors.ts'
import { JOURNEY_TABLES, type JourneyEvent } from '../../lib/quality/row-journey.ts'
import { configFromEnvironment, say } from '../context.ts'

/** Exit codes: 0 the journey printed, 1 the key was never seen, 2 the table is not a source table. */
export const JOURNEY_EXIT = { printed: 0, neverSeen: 1, unknownTable: 2 } as const

export function registerJourneyCommand(program: Command): void {
  program
    .command('journey <table> <natural-key>')
    .description(
      "a source row's journey: the runs that staged it, its violations, quarantine, corrections, reprocessing and publication, in order",
    )
    .option('--json', 'print the same facts as JSON')
    .addHelpText(
      'after',
      `
The natural key is the source key's value (order_details 1042), or a sheet's key columns joined
with | (stock_count '2024-03-01|Main|17'). Exit code 0: the journey was printed; 1: nothing was
ever recorded of that key; 2: not a source table (${JOURNEY_TABLES.join(', ')}).

Example:
  $ paccafe journey order_details 1042
  $ paccafe journey stock_count '2024-03-01|Main|17' --json`,
    )
    .action(async (table: string, naturalKey: string, options: { json?: boolean }) => {
      if (!JOURNEY_TABLES.includes(table)) {
        console.error(`paccafe: unknown table ${JSON.stringify(table)}; the tables are ${JOURNEY_TABLES.join(', ')}`)
        process.exitCode = JOURNEY_EXIT.unknownTable
        return
      }
      const { connect } = await import('../../lib/db.ts')
      const { preflight } = await import('../../lib/preflight.ts')
      const { rowJourney } = await import('../../lib/quality/row-journey.ts')
      const config = configFromEnvironment()
      await preflight(config, ['warehouse'])
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      let events: JourneyEvent[]
      try {
        events = await rowJourney(sql, table, naturalKey).catch((error: { code?: string }) => {
          // No such function (42883) or schema (3F000): the warehouse's migrations are older.
          if (error.code === '42883' || error.code === '3F000') {
            throw new ConfigurationError(
              'The warehouse has no dq.row_journey yet (migration 0020): start a worker once, it applies the migrations',
              { cause: error },
            )
          }
          throw error
        })
      } finally {
        await sql.end()
      }
      if (events.length === 0) process.exitCode = JOURNEY_EXIT.neverSeen
      if (options.json) {
        say(JSON.stringify({ table, naturalKey, timezone: config.timezone, events }, null, 2))
        return
      }
      if (events.length === 0) {
        say(`${table} ${naturalKey}: never seen (no run staged it, and no violation, correction or request names it)`)
        return
      }
      printEvents(events, config.timezone)
    })
}

/** One line per event, in aligned columns: #, when (local time), event, run, summary. */
function printEvents(events: JourneyEvent[], timezone: string): void {
  const rows = events.map((e) => [String(e.seq), e.at ? localTime(e.at, timezone) : '-', e.event, e.runId ?? '-'])
  const header = ['#', `at (${timezone})`, 'event', 'run']
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)))
  const line = (cells: string[], summary: string) =>
    `${cells.map((cell, i) => (i === 0 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ')}  ${summary}`
  say(line(header, 'summary'))
  rows.forEach((row, i) => {
    say(line(row, (events[i] as JourneyEvent).summary))
  })
}

/** `2026-03-01 17:00:05` in the cafe's time zone. */
function localTime(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant)
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`
}
