// Failed loads: what a run that failed for good had extracted is archived to the bucket with its
// error (etl.failed_loads) and can be staged again by a reload run without reading the source.
// The activities run in Temporal's mock activity context against the real PostgreSQL and S3
// gateway, wrapped as a worker wraps them (heartbeats, typed failures).
// A scenario, in order: each test goes on from the state the one before it left.
import { createHash } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { MockActivityEnvironment } from '@temporalio/testing'
import { DefaultLogger } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeArchiveFailedLoads, makeStageFailedLoad } from '../../activities/failed-loads.ts'
import { type Activities, type ActivityContext, createActivities } from '../../activities/index.ts'
import { withTypedFailures } from '../../lib/activity-failures.ts'
import { withDatabaseName } from '../../lib/config.ts'
import { connect, type Sql } from '../../lib/db.ts'
import { archiveSheetFile } from '../../lib/extract/failed-loads.ts'
import { withHeartbeats } from '../../lib/heartbeat.ts'
import type { ObjectStore } from '../../lib/object-store.ts'
import { sha256File } from '../../lib/sheets/sheet-files.ts'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let activities: Activities
/** The failed-load activities as a worker would host them, on a context. */
const failedLoadActivities = (context: ActivityContext) =>
  withTypedFailures(
    withHeartbeats({
      archiveFailedLoads: makeArchiveFailedLoads(context),
      stageFailedLoad: makeStageFailedLoad(context),
    }),
  )
let archiving: ReturnType<typeof failedLoadActivities>
/** The same activities on a worker whose source database does not exist. */
let noSource: ReturnType<typeof failedLoadActivities>
let unreachableSource: Sql

// Activities expected to fail would log their failures as warnings.
const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') })
const attempt = <I, R>(activity: (input: I) => Promise<R>, input: I) => env.run(activity, input) as Promise<R>

const BASE = 'run-fl-base'
const FAILED = 'run-fl-failed'
const LATER = 'run-fl-later'
const RELOAD = 'run-fl-reload'
const AFTER = 'run-fl-after'
const RUN_ERROR = 'Run run-fl-failed failed: extractPosTable of orders: planted failure'

const BRANCHES_CSV =
  'store_id,store_name,created_at\n1,Setara Coffee,2022-11-01 09:00:00\n' +
  '2,Laci Coffee,2022-11-15 09:00:00\n3,Dapur Kenangan,2022-12-01 09:00:00\n'
/** Text COPY must escape (tab, newline, backslash, backspace, form feed, vertical tab), and more. */
const TRICKY = 'Tab\there \\N back\\slash\nline\r\bbell\f\v 🍩 李'

async function objectBytes(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await store.client.getObject(store.bucket, key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function objectsUnder(store: ObjectStore, prefix: string): Promise<Record<string, string>> {
  const objects: Record<string, string> = {}
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true)) {
    if (item.name)
      objects[item.name] = createHash('sha256')
        .update(await objectBytes(store, item.name))
        .digest('hex')
  }
  return objects
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * The source's rows of `table` (where `where`), each as rows.jsonl writes it: the columns in
 * order, integers as numbers, every other value as the text PostgreSQL prints; ordered by key.
 */
async function sourceLines(table: string, key: string, where = 'true'): Promise<string[]> {
  const columns = await h.source<{ name: string; type: string }[]>`
    select column_name as name, data_type as type from information_schema.columns
    where table_schema = 'public' and table_name = ${table} order by ordinal_position`
  const select = columns.map((c) => (c.type === 'integer' ? `"${c.name}"` : `"${c.name}"::text as "${c.name}"`))
  const rows = await h.source.unsafe(`select ${select.join(', ')} from ${table} where ${where} order by ${key}`)
  return rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, row[c.name]]))))
}

const failedLoads = () =>
  h.warehouse`
    select failed_load_id, run_id, batch_id, table_name, source, kind, file_name, object_key, error_key,
           rows_archived, bytes::int as bytes, checksum, error, status, reloaded_in_run
    from etl.failed_loads order by failed_load_id`

const batch = async (batchId: string) =>
  (
    await h.warehouse`
      select mode, source, status, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_resubmitted,
             rows_deleted, rows_rejected
      from etl.batches where batch_id = ${batchId}`
  )[0]

const startRun = (runId: string, mode: 'full' | 'reload') =>
  h.warehouse`insert into etl.runs (run_id, workflow_id, mode) values (${runId}, ${`test-${runId}`}, ${mode})`

