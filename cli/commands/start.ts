import path from 'node:path'
import type { Client } from '@temporalio/client'
import type { Command } from 'commander'
import { type Config, sourceAdminUrl, userName } from '../../lib/config.ts'
import { ServiceUnavailableError } from '../../lib/errors.ts'
import { configFromEnvironment, say } from '../context.ts'
import { RunFailedError } from '../exit-codes.ts'
import { runPipeline } from './run.ts'

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'what `npm start` does: services up, demo source if empty, background worker, one full run, then the default schedules',
    )
    .addHelpText('after', '\nExample:\n  $ paccafe start   # or: npm start')
    .action(async () => {
      const { preflight } = await import('../../lib/preflight.ts')
      const { connectClient } = await import('../../lib/temporal.ts')
      const { servicesUp, startBackgroundWorker } = await import('../../local-services/services.ts')
      const config = configFromEnvironment()
      await servicesUp(config, say)
      // What the background worker will check: failing here says why in one line, not in its log.
      await preflight(config, ['temporal', 'warehouse', 's3'])
      await seedSourceIfEmpty(config)
      await preflight(config, ['source'])
      await startBackgroundWorker(config, say)
      const client = await connectClient(config)
      try {
        await waitForWorker(config, client)
        const report = await runPipeline(config, client, 'full')
        if (report.status === 'failed') throw new RunFailedError(`The run failed: ${report.error ?? 'see its summary'}`)
        await startSchedules(config, client)
        say('\nServices are still running; stop them with `npm run services:stop`.')
      } finally {
        await client.connection.close()
      }
    })
}

/** From here on the pipeline runs itself: the default schedules (idempotent), with their next runs. */
async function startSchedules(config: Config, client: Client): Promise<void> {
  const { describeSchedule, initSchedules } = await import('../../client/schedules.ts')
  say('')
  for (const { name, outcome } of await initSchedules(client, config)) {
    const facts = await describeSchedule(client, config, name)
    const when = facts.paused ? `paused: ${facts.note}` : `next run ${facts.nextRuns[0] ?? '-'}`
    say(`Schedule ${name} (${outcome}): ${facts.at} ${facts.timezone}, ${when}`)
  }
  say('Pause one with `paccafe schedule pause <name>`; all of them: docs/schedules.md.')
}

/** Seeds the demo source only into an empty database: a real POS database is never written. */
async function seedSourceIfEmpty(config: Config): Promise<void> {
  const { connect, ensureDatabase } = await import('../../lib/db.ts')
  const { DEFAULT_GENERATOR_OPTIONS, generatePos, grantReader, sourceHasTables } = await import(
    '../../seed/generate-pos.ts'
  )
  const { generateSheets } = await import('../../seed/generate-sheets.ts')
  const adminUrl = sourceAdminUrl(config)
  await ensureDatabase(adminUrl)
  const sql = connect(adminUrl, { name: 'paccafe-seed', max: 1 })
  try {
    if (await sourceHasTables(sql)) {
      say('The source database has tables: using it as it is (no seeding)')
      return
    }
    const result = await generatePos(sql, DEFAULT_GENERATOR_OPTIONS)
    await grantReader(sql, userName(config.sourceUrl))
    say(`Seeded the demo POS database: ${JSON.stringify(result.rows)}`)
    const sheets = await generateSheets(sql, config.sheets.dir, { ...DEFAULT_GENERATOR_OPTIONS, format: 'xlsx' })
    say(`Wrote the demo sheets to ${config.sheets.dir}: ${JSON.stringify(sheets.rows)}`)
  } finally {
    await sql.end()
  }
}

async function waitForWorker(config: Config, client: Client, timeoutMs = 120_000): Promise<void> {
  const { workflowPollerCount } = await import('../../lib/temporal.ts')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if ((await workflowPollerCount(client, config.temporal.taskQueue)) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new ServiceUnavailableError(
    `No worker polls task queue ${config.temporal.taskQueue} after ${timeoutMs / 1000}s: see ${path.join(config.dataDir, 'logs', 'worker.log')}`,
  )
}
