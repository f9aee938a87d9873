// paccafe schedule create|list|describe|pause|unpause|trigger|backfill|delete|init: the
// pipeline's Temporal schedules (docs/schedules.md). Schedules are named (`hourly-incremental`);
// their ids carry the task queue when it is not the default, so each deployment sees its own.
import { userInfo } from 'node:os'
import type { Client } from '@temporalio/client'
import type { Command } from 'commander'
import type { ScheduleFacts } from '../../client/schedules.ts'
import type { Config } from '../../lib/config.ts'
import { preflight } from '../../lib/preflight.ts'
import {
  assertBackfillRange,
  assertScheduleName,
  parseBackfillOverlap,
  parseCatchupWindow,
  parseInstant,
  parseMode,
  parseOverlap,
  parseScheduleTime,
} from '../../lib/schedules.ts'
import { connectClient } from '../../lib/temporal.ts'
import { configFromEnvironment, say } from '../context.ts'

type SchedulesApi = typeof import('../../client/schedules.ts')

/**
 * Runs `work` with a client of the configured server, closed after, and the schedules' client
 * code, loaded only now: it imports every workflow, which other commands need not load.
 */
async function withClient<T>(work: (client: Client, config: Config, api: SchedulesApi) => Promise<T>): Promise<T> {
  const config = configFromEnvironment()
  const api = await import('../../client/schedules.ts')
  const client = await connectClient(config)
  try {
    return await work(client, config, api)
  } finally {
    await client.connection.close()
  }
}

function checkedName(name: string): string {
  assertScheduleName(name)
  return name
}

const who = () => userInfo().username

/** One line of a schedule: name, what and when, policies, state. */
export function scheduleLine(facts: ScheduleFacts): string {
  const state = facts.paused ? `paused (${facts.note || 'no note'})` : 'active'
  const next = facts.paused ? '' : `  next ${facts.nextRuns[0] ?? '-'}`
  const last = facts.recentRuns.at(-1)
  return (
    `${facts.name.padEnd(22)} ${facts.mode.padEnd(11)} at ${facts.at} ${facts.timezone}  overlap ${facts.overlap}, ` +
    `catch-up ${facts.catchupWindow}  ${state}${next}  last ${last ? last.workflowId : '-'}`
  )
}