describe('failed loads: archived when a run fails for good, staged again by a reload run', () => {
  let ordersInSource = 0

  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 }, { extractChunkRows: 25 })
    activities = createActivities(h.handle.context)
    archiving = failedLoadActivities(h.handle.context)
    const missing = withDatabaseName(h.config.sourceUrl, 'paccafe_test_no_such_source')
    unreachableSource = connect(missing, { max: 1 })
    noSource = failedLoadActivities({
      ...h.handle.context,
      config: { ...h.handle.context.config, sourceUrl: missing },
      source: unreachableSource,
    })
    await mkdir(h.config.sheets.dir, { recursive: true })
    await writeFile(path.join(h.config.sheets.dir, 'store_branch.csv'), BRANCHES_CSV)

    // A successful run stages every row of customers, orders and the branches sheet.
    await startRun(BASE, 'full')
    for (const tableName of ['customers', 'orders']) {
      await attempt(activities.extractPosTable, { runId: BASE, tableName, mode: 'full' as const })
    }
    await attempt(activities.ingestSheet, { runId: BASE, sheet: 'store_branch', mode: 'full' as const })
    await attempt(activities.finishRun, { runId: BASE, status: 'succeeded' as const })
    await writeFile(path.join(h.config.sheets.dir, 'store_branch.csv'), `${BRANCHES_CSV}4,Kopi Baru,\n`)

    // Then the POS changes: customers and orders changed in place, new ones (one with text COPY escapes).
    await h.source`update customers set first_name = coalesce(first_name, '') || ' Jr' where customer_id in (2, 3, 5)`
    await h.source`
      insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at)
      values (9001, ${TRICKY}, 'Baru', 'baru@example.com', '081234567890', 10, '2026-01-05 10:00:00'),
             (9002, 'Sari', null, null, null, null, '2026-01-05 10:00:01')`
    await h.source`update orders set total_amount = total_amount + 1 where order_id in (1, 2)`
    await h.source`
      insert into orders (order_id, employee_id, customer_id, order_date, total_amount, payment_method, order_status,
                          created_at)
      select 9001, employee_id, null, '2026-01-05 11:00:00', 12.50, 'Debit Card', 'Completed', '2026-01-05 11:00:00'
      from orders order by order_id limit 1`
    ordersInSource = (await h.source`select count(*)::int as n from orders`)[0]?.n
  })
  afterAll(async () => {
    await unreachableSource?.end()
    await h?.close()
  })

  it('archives the rows every batch of a failed run extracted, with the error, and records them', async () => {
    await startRun(FAILED, 'full')
    await attempt(activities.extractPosTable, { runId: FAILED, tableName: 'customers', mode: 'full' as const })
    await attempt(activities.ingestSheet, { runId: FAILED, sheet: 'store_branch', mode: 'full' as const })
    // The orders' merge fails for good (class 22: bad data, not retried) after every chunk was copied.
    await h.warehouse.unsafe(`
      create function public.test_planted_failure() returns trigger language plpgsql as $$
      begin
        if new.batch_id = '${FAILED}.orders' and new.status = 'staged' then
          raise exception 'planted failure' using errcode = '22023';
        end if;
        return new;
      end $$;
      create trigger test_planted_failure before update on etl.batches
      for each row execute function public.test_planted_failure();`)
    try {
      await expect(
        attempt(activities.extractPosTable, { runId: FAILED, tableName: 'orders', mode: 'full' as const }),
      ).rejects.toThrow(/planted failure/)
    } finally {
      await h.warehouse.unsafe(
        'drop trigger test_planted_failure on etl.batches; drop function public.test_planted_failure()',
      )
    }
    expect((await batch(`${FAILED}.orders`))?.status).toBe('loading')

    const result = await attempt(archiving.archiveFailedLoads, { runId: FAILED, error: RUN_ERROR })
    const prefix = `failed/run=${FAILED}`
    expect(result).toEqual({
      runId: FAILED,
      failedLoads: [
        {
          failedLoadId: `${FAILED}.customers`,
          tableName: 'customers',
          source: 'pos',
          kind: 'rows',
          objectKey: `${prefix}/table=customers/rows.jsonl`,
          errorKey: `${prefix}/table=customers/error.json`,
          rowsArchived: 5,
          status: 'open',
        },
        {
          failedLoadId: `${FAILED}.orders`,
          tableName: 'orders',
          source: 'pos',
          kind: 'rows',
          objectKey: `${prefix}/table=orders/rows.jsonl`,
          errorKey: `${prefix}/table=orders/error.json`,
          rowsArchived: ordersInSource,
          status: 'open',
        },
        {
          failedLoadId: `${FAILED}.store_branch`,
          tableName: 'store_branch',
          source: 'sheets',
          kind: 'rows',
          objectKey: `${prefix}/table=store_branch/rows.jsonl`,
          errorKey: `${prefix}/table=store_branch/error.json`,
          rowsArchived: 1,
          status: 'open',
        },
      ],
      rowsArchived: 5 + ordersInSource + 1,
      reopened: [],
    })

    // The staged batch's rows (new or changed customers) and the loading batch's (every order read), exactly.
    const customers = await objectBytes(h.store, `${prefix}/table=customers/rows.jsonl`)
    const changed = 'customer_id in (2, 3, 5, 9001, 9002)'
    expect(customers.toString('utf8')).toBe(`${(await sourceLines('customers', 'customer_id', changed)).join('\n')}\n`)
    expect(customers.toString('utf8')).toContain(JSON.stringify(TRICKY))
    const orders = await objectBytes(h.store, `${prefix}/table=orders/rows.jsonl`)
    expect(orders.toString('utf8')).toBe(`${(await sourceLines('orders', 'order_id')).join('\n')}\n`)
    const branches = (await objectBytes(h.store, `${prefix}/table=store_branch/rows.jsonl`)).toString('utf8')
    // Of the sheet, the batch's rows: the one row new in the file, with its key and where it came from.
    expect(branches).toBe(
      '{"store_id":"4","store_name":"Kopi Baru","created_at":null,"_natural_key":"4",' +
        '"_source_file":"store_branch.csv","_source_row":5}\n',
    )

    const ordersError = JSON.parse((await objectBytes(h.store, `${prefix}/table=orders/error.json`)).toString())
    expect(ordersError).toMatchObject({
      failed_load_id: `${FAILED}.orders`,
      run_id: FAILED,
      table: 'orders',
      source: 'pos',
      kind: 'rows',
      batch_status: 'loading',
      run_error: RUN_ERROR,
      row_count: ordersInSource,
      bytes: orders.length,
      sha256: sha256(orders),
      key_columns: ['order_id'],
    })
    expect(ordersError.error).toMatch(/planted failure/)
    const customersError = JSON.parse((await objectBytes(h.store, `${prefix}/table=customers/error.json`)).toString())
    expect(customersError).toMatchObject({ batch_status: 'staged', error: RUN_ERROR, row_count: 5 })
    expect(customersError.sha256).toBe(sha256(customers))

    const recorded = await failedLoads()
    expect(recorded.map((r) => [r.failed_load_id, r.rows_archived, r.status, r.checksum])).toEqual([
      [`${FAILED}.customers`, 5, 'open', sha256(customers)],
      [`${FAILED}.orders`, ordersInSource, 'open', sha256(orders)],
      [`${FAILED}.store_branch`, 1, 'open', sha256(Buffer.from(branches))],
    ])
    expect(recorded[1]?.error).toMatch(/planted failure/)
  })

  it('archives the same objects and records when run again, also after a crash before recording', async () => {
    const objects = await objectsUnder(h.store, `failed/run=${FAILED}/`)
    const records = await failedLoads()
    const again = await attempt(archiving.archiveFailedLoads, { runId: FAILED, error: RUN_ERROR })
    expect(await objectsUnder(h.store, `failed/run=${FAILED}/`)).toEqual(objects)
    expect(await failedLoads()).toEqual(records)
    // As if the first attempt died after writing the objects: they are written again, byte for byte.
    await h.warehouse`delete from etl.failed_loads where run_id = ${FAILED}`
    await h.store.client.removeObjects(h.store.bucket, Object.keys(objects))
    expect(await attempt(archiving.archiveFailedLoads, { runId: FAILED, error: RUN_ERROR })).toEqual(again)
    expect(await objectsUnder(h.store, `failed/run=${FAILED}/`)).toEqual(objects)
    expect((await failedLoads()).map(({ failed_load_id, checksum }) => ({ failed_load_id, checksum }))).toEqual(
      records.map(({ failed_load_id, checksum }) => ({ failed_load_id, checksum })),
    )

    // Then the run hands its rows back, as the workflow does after archiving.
    await attempt(activities.releaseFailedRun, { runId: FAILED })
    await attempt(activities.finishRun, { runId: FAILED, status: 'failed' as const, error: RUN_ERROR })
  })

  it('stages the archived rows in a reload run without the source, as an extraction would, and counts them', async () => {
    // A run after the failed one stages the customers again, one of them in a newer version.
    await h.source`update customers set last_name = 'Newer' where customer_id = 3`
    await startRun(LATER, 'full')
    await attempt(activities.extractPosTable, { runId: LATER, tableName: 'customers', mode: 'full' as const })
    await attempt(activities.finishRun, { runId: LATER, status: 'succeeded' as const })

    await expect(unreachableSource`select 1`).rejects.toThrow(/paccafe_test_no_such_source/)
    await startRun(RELOAD, 'reload')
    const orders = await attempt(noSource.stageFailedLoad, { runId: RELOAD, failedLoadId: `${FAILED}.orders` })
    // The failed batch never merged: one new order, two changed, the rest re-sent unchanged.
    expect(orders).toEqual({
      failedLoadId: `${FAILED}.orders`,
      batchId: `${RELOAD}.orders`,
      tableName: 'orders',
      rowsRead: ordersInSource,
      rowsInserted: 1,
      rowsUpdated: 2,
      rowsUnchanged: 0,
      rowsDeleted: 0,
      rowsResubmitted: ordersInSource - 3,
      rowsRejected: 0,
    })
    expect(await batch(`${RELOAD}.orders`)).toEqual({
      mode: 'reload',
      source: 'pos',
      status: 'staged',
      rows_read: ordersInSource,
      rows_inserted: 1,
      rows_updated: 2,
      rows_unchanged: 0,
      rows_resubmitted: ordersInSource - 3,
      rows_deleted: 0,
      rows_rejected: 0,
    })
    const [staged] = await h.warehouse`
      select count(*)::int as n from staging.orders where _batch_id = ${`${RELOAD}.orders`}`
    expect(staged?.n).toBe(ordersInSource)
    const [order] =
      await h.warehouse`select payment_method, total_amount::text from staging.orders where order_id = 9001`
    expect(order).toEqual({ payment_method: 'Debit Card', total_amount: '12.50' })
    // Run twice, it stages nothing more and answers the same.
    expect(await attempt(noSource.stageFailedLoad, { runId: RELOAD, failedLoadId: `${FAILED}.orders` })).toEqual(orders)

    // The customers were staged again since: four as archived (re-sent), one newer (kept as it is).
    const customers = await attempt(noSource.stageFailedLoad, { runId: RELOAD, failedLoadId: `${FAILED}.customers` })
    expect(customers).toMatchObject({
      rowsRead: 5,
      rowsInserted: 0,
      rowsUpdated: 0,
      rowsResubmitted: 4,
      rowsUnchanged: 1,
    })
    const newer = await h.warehouse`select last_name, _batch_id from staging.customers where customer_id = 3`
    expect(newer).toEqual([{ last_name: 'Newer', _batch_id: `${LATER}.customers` }])
    const tricky = await h.warehouse`select first_name, _batch_id from staging.customers where customer_id = 9001`
    expect(tricky).toEqual([{ first_name: TRICKY, _batch_id: `${RELOAD}.customers` }])

    // The branch the failed run staged was handed back by it: staged again.
    const branches = await attempt(noSource.stageFailedLoad, {
      runId: RELOAD,
      failedLoadId: `${FAILED}.store_branch`,
    })
    expect(branches).toMatchObject({ rowsRead: 1, rowsInserted: 0, rowsUpdated: 1, rowsResubmitted: 0 })

    const reloaded = await h.warehouse`
      select failed_load_id, status, reloaded_in_run from etl.failed_loads where run_id = ${FAILED}
      order by failed_load_id`
    expect(reloaded).toEqual(
      ['customers', 'orders', 'store_branch'].map((table) => ({
        failed_load_id: `${FAILED}.${table}`,
        status: 'reloaded',
        reloaded_in_run: RELOAD,
      })),
    )
    // A failed load is reloaded once; another run cannot take it again.
    await startRun(`${RELOAD}-2`, 'reload')
    await expect(
      attempt(noSource.stageFailedLoad, { runId: `${RELOAD}-2`, failedLoadId: `${FAILED}.orders` }),
    ).rejects.toThrow(`Failed load ${FAILED}.orders was reloaded already, in run ${RELOAD}`)

    // The reload's rows flow on: the clean model of the run reads every one of them.
    await attempt(activities.runModel, { runId: RELOAD, model: 'clean.orders' })
    const [clean] = await h.warehouse`select count(*)::int as n from clean.orders`
    expect(clean?.n).toBe(ordersInSource)
  })

  it('gives reloaded rows the hash an extraction computes: the next extraction finds them unchanged', async () => {
    await startRun(AFTER, 'full')
    const orders = await attempt(activities.extractPosTable, {
      runId: AFTER,
      tableName: 'orders',
      mode: 'full' as const,
    })
    expect(orders).toMatchObject({ rowsRead: ordersInSource, rowsInserted: 0, rowsUpdated: 0 })
    const customers = await attempt(activities.extractPosTable, {
      runId: AFTER,
      tableName: 'customers',
      mode: 'full' as const,
    })
    expect(customers).toMatchObject({ rowsInserted: 0, rowsUpdated: 0 })
    // The branches file was handed back by the failed run and is read again: its rows are as reloaded.
    const branches = await attempt(activities.ingestSheet, {
      runId: AFTER,
      sheet: 'store_branch',
      mode: 'full' as const,
    })
    expect(branches).toMatchObject({ rowsRead: 4, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 4 })
    await attempt(activities.finishRun, { runId: AFTER, status: 'succeeded' as const })
  })

  it('archives a sheet file that fails whole as it is, fails as before, and ingests the corrected file', async () => {
    const runId = 'run-fl-sheet'
    const file = path.join(h.config.sheets.dir, 'stock_count_2024-11.csv')
    const broken = 'count_date,store_name,product_id,counted_by\n2024-11-25,Setara Coffee,1,Sari\n'
    await writeFile(file, broken)
    await startRun(runId, 'full')
    const refused = attempt(activities.ingestSheet, { runId, sheet: 'stock_count', mode: 'full' as const })
    const message =
      'stock_count_2024-11.csv, sheet "stock_count": missing required column counted_qty ' +
      '(found: count_date, store_name, product_id, counted_by)'
    await expect(refused).rejects.toThrow(message)
    await expect(refused).rejects.toMatchObject({ type: 'BadInputError', nonRetryable: true })
    const [stock] = await h.warehouse`select count(*)::int as n from staging.stock_count`
    expect(stock?.n).toBe(0)

    const objectKey = `failed/run=${runId}/table=stock_count/stock_count_2024-11.csv`
    expect((await objectBytes(h.store, objectKey)).toString('utf8')).toBe(broken)
    const error = JSON.parse((await objectBytes(h.store, `${objectKey}.error.json`)).toString())
    expect(error).toMatchObject({
      failed_load_id: `${runId}.stock_count/stock_count_2024-11.csv`,
      table: 'stock_count',
      source: 'sheets',
      kind: 'file',
      file_name: 'stock_count_2024-11.csv',
      error: message,
      sha256: await sha256File(file),
    })
    // The workflow's archiving reports the file; the batch had no rows, so nothing more is archived.
    const archived = await attempt(archiving.archiveFailedLoads, { runId, error: message })
    expect(archived).toEqual({
      runId,
      failedLoads: [
        {
          failedLoadId: `${runId}.stock_count/stock_count_2024-11.csv`,
          tableName: 'stock_count',
          source: 'sheets',
          kind: 'file',
          objectKey,
          errorKey: `${objectKey}.error.json`,
          rowsArchived: null,
          status: 'open',
        },
      ],
      rowsArchived: 0,
      reopened: [],
    })
    await attempt(activities.releaseFailedRun, { runId })
    await attempt(activities.finishRun, { runId, status: 'failed' as const, error: message })

    // Reloaded as it is, the file fails with the same line.
    await startRun('run-fl-sheet-reload', 'reload')
    await expect(
      attempt(noSource.stageFailedLoad, {
        runId: 'run-fl-sheet-reload',
        failedLoadId: `${runId}.stock_count/stock_count_2024-11.csv`,
      }),
    ).rejects.toMatchObject({ type: 'BadInputError', message })

    // The corrected file, dropped in its place, is ingested by the next run.
    await writeFile(
      file,
      'count_date,store_name,product_id,counted_qty,counted_by\n2024-11-25,Setara Coffee,1,7,Sari\n',
    )
    await startRun('run-fl-sheet-next', 'full')
    const next = await attempt(activities.ingestSheet, {
      runId: 'run-fl-sheet-next',
      sheet: 'stock_count',
      mode: 'full' as const,
    })
    expect(next).toMatchObject({ rowsRead: 1, rowsInserted: 1 })
    const counts = await h.warehouse`select count_date, store_name, product_id, counted_qty from staging.stock_count`
    expect(counts).toEqual([
      { count_date: '2024-11-25', store_name: 'Setara Coffee', product_id: '1', counted_qty: '7' },
    ])
    await attempt(activities.finishRun, { runId: 'run-fl-sheet-next', status: 'succeeded' as const })
    await rm(file)
  })

  it('reloads a sheet file archived whole as ingestion reads it, once it can be read', async () => {
    // A file that failed on something other than its content (its reading stalled) reads now.
    const runId = 'run-fl-stall'
    const file = path.join(h.config.sheets.dir, 'stock_count_2024-12.csv')
    await writeFile(
      file,
      'count_date,store_name,product_id,counted_qty\n2024-12-01,Laci Coffee,2,5\n2024-12-01,Laci Coffee,3,abc\n',
    )
    await startRun(runId, 'full')
    await h.warehouse`
      insert into etl.batches (batch_id, run_id, table_name, source, mode) values (${`${runId}.stock_count`}, ${runId},
        'stock_count', 'sheets', 'full')`
    const stalled =
      'stock_count_2024-12.csv: reading stopped making progress (no row for 60 s): the file may be damaged'
    const load = await archiveSheetFile(h.warehouse, h.store, {
      runId,
      sheet: 'stock_count',
      batchId: `${runId}.stock_count`,
      file: { name: 'stock_count_2024-12.csv', path: file, checksum: await sha256File(file) },
      error: stalled,
    })
    await rm(file)
    const reloadRun = 'run-fl-stall-reload'
    await startRun(reloadRun, 'reload')
    const result = await attempt(noSource.stageFailedLoad, { runId: reloadRun, failedLoadId: load.failedLoadId })
    expect(result).toMatchObject({ rowsRead: 2, rowsInserted: 1, rowsRejected: 1, rowsResubmitted: 0 })
    expect(await attempt(noSource.stageFailedLoad, { runId: reloadRun, failedLoadId: load.failedLoadId })).toEqual(
      result,
    )
    const [row] = await h.warehouse`
      select f.status, f.reloaded_in_run, i.batch_id from etl.failed_loads f
      join etl.ingested_files i on i.checksum = f.checksum where f.failed_load_id = ${load.failedLoadId}`
    expect(row).toEqual({ status: 'reloaded', reloaded_in_run: reloadRun, batch_id: `${reloadRun}.stock_count` })
    const violations = await h.warehouse`
      select rule_name, column_name, offending_value from dq.violations where run_id = ${reloadRun}`
    expect(violations).toEqual([
      { rule_name: 'stock_count_cells_parse', column_name: 'counted_qty', offending_value: 'abc' },
    ])

    // Had the reload run failed, it hands the failed load back (its rows are not archived again),
    // and another run reloads it.
    const handedBack = await attempt(archiving.archiveFailedLoads, { runId: reloadRun, error: 'planted' })
    expect(handedBack).toEqual({ runId: reloadRun, failedLoads: [], rowsArchived: 0, reopened: [load.failedLoadId] })
    await attempt(activities.releaseFailedRun, { runId: reloadRun })
    const [reopened] = await h.warehouse`
      select status, reloaded_in_run from etl.failed_loads where failed_load_id = ${load.failedLoadId}`
    expect(reopened).toEqual({ status: 'open', reloaded_in_run: null })
    await startRun(`${reloadRun}-2`, 'reload')
    const again = await attempt(noSource.stageFailedLoad, { runId: `${reloadRun}-2`, failedLoadId: load.failedLoadId })
    expect(again).toMatchObject({ rowsRead: 2, rowsInserted: 0, rowsUpdated: 1, rowsRejected: 1 })
    // The file whose reload failed above is still open.
    const [stillOpen] = await h.warehouse`
      select status from etl.failed_loads where failed_load_id = 'run-fl-sheet.stock_count/stock_count_2024-11.csv'`
    expect(stillOpen?.status).toBe('open')
  })
})
