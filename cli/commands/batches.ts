// paccafe batches | batch <id> | reprocess <batch> | discard <batch>: the quarantine batches
// waiting for a person, through their workflows (docs/reprocessing.md).
// Exit codes: 0 done (or nothing left to do), 3 the reprocess or discard was accepted and
// failed, 2 the request was refused (an unknown batch, a bad correction file, a wrong option),
// 4 a service cannot be reached.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { userInfo } from 'node:os'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import type { Command } from 'commander'
import type { Config } from '../../lib/config.ts'
import type { BatchStatus, ReprocessRequest } from '../../lib/contract.ts'
import type { Sql } from '../../lib/db.ts'
import { BadInputError } from '../../lib/errors.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'
import { EXIT, RunFailedError } from '../exit-codes.ts'

const REFUSED = EXIT.badInput
const STATUSES: BatchStatus[] = ['open', 'reprocessing', 'reprocessed', 'partly_reprocessed', 'discarded']

export function registerBatchCommands(program: Command): void {
  program
    .command('batches')
    .description('the quarantine batches: rows held back by a run, waiting to be corrected, reprocessed or discarded')
    .option('--status <status>', `only batches in this status (${STATUSES.join(', ')})`)
    .option('--json', 'print the batches as one JSON array')
    .addHelpText(
      'after',
      "\nExample:\n  $ paccafe batches --status open\n  $ paccafe batches --json | jq -r '.[].batch_id'",
    )
    .action(async (options: { status?: string; json?: boolean }) => {
      if (options.status && !STATUSES.includes(options.status as BatchStatus)) {
        return refuse(`--status must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(options.status)}`)
      }
      const { unmigratedWarehouse } = await import('../unmigrated.ts')
      await withWarehouse(async (sql) => {
        const rows = await sql<
          { batch_id: string; status: string; rows_held: number; rows_open: number; created_at: Date }[]
        >`
          select b.batch_id, b.status, b.rows_held, b.created_at,
                 (select count(distinct (v.table_name, v.natural_key)) from dq.violations as v
                  where v.quarantine_batch_id = b.batch_id and v.status = 'open')::int as rows_open
          from dq.quarantine_batches as b
          where ${options.status ?? null}::text is null or b.status = ${options.status ?? null}
          order by b.created_at desc`.catch(unmigratedWarehouse)
        if (options.json) return sayJson(rows)
        if (rows.length === 0) return say('no quarantine batches')
        for (const row of rows) {
          say(
            `${row.batch_id}  ${row.status.padEnd(18)}  rows held ${row.rows_held}, waiting ${row.rows_open}  (${row.created_at.toISOString()})`,
          )
        }
      })
    })

  program
    .command('batch <id>')
    .description("one batch: its counts per table and rule, its files, and the rows' violations")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ paccafe batch run-20261201T020000Z-full')
    .action(async (batchId: string, options: { json?: boolean }) => {
      const { batchWorkflowId } = await import('../../client/batches.ts')
      const { batchSummary } = await import('../../lib/quality/quarantine-batches.ts')
      const { webUiRunUrl } = await import('../../lib/temporal.ts')
      const config = configFromEnvironment()
      await withWarehouse(async (sql) => {
        const summary = await batchSummary(sql, batchId)
        if (!summary) return refuse(`There is no quarantine batch ${batchId} (see: paccafe batches)`)
        const violations = await sql<Record<string, unknown>[]>`
          select table_name, natural_key, rule_name, severity, column_name, offending_value, status, resolved_by
          from dq.violations where quarantine_batch_id = ${batchId}
          order by table_name, natural_key, rule_name limit 200`
        if (options.json) return sayJson({ ...summary, violations })
        say(`batch ${batchId}: ${summary.status}, ${summary.rowsOpen} of ${summary.rowsHeld} rows waiting`)
        say(`workflow: ${webUiRunUrl(config, batchWorkflowId(batchId))}`)
        say(
          `files in bucket ${config.s3.bucket}: ${summary.objectPrefix}  corrected files go to: ${summary.correctedPrefix}`,
        )
        for (const table of summary.tables) {
          const rules = Object.entries(table.rules).map(([rule, n]) => `${rule} ${n}`)
          say(`  ${table.tableName}: ${table.rowsOpen} of ${table.rowsHeld} waiting  ${table.file}`)
          if (rules.length > 0) say(`    ${rules.join(', ')}`)
        }
        for (const v of violations) {
          say(
            `  ${v.table_name} ${v.natural_key}  ${v.rule_name} (${v.severity}) ${v.column_name ?? ''}=${JSON.stringify(v.offending_value)}  ${v.status}`,
          )
        }
      })
    })

  program
    .command('reprocess <batch>')
    .description("send a batch's rows through the rules and models again, with a corrected file or from the source")
    .option('--table <table>', 'only this table of the batch')
    .option('--keys <keys>', 'only these natural keys, comma separated')
    .option(
      '--file <file>',
      'a corrected CSV: a local file (checked, then uploaded) or a file already under corrected/',
    )
    .option('--from-source', 'read the rows from the source again (it was fixed there)')
    .option('--by <who>', 'who asks (recorded)', userInfo().username)
    .addHelpText(
      'after',
      '\nExample:\n  $ paccafe reprocess run-20261201T020000Z-full --file order_details.csv\n  $ paccafe reprocess run-20261201T020000Z-full --table orders --from-source',
    )
    .action(
      async (
        batchId: string,
        options: { table?: string; keys?: string; file?: string; fromSource?: boolean; by: string },
      ) => {
        if (options.file && options.fromSource) return refuse('give --file or --from-source, not both')
        const config = configFromEnvironment()
        const outcome = await onBatch(config, batchId, async (client) => {
          const request: ReprocessRequest = {
            ...(options.table ? { table: options.table } : {}),
            ...(options.keys
              ? {
                  keys: options.keys
                    .split(',')
                    .map((key) => key.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(options.file ? { file: await correctionFileFor(config, batchId, options.file) } : {}),
            ...(options.fromSource ? { fromSource: true } : {}),
            requestedBy: options.by,
          }
          const { requestReprocess } = await import('../../client/batches.ts')
          return requestReprocess(client, batchId, request)
        })
        if (!outcome) return
        say(
          `reprocess ${outcome.runId}: ${outcome.rowsSubmitted} rows sent again, ${outcome.rowsPublished} published ` +
            `(${outcome.rowsStillNullified} still with a nullified value), ${outcome.rowsStillRejected} still rejected; ` +
            `batch ${batchId} is ${outcome.batchStatus}, ${outcome.rowsOpen} rows waiting`,
        )
      },
    )

  program
    .command('discard <batch>')
    .description("give up a batch's waiting rows, with the reason, and close it")
    .requiredOption('--reason <reason>', 'why (recorded)')
    .option('--by <who>', 'who decides (recorded)', userInfo().username)
    .addHelpText('after', '\nExample:\n  $ paccafe discard run-20261201T020000Z-full --reason "test orders"')
    .action(async (batchId: string, options: { reason: string; by: string }) => {
      const config = configFromEnvironment()
      const { requestDiscard } = await import('../../client/batches.ts')
      const outcome = await onBatch(config, batchId, (client) =>
        requestDiscard(client, batchId, { reason: options.reason, requestedBy: options.by }),
      )
      if (!outcome) return
      say(
        `discarded ${outcome.rowsDiscarded} rows (${outcome.violationsDiscarded} violations); batch ${batchId} is ${outcome.batchStatus}`,
      )
    })
}

async function withWarehouse<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
  const { connect } = await import('../../lib/db.ts')
  const sql = connect(configFromEnvironment().warehouseUrl, { name: 'paccafe-cli', max: 1 })
  try {
    return await work(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

function refuse(message: string): void {
  console.error(`paccafe: ${message}`)
  process.exitCode = REFUSED
}

/**
 * A local corrected file is checked here first (a refused file changes nothing and is not
 * uploaded), then uploaded under the batch's corrected/ prefix with its checksum in its name,
 * so the same file sent twice is the same request. Anything else names a file in the bucket.
 */
async function correctionFileFor(config: Config, batchId: string, file: string): Promise<string> {
  const local = await stat(file).catch(() => undefined)
  if (!local?.isFile()) return file
  const { checkCorrectionFile } = await import('../../lib/quality/corrections.ts')
  const { correctedPrefix } = await import('../../lib/quality/batch-files.ts')
  const { createObjectStore } = await import('../../lib/object-store.ts')
  const text = await readFile(file, 'utf8')
  await withWarehouse((sql) => checkCorrectionFile(sql, batchId, file, text))
  const sha = createHash('sha256').update(text).digest('hex').slice(0, 12)
  const key = `${correctedPrefix(batchId)}${path.basename(file, '.csv')}-${sha}.csv`
  const store = createObjectStore(config.s3)
  const body = Buffer.from(text, 'utf8')
  await store.client.putObject(store.bucket, key, body, body.length, { 'Content-Type': 'text/csv; charset=utf-8' })
  return key
}

/**
 * Sends a request to the batch's workflow. A batch already closed has nothing waiting: the same
 * request again is done already, and says so (exit 0). A refused request exits 2.
 */
async function onBatch<T>(
  config: Config,
  batchId: string,
  send: (client: Client) => Promise<T>,
): Promise<T | undefined> {
  const { BatchRequestError } = await import('../../client/batches.ts')
  const { batchSummary } = await import('../../lib/quality/quarantine-batches.ts')
  const { connectClient } = await import('../../lib/temporal.ts')
  const summary = await withWarehouse((sql) => batchSummary(sql, batchId))
  if (!summary) {
    refuse(`There is no quarantine batch ${batchId} (see: paccafe batches)`)
    return undefined
  }
  if (summary.rowsOpen === 0) {
    say(`batch ${batchId} is ${summary.status}: no row is waiting, nothing to do`)
    return undefined
  }
  const client = await connectClient(config)
  try {
    return await send(client)
  } catch (error) {
    if (error instanceof BadInputError) {
      refuse(error.message)
      return undefined
    }
    if (error instanceof BatchRequestError) throw new RunFailedError(error.message, { cause: error })
    throw error
  } finally {
    await client.connection.close()
  }
}