/** Every fact of one schedule, a line each. */
export function scheduleDetails(facts: ScheduleFacts): string[] {
  return [
    `schedule ${facts.name} (${facts.scheduleId})`,
    `  runs:             pipelineRun ${JSON.stringify({ mode: facts.mode })} on task queue ${facts.taskQueue}`,
    `  when:             ${facts.at} in ${facts.timezone}`,
    `  overlap:          ${facts.overlap}   catch-up window: ${facts.catchupWindow}   pause on failure: ${facts.pauseOnFailure}`,
    `  state:            ${facts.paused ? 'paused' : 'active'}${facts.note ? `: ${facts.note}` : ''}`,
    `  workflow ids:     ${facts.workflowId}-<nominal time>`,
    `  deployment:       ${facts.deployment ?? '-'}`,
    `  actions:          ${facts.actionsTaken} taken, ${facts.skippedOverlap} skipped (overlap), ${facts.missedCatchupWindow} missed (catch-up window), ${facts.buffered} buffered`,
    `  running:          ${facts.runningWorkflows.join(', ') || '-'}`,
    `  next:             ${facts.nextRuns.slice(0, 3).join(', ') || '-'}${facts.paused ? ' (once unpaused)' : ''}`,
    ...facts.recentRuns.map((run) => `  recent:           ${run.workflowId} (taken ${run.takenAt})`),
  ]
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program
    .command('schedule')
    .description("the pipeline's Temporal schedules: hourly incremental and nightly full runs, and your own")
    .addHelpText(
      'after',
      `
Example:
  $ paccafe schedule init && paccafe schedule list
Schedules fire in PACCAFE_TIMEZONE; see docs/schedules.md.`,
    )

  schedule
    .command('init')
    .description(
      'create the default schedules (hourly incremental at minute 0, nightly full at 02:00); existing ones are updated or left',
    )
    .option('--overlap <policy>', 'skip or buffer-one: what a firing during a run does', 'skip')
    .option('--paused', 'create them paused (existing ones keep their state)')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule init --overlap buffer-one')
    .action(async (options: { overlap: string; paused?: boolean }) => {
      const overlap = parseOverlap(options.overlap)
      await withClient(async (client, config, api) => {
        await preflight(config, ['warehouse'])
        const outcomes = await api.initSchedules(client, config, {
          overlap,
          paused: options.paused === true,
          note: options.paused ? `created paused by ${who()} with paccafe schedule init` : undefined,
        })
        for (const { name, scheduleId, outcome } of outcomes)
          say(`${name.padEnd(22)} ${outcome.padEnd(9)} ${scheduleId}`)
      })
    })

  schedule
    .command('create <name>')
    .description('create a schedule of pipeline runs of one mode, every day at a time or every hour at a minute')
    .requiredOption('--mode <mode>', 'full or incremental')
    .requiredOption('--at <time>', 'HH:MM every day, or *:MM every hour, in PACCAFE_TIMEZONE')
    .option('--overlap <policy>', 'skip or buffer-one: what a firing during a run does', 'skip')
    .option('--catchup-window <duration>', 'how late a firing missed while the server was down is still taken', '1h')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with its state')
    .addHelpText(
      'after',
      `
Examples:
  $ paccafe schedule create evening-full --mode full --at 21:30
  $ paccafe schedule create half-past --mode incremental --at '*:30' --overlap buffer-one`,
    )
    .action(
      async (
        name: string,
        options: { mode: string; at: string; overlap: string; catchupWindow: string; paused?: boolean; note?: string },
      ) => {
        const declaration = {
          name: checkedName(name),
          mode: parseMode(options.mode),
          at: parseScheduleTime(options.at),
          overlap: parseOverlap(options.overlap),
          catchupWindow: parseCatchupWindow(options.catchupWindow),
        }
        await withClient(async (client, config, api) => {
          await preflight(config, ['warehouse'])
          const handle = await api.createSchedule(client, config, declaration, {
            paused: options.paused === true,
            note: options.note,
          })
          say(`created ${handle.scheduleId}`)
          for (const line of scheduleDetails(await api.describeSchedule(client, config, name))) say(line)
        })
      },
    )

  schedule
    .command('list')
    .description("this deployment's schedules (of its task queue): when, policies, paused or not and why")
    .option('--json', 'print JSON (the same facts)')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule list --json')
    .action(async (options: { json?: boolean }) => {
      await withClient(async (client, config, api) => {
        const all = await api.listSchedules(client, config)
        if (options.json) return say(JSON.stringify(all, null, 2))
        if (all.length === 0) return say('no schedules on this task queue (create the defaults: paccafe schedule init)')
        for (const facts of all) say(scheduleLine(facts))
      })
    })

  schedule
    .command('describe <name>')
    .description('one schedule: its spec, policies, state and note, next and recent runs')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule describe nightly-full')
    .action(async (name: string, options: { json?: boolean }) => {
      await withClient(async (client, config, api) => {
        const facts = await api.describeSchedule(client, config, checkedName(name))
        if (options.json) return say(JSON.stringify(facts, null, 2))
        for (const line of scheduleDetails(facts)) say(line)
      })
    })

  schedule
    .command('pause <name>')
    .description('stop a schedule firing; the note says why (shown by describe and in the Web UI)')
    .option('--note <text>', 'why it is paused')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule pause hourly-incremental --note "POS migration tonight"')
    .action(async (name: string, options: { note?: string }) => {
      await withClient(async (client, config, api) => {
        const note = options.note ?? `paused by ${who()} with paccafe schedule pause`
        await api.pauseSchedule(client, config, checkedName(name), note)
        say(`paused ${name}: ${note}`)
      })
    })

  schedule
    .command('unpause <name>')
    .description('let a paused schedule fire again (missed firings older than its catch-up window are not taken)')
    .option('--note <text>', 'a note to replace the pause reason')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule unpause hourly-incremental --note "source fixed"')
    .action(async (name: string, options: { note?: string }) => {
      await withClient(async (client, config, api) => {
        const note = options.note ?? `unpaused by ${who()} with paccafe schedule unpause`
        await api.unpauseSchedule(client, config, checkedName(name), note)
        say(`unpaused ${name}: ${note}`)
      })
    })

  schedule
    .command('trigger <name>')
    .description("start a schedule's run now, under its overlap policy (a run in progress: skipped or buffered)")
    .option('--overlap <policy>', "skip or buffer-one (default: the schedule's own)")
    .addHelpText('after', '\nExample:\n  $ paccafe schedule trigger nightly-full')
    .action(async (name: string, options: { overlap?: string }) => {
      const overlap = options.overlap === undefined ? undefined : parseOverlap(options.overlap)
      await withClient(async (client, config, api) => {
        const used = await api.triggerSchedule(client, config, checkedName(name), overlap)
        say(`triggered ${name} (overlap ${used}); see: paccafe schedule describe ${name}`)
      })
    })

  schedule
    .command('backfill <name>')
    .description("take a schedule's firings of a past range now, one run after another")
    .requiredOption(
      '--from <time>',
      'start of the range: 2026-12-01T00:00 (in PACCAFE_TIMEZONE) or with Z or an offset',
    )
    .requiredOption('--to <time>', 'end of the range, included')
    .option('--overlap <policy>', 'buffer-all (every firing runs, in turn), skip or buffer-one', 'buffer-all')
    .addHelpText(
      'after',
      '\nExample:\n  $ paccafe schedule backfill hourly-incremental --from 2026-12-01T08:00 --to 2026-12-01T12:00',
    )
    .action(async (name: string, options: { from: string; to: string; overlap: string }) => {
      checkedName(name)
      const overlap = parseBackfillOverlap(options.overlap)
      const config = configFromEnvironment()
      const start = parseInstant(options.from, config.timezone, '--from')
      const end = parseInstant(options.to, config.timezone, '--to')
      assertBackfillRange(start, end)
      await withClient(async (client, _config, api) => {
        await api.backfillSchedule(client, config, name, { start, end }, overlap)
        say(`backfilling ${name} from ${start.toISOString()} to ${end.toISOString()} (overlap ${overlap})`)
      })
    })

  schedule
    .command('delete <name>')
    .description('delete a schedule (its runs so far stay in the history)')
    .addHelpText('after', '\nExample:\n  $ paccafe schedule delete evening-full')
    .action(async (name: string) => {
      await withClient(async (client, config, api) => {
        await api.deleteSchedule(client, config, checkedName(name))
        say(`deleted ${name}`)
      })
    })
}
