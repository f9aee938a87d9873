// paccafe failed-loads | reprocess-load <id...>: the rows a failed run had extracted, archived in
// the bucket, and replaying them without reading the source (docs/reprocessing.md#failed-loads).
// Exit codes: 0 replayed, 3 the reload run failed, 2 refused (an unknown or reloaded failed load).
import type { Command } from 'commander'
import { UsageError } from '../../lib/errors.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'
import { EXIT, RunFailedError } from '../exit-codes.ts'

const STATUSES = ['open', 'reloaded', 'discarded']

export function registerFailedLoadCommands(program: Command): void {
  program
    .command('failed-loads')
    .description('the loads failed runs archived to the bucket (failed/run=<run>/table=<table>/)')
    .option('--status <status>', `only these (${STATUSES.join(', ')})`, 'open')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ paccafe failed-loads --status open --json')
    .action(async (options: { status: string; json?: boolean }) => {
      if (!STATUSES.includes(options.status)) {
        throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(options.status)}`)
      }
      const { connect } = await import('../../lib/db.ts')
      const config = configFromEnvironment()
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      try {
        const rows = await sql<Record<string, unknown>[]>`
          select failed_load_id, table_name, kind, rows_archived, object_key, status, error, created_at
          from etl.failed_loads where status = ${options.status} order by created_at desc, failed_load_id`
        if (options.json) return sayJson(rows)
        if (rows.length === 0) return say(`no ${options.status} failed loads`)
        for (const row of rows) {
          const size = row.rows_archived === null ? 'a file' : `${row.rows_archived} rows`
          say(`${row.failed_load_id}  ${row.status}  ${size}  s3://${config.s3.bucket}/${row.object_key}`)
          say(`    ${row.error}`)
        }
      } finally {
        await sql.end({ timeout: 5 })
      }
    })

  program
    .command('reprocess-load <ids...>')
    .description('replay failed loads from the bucket through the rules and models, without reading the source')
    .addHelpText('after', '\nExample:\n  $ paccafe reprocess-load run-20261201T020000Z-full.order_details')
    .action(async (ids: string[]) => {
      const { startReloadRun } = await import('../../client/start-runs.ts')
      const { connect } = await import('../../lib/db.ts')
      const { formatRunSummary, readRunSummary } = await import('../../lib/run-summary.ts')
      const { connectClient, newRunId, webUiRunUrl } = await import('../../lib/temporal.ts')
      const config = configFromEnvironment()
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      const client = await connectClient(config)
      try {
        const known = await sql<{ failed_load_id: string; status: string }[]>`
          select failed_load_id, status from etl.failed_loads where failed_load_id = any(${ids}::text[])`
        const problems = ids.flatMap((id) => {
          const status = known.find((row) => row.failed_load_id === id)?.status
          if (status === undefined) return [`${id} is not a failed load (see: paccafe failed-loads)`]
          return status === 'open' ? [] : [`${id} is ${status}`]
        })
        if (problems.length > 0) {
          console.error(`paccafe: ${problems.join('; ')}`)
          process.exitCode = EXIT.badInput
          return
        }
        const runId = newRunId('reload')
        const { deploymentOf } = await import('../../lib/deployment.ts')
        const handle = await startReloadRun(
          client,
          config.temporal.taskQueue,
          { runId, failedLoadIds: ids },
          await deploymentOf(sql),
        )
        const url = webUiRunUrl(config, handle.workflowId)
        say(`Started ${handle.workflowId}`)
        say(`Watch it in the Web UI: ${url}`)
        const failure = await handle.result().then(
          () => undefined,
          (error: Error) => error,
        )
        say('')
        say(formatRunSummary(await readRunSummary(sql, runId), config.s3.bucket, url))
        if (failure) {
          throw new RunFailedError(
            `The reload failed: ${(failure.cause as Error | undefined)?.message ?? failure.message}`,
          )
        }
      } finally {
        await client.connection.close()
        await sql.end({ timeout: 5 })
      }
    })
}
