// A row's journey (dq.row_journey, `paccafe journey`) on a warehouse of its own: an order line a
// full run held back, corrected by a person, reprocessed and published, then staged again by a
// later full run once the POS held the corrected value, which retired the correction. Rows of
// other keys in the same runs, quarantine batch and requests must stay out of its journey.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sql, TransactionSql } from '../../lib/db.ts'
import { projectRoot } from '../../lib/paths.ts'
import { JOURNEY_TABLES, type JourneyEvent, rowJourney } from '../../lib/quality/row-journey.ts'
import { migratedWarehouse, testConfig, uniqueTestId } from '../support/harness.ts'

const id = uniqueTestId('row_journey')
const { warehouseUrl } = testConfig(id)
let sql: Sql
let drop: () => Promise<void>

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')

async function paccafe(args: string[]) {
  const env = { ...process.env, PACCAFE_WAREHOUSE_URL: warehouseUrl, PACCAFE_TIMEZONE: 'Asia/Jakarta' }
  try {
    const { stdout, stderr } = await run(cli, args, { env, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const held = 'run-20260301T100000Z-full' // held the line back
const reprocess = 'run-20260302T091000Z-reprocess' // published it corrected
const later = 'run-20260305T100000Z-full' // staged it again, from the POS, corrected there
const quiet = 'run-20260303T100000Z-incremental' // did not stage it
const failed = 'run-20260304T100000Z-full' // staged a stock count, then failed
const rule = 'order_details_quantity_positive'
const objectKey = `quarantine/run=${held}/table=order_details/rule=${rule}.jsonl`
const otherObjectKey = `quarantine/run=${held}/table=order_details/rule=order_details_subtotal_matches.jsonl`
const correctedFile = `quarantine/run=${held}/corrected/order_details.csv`
const countKey = '2026-03-04|Main|17'

async function insertScenario(tx: TransactionSql): Promise<void> {
  await tx`
    insert into etl.runs (run_id, workflow_id, mode, started_at, finished_at, status, error) values
      (${held}, ${`paccafe-pipeline-${held}`}, 'full', '2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z', 'succeeded', null),
      (${reprocess}, ${`paccafe-reprocess-${reprocess}`}, 'reprocess', '2026-03-02T09:10:00Z', '2026-03-02T09:14:00Z', 'succeeded', null),
      (${quiet}, ${`paccafe-pipeline-${quiet}`}, 'incremental', '2026-03-03T10:00:00Z', '2026-03-03T10:04:00Z', 'succeeded', null),
      (${failed}, ${`paccafe-pipeline-${failed}`}, 'full', '2026-03-04T10:00:00Z', '2026-03-04T10:03:00Z', 'failed', 'S3 gateway unreachable'),
      (${later}, ${`paccafe-pipeline-${later}`}, 'full', '2026-03-05T10:00:00Z', '2026-03-05T10:06:00Z', 'succeeded', null)`
  await tx`
    insert into etl.batches (batch_id, run_id, table_name, source, mode, status, rows_read, rows_inserted,
                             rows_updated, rows_resubmitted, started_at, finished_at) values
      (${`${held}.order_details`}, ${held}, 'order_details', 'pos', 'full', 'staged', 3003, 3003, 0, 0,
       '2026-03-01T10:00:10Z', '2026-03-01T10:01:00Z'),
      (${`${reprocess}.order_details`}, ${reprocess}, 'order_details', 'reprocess', 'reprocess', 'staged', 0, 0, 0, 1,
       '2026-03-02T09:10:05Z', '2026-03-02T09:10:30Z'),
      (${`${quiet}.order_details`}, ${quiet}, 'order_details', 'pos', 'incremental', 'staged', 12, 12, 0, 0,
       '2026-03-03T10:00:10Z', '2026-03-03T10:00:40Z'),
      (${`${failed}.stock_count`}, ${failed}, 'stock_count', 'sheets', 'full', 'staged', 40, 40, 0, 0,
       '2026-03-04T10:00:10Z', '2026-03-04T10:00:20Z'),
      (${`${later}.order_details`}, ${later}, 'order_details', 'pos', 'full', 'staged', 3015, 12, 1, 0,
       '2026-03-05T10:00:10Z', '2026-03-05T10:01:00Z')`
  await tx`
    insert into dq.verdicts (run_id, batch_id, table_name, natural_key, verdict, nullified, fixed) values
      (${held}, ${`${held}.order_details`}, 'order_details', '1041', 'publish', '{}', '{}'),
      (${held}, ${`${held}.order_details`}, 'order_details', '1042', 'reject', '{}', '{}'),
      (${held}, ${`${held}.order_details`}, 'order_details', '1043', 'reject', '{}', '{}'),
      (${held}, ${`${held}.orders`}, 'orders', '1042', 'publish', '{}', '{}'),
      (${reprocess}, ${`${reprocess}.order_details`}, 'order_details', '1042', 'publish', '{}', '{}'),
      (${quiet}, ${`${quiet}.order_details`}, 'order_details', '5001', 'publish', '{}', '{}'),
      (${failed}, ${`${failed}.stock_count`}, 'stock_count', ${countKey}, 'reject', '{}', '{}'),
      (${later}, ${`${later}.order_details`}, 'order_details', '1042', 'publish', '{}', '{}')`
  await tx`
    insert into dq.quarantine_batches (batch_id, workflow_id, status, object_prefix, rows_held, created_at, updated_at,
                                       closed_at, closed_by, close_reason) values
      (${held}, ${`paccafe-quarantine-${held}`}, 'reprocessed', ${`quarantine/run=${held}/`}, 2,
       '2026-03-01T10:05:00Z', '2026-03-02T09:20:00Z', '2026-03-02T09:20:00Z', 'paccafe', 'no open violation')`
  await tx`
    insert into dq.violations (run_id, batch_id, table_name, natural_key, column_name, rule_name, severity,
                               offending_value, row_hash, detected_at, status, resolved_at, resolved_by,
                               resolution_note, quarantine_batch_id, last_seen_run_id, resolved_in_run) values
      (${held}, ${`${held}.order_details`}, 'order_details', '1042', 'quantity', ${rule}, 'reject', '-2', 'h-1042',
       '2026-03-01T10:02:00Z', 'reprocessed', '2026-03-02T09:12:00Z', 'alice', 'published corrected',
       ${held}, ${held}, ${reprocess}),
      (${held}, ${`${held}.order_details`}, 'order_details', '1042', 'product_id', 'order_details_product_exists',
       'warn', '999', 'h-1042', '2026-03-01T10:02:00Z', 'open', null, null, null, null, ${held}, null),
      (${held}, ${`${held}.order_details`}, 'order_details', '1043', 'subtotal', 'order_details_subtotal_matches',
       'reject', '10.00', 'h-1043', '2026-03-01T10:02:00Z', 'discarded', '2026-03-02T09:16:00Z', 'alice',
       'a test order', ${held}, ${held}, null),
      (${failed}, ${`${failed}.stock_count`}, 'stock_count', ${countKey}, 'counted_qty', 'stock_count_not_negative',
       'reject', '-4', 'h-count', '2026-03-04T10:01:00Z', 'open', null, null, null, ${failed}, ${failed}, null)`
  await tx`
    insert into dq.quarantine_objects (object_key, run_id, batch_id, table_name, rule_name, row_count, checksum,
                                       created_at) values
      (${objectKey}, ${held}, ${`${held}.order_details`}, 'order_details', ${rule}, 1, 'sha-a', '2026-03-01T10:02:00Z'),
      (${otherObjectKey}, ${held}, ${`${held}.order_details`}, 'order_details', 'order_details_subtotal_matches', 1,
       'sha-b', '2026-03-01T10:02:00Z'),
      (${`quarantine/run=${failed}/table=stock_count/rule=stock_count_not_negative.jsonl`}, ${failed},
       ${`${failed}.stock_count`}, 'stock_count', 'stock_count_not_negative', 1, 'sha-c', '2026-03-04T10:01:00Z')`
  await tx`
    insert into dq.corrections (table_name, natural_key, column_name, source_value, corrected_value,
                                quarantine_batch_id, source_file, corrected_by, corrected_at, retired_at,
                                retired_in_run, retired_source_value) values
      ('order_details', '1042', 'quantity', '-2', '2', ${held}, ${correctedFile}, 'alice', '2026-03-02T09:00:00Z',
       '2026-03-05T10:03:00Z', ${later}, '2'),
      ('order_details', '1043', 'subtotal', '10.00', '12.00', ${held}, ${correctedFile}, 'alice',
       '2026-03-02T09:00:00Z', null, null, null)`
  await tx`
    insert into dq.batch_requests (request_id, quarantine_batch_id, action, run_id, selection, source_file,
                                   requested_by, reason, requested_at, finished_at, rows_submitted, rows_published,
                                   rows_still_rejected, rows_still_nullified) values
      ('req-reprocess', ${held}, 'reprocess', ${reprocess}, ${tx.json({ order_details: ['1042'] })}, ${correctedFile},
       'alice', 'quantity typed with a minus', '2026-03-02T09:05:00Z', '2026-03-02T09:14:00Z', 1, 1, 0, 0),
      ('req-discard', ${held}, 'discard', null, ${tx.json({ order_details: ['1043'] })}, null,
       'alice', 'a test order', '2026-03-02T09:16:00Z', '2026-03-02T09:16:00Z', 0, 0, 0, 0)`
}

/** The object keys an event's detail lists. */
const objectKeys = (event?: JourneyEvent) =>
  ((event?.detail.objects ?? []) as { object_key: string }[]).map((o) => o.object_key)

const summary = (events: JourneyEvent[]) => events.map((e) => [e.event, e.runId, e.at?.toISOString() ?? null])

describe("a row's journey", () => {
  beforeAll(async () => {
    ;({ sql, drop } = await migratedWarehouse(id))
    await sql.begin((tx) => insertScenario(tx))
  })
  afterAll(async () => {
    await drop?.()
  })

  it('lists every event of the row in the order it happened, and nothing of other rows', async () => {
    const events = await rowJourney(sql, 'order_details', '1042')
    expect(summary(events)).toEqual([
      ['extracted', held, '2026-03-01T10:00:10.000Z'],
      // The violations and the quarantine objects share the validation's instant: stage order.
      ['violation', held, '2026-03-01T10:02:00.000Z'],
      ['violation', held, '2026-03-01T10:02:00.000Z'],
      ['quarantined', held, '2026-03-01T10:05:00.000Z'],
      ['corrected', null, '2026-03-02T09:00:00.000Z'],
      ['reprocess requested', reprocess, '2026-03-02T09:05:00.000Z'],
      ['reprocessed', reprocess, '2026-03-02T09:10:05.000Z'],
      ['violation resolved', reprocess, '2026-03-02T09:12:00.000Z'],
      ['published', reprocess, '2026-03-02T09:14:00.000Z'],
      ['quarantine closed', null, '2026-03-02T09:20:00.000Z'],
      ['extracted', later, '2026-03-05T10:00:10.000Z'],
      ['correction retired', later, '2026-03-05T10:03:00.000Z'],
      ['published', later, '2026-03-05T10:06:00.000Z'],
    ])
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
  })

  it('carries the facts of each event', async () => {
    const events = await rowJourney(sql, 'order_details', '1042')
    const only = (name: string) => events.filter((e) => e.event === name)
    expect(only('extracted').map((e) => [e.detail.verdict, e.detail.source, e.detail.run_mode])).toEqual([
      ['reject', 'pos', 'full'],
      ['publish', 'pos', 'full'],
    ])
    expect(only('reprocessed')[0]?.detail).toMatchObject({
      verdict: 'publish',
      source: 'reprocess',
      run_mode: 'reprocess',
    })
    expect(
      only('violation').map((e) => [e.detail.rule_name, e.detail.severity, e.detail.offending_value, e.detail.status]),
    ).toEqual([
      ['order_details_product_exists', 'warn', '999', 'open'],
      [rule, 'reject', '-2', 'reprocessed'],
    ])
    // Only the object of the rule that held this row, not the batch's other objects.
    const [quarantined] = only('quarantined')
    expect(quarantined?.detail).toMatchObject({
      quarantine_batch_id: held,
      status: 'reprocessed',
      workflow_id: `paccafe-quarantine-${held}`,
      object_prefix: `quarantine/run=${held}/`,
    })
    expect(objectKeys(quarantined)).toEqual([objectKey])
    expect(only('corrected')[0]?.detail).toMatchObject({
      column_name: 'quantity',
      source_value: '-2',
      corrected_value: '2',
      corrected_by: 'alice',
    })
    expect(only('correction retired')[0]?.detail).toMatchObject({ retired_source_value: '2', corrected_value: '2' })
    expect(only('reprocess requested')[0]?.detail).toMatchObject({
      request_id: 'req-reprocess',
      row_verdict: 'publish',
    })
    expect(only('violation resolved')[0]?.detail).toMatchObject({ rule_name: rule, resolved_by: 'alice' })
    expect(only('corrected')[0]?.summary).toBe(`quantity: '-2' -> '2' by alice (file ${correctedFile})`)
  })

  it("shows another row of the same batch its own discard, and not the first row's reprocess", async () => {
    const events = await rowJourney(sql, 'order_details', '1043')
    expect(events.map((e) => e.event)).toEqual([
      'extracted',
      'violation',
      'quarantined',
      'corrected',
      'discard requested',
      'discarded',
      'quarantine closed',
    ])
    const [quarantined] = events.filter((e) => e.event === 'quarantined')
    expect(objectKeys(quarantined)).toEqual([otherObjectKey])
  })

  it('shows a sheet row held back by a run that failed: quarantined without a batch, never published', async () => {
    const events = await rowJourney(sql, 'stock_count', countKey)
    expect(summary(events)).toEqual([
      ['extracted', failed, '2026-03-04T10:00:10.000Z'],
      ['violation', failed, '2026-03-04T10:01:00.000Z'],
      ['quarantined', failed, '2026-03-04T10:01:00.000Z'],
    ])
    expect(events[2]?.detail).not.toHaveProperty('workflow_id')
    expect(objectKeys(events[2])).toEqual([
      `quarantine/run=${failed}/table=stock_count/rule=stock_count_not_negative.jsonl`,
    ])
    expect(events[2]?.summary).toContain('no quarantine batch opened')
  })

  it('has no events for a key never seen, nor for the key in another table', async () => {
    expect(await rowJourney(sql, 'order_details', '999999')).toEqual([])
    expect(await rowJourney(sql, 'customers', '1042')).toEqual([])
  })

  it('paccafe journey prints one aligned line per event, in local time', async () => {
    const result = await paccafe(['journey', 'order_details', '1042'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    const events = await rowJourney(sql, 'order_details', '1042')
    expect(lines).toHaveLength(events.length + 1)
    expect(lines[0]).toMatch(/^ *#\s+at \(Asia\/Jakarta\)\s+event\s+run\s+summary$/)
    // Columns aligned: the event column starts at the same place on every line.
    const eventColumn = (lines[0] as string).indexOf('event')
    lines.slice(1).forEach((line, i) => {
      const event = events[i] as JourneyEvent
      expect(line.slice(eventColumn).startsWith(`${event.event} `)).toBe(true)
      expect(line).toContain(event.runId ?? ' - ')
      expect(line.endsWith(event.summary)).toBe(true)
    })
    // 10:00:10 UTC is 17:00:10 in Jakarta (UTC+7).
    expect(lines[1]).toMatch(/^ *1 {2}2026-03-01 17:00:10 {2}extracted /)
  })

  it('paccafe journey --json gives the same facts', async () => {
    const result = await paccafe(['journey', 'order_details', '1042', '--json'])
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout)
    const events = await rowJourney(sql, 'order_details', '1042')
    expect(printed).toEqual({
      table: 'order_details',
      naturalKey: '1042',
      timezone: 'Asia/Jakarta',
      events: JSON.parse(JSON.stringify(events)),
    })
  })

  it('paccafe journey: a sheet key, a key never seen (exit 1), an unknown table (exit 2)', async () => {
    const sheet = await paccafe(['journey', 'stock_count', countKey])
    expect(sheet.code).toBe(0)
    expect(
      sheet.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/)[2]),
    ).toEqual(['extracted', 'violation', 'quarantined'])
    const never = await paccafe(['journey', 'order_details', '999999'])
    expect(never.code).toBe(1)
    expect(never.stdout.trim().split('\n')).toEqual([
      'order_details 999999: never seen (no run staged it, and no violation, correction or request names it)',
    ])
    const neverJson = await paccafe(['journey', 'order_details', '999999', '--json'])
    expect(neverJson.code).toBe(1)
    expect(JSON.parse(neverJson.stdout).events).toEqual([])
    const unknown = await paccafe(['journey', 'order_lines', '1042'])
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe('')
    expect(unknown.stderr.trim().split('\n')).toEqual([
      `paccafe: unknown table "order_lines"; the tables are ${JOURNEY_TABLES.join(', ')}`,
    ])
  })
})
