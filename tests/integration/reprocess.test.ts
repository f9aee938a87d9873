// Reprocessing, end to end on the real services: the hand-made fixture's run holds rows back, its
// quarantine batch workflow waits, a corrected CSV from the bucket comes back through a
// `reprocess` update and is published, the correction survives later loads until the source
// moves on, and bad files, repeated requests, --from-source and discard behave as documented.
import { WithStartWorkflowOperation } from '@temporalio/client'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchWorkflowId, requestDiscard, requestReprocess } from '../../client/batches.ts'
import { readText } from '../../lib/object-store.ts'
import { batchFileKey, correctedPrefix } from '../../lib/quality/batch-files.ts'
import { reprocessUpdate, statusQuery } from '../../workflows/messages.ts'
import { quarantineBatch } from '../../workflows/quarantine-batch.ts'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
let batchId: string

const upload = async (name: string, text: string) => {
  const key = `${correctedPrefix(batchId)}${name}`
  await h.store.client.putObject(h.store.bucket, key, Buffer.from(text), Buffer.byteLength(text))
  return name
}

/** The batch's CSV of a table, parsed: header and rows by natural key. */
const batchFile = async (table: string) => {
  const text = await readText(h.store, batchFileKey(batchId, table))
  const [header, ...rows] = parse(text, { bom: true }) as string[][]
  return { text, header: header as string[], rows: new Map(rows.map((row) => [row[0] as string, row])) }
}

/** A correction file: the batch's own CSV with some cells changed. */
const corrected = async (table: string, changes: Record<string, Record<string, string>>, only?: string[]) => {
  const { header, rows } = await batchFile(table)
  const lines = [...rows.entries()]
    .filter(([key]) => !only || only.includes(key))
    .map(([key, row]) => header.map((column, i) => changes[key]?.[column] ?? row[i]).join(','))
  return `${header.join(',')}\n${lines.join('\n')}\n`
}

const violationsOf = (table: string, key: string) =>
  h.warehouse<{ rule_name: string; status: string; run_id: string; resolved_by: string | null }[]>`
    select rule_name, status, run_id, resolved_by from dq.violations
    where table_name = ${table} and natural_key = ${key} order by violation_id`

const line = (id: number) =>
  h.warehouse<{ nk_order_id: number; quantity: number; subtotal: string }[]>`
    select nk_order_id, quantity, subtotal::text from warehouse.fct_order_lines where nk_order_detail_id = ${id}`

beforeAll(async () => {
  const fixture = await fixtureWarehouse()
  h = fixture.h
  batchId = fixture.firstRunId
}, 600_000)

afterAll(async () => {
  // A batch left open by a failing test would wait on the dev server for ever.
  await h?.client.workflow
    .getHandle(batchWorkflowId(batchId))
    .terminate('test over')
    .catch(() => undefined)
  await h?.close()
})

describe('a quarantine batch, reprocessed', () => {
  it('is a running workflow, with a CSV per table holding exactly the rows held back', async () => {
    const description = await h.client.workflow.getHandle(batchWorkflowId(batchId)).describe()
    expect(description.status.name).toBe('RUNNING')
    const memo = description.memo as { rowsOpen: number; tables: Record<string, { rowsOpen: number }> }
    expect(memo.tables.order_details?.rowsOpen).toBe(2)
    const [held] = await h.warehouse<{ n: number }[]>`
      select count(distinct (table_name, natural_key))::int as n from dq.violations
      where quarantine_batch_id = ${batchId} and severity in ('reject', 'nullify')`
    expect(memo.rowsOpen).toBe(held?.n)

    const { header, rows } = await batchFile('order_details')
    expect(header).toEqual([
      'natural_key',
      'order_detail_id',
      'order_id',
      'product_id',
      'quantity',
      'unit_price',
      'subtotal',
      'created_at',
      'failed_rules',
      'offending_values',
    ])
    expect([...rows.keys()].sort()).toEqual(['1005', '1007'])
    expect(rows.get('1007')?.slice(1, 7)).toEqual(['1007', '102', '1', '0', '3.00', '0.00'])
    expect(rows.get('1007')?.[8]).toBe('order_details_quantity_positive')
    expect(await line(1007)).toEqual([])
  })

  it('refuses a malformed correction file whole, naming line, column, value and expectation', async () => {
    const [before] = await h.warehouse<{ n: number }[]>`
      select (select count(*) from dq.corrections) + (select count(*) from dq.batch_requests) as n`
    const badValue = await corrected('order_details', { '1007': { quantity: 'two' } })
    await expect(
      requestReprocess(h.client, batchId, { file: await upload('bad-value.csv', badValue) }),
    ).rejects.toThrow(/line 3, column quantity, value "two": expected an integer/)
    await upload('bad-header.csv', 'natural_key,qty\n1007,1\n')
    await expect(requestReprocess(h.client, batchId, { file: 'bad-header.csv' })).rejects.toThrow(
      /line 1, the header "natural_key,qty": expected the header of a table of batch/,
    )
    const unknownKey = (await corrected('order_details', {})).replace('\n1007,1007', '\n4242,1007')
    await expect(
      requestReprocess(h.client, batchId, { file: await upload('unknown.csv', unknownKey) }),
    ).rejects.toThrow(/column natural_key, value "4242": expected a row of batch/)
    await expect(requestReprocess(h.client, batchId, { file: 'missing.csv' })).rejects.toThrow(
      /no correction file .*missing\.csv/,
    )
    const [after] = await h.warehouse<{ n: number }[]>`
      select (select count(*) from dq.corrections) + (select count(*) from dq.batch_requests) as n`
    expect(after?.n).toBe(before?.n)
  })

  it('keeps a row whose correction still fails quarantined, with its new violation', async () => {
    // quantity 1 but subtotal left at 0.00: the subtotal no longer matches.
    const file = await upload(
      'still-failing.csv',
      await corrected('order_details', { '1007': { quantity: '1' } }, ['1007']),
    )
    const outcome = await requestReprocess(h.client, batchId, { file, requestedBy: 'ani' })
    expect(outcome).toMatchObject({ rowsSubmitted: 1, rowsPublished: 0, rowsStillRejected: 1 })
    const violations = await violationsOf('order_details', '1007')
    expect(violations.map((v) => [v.rule_name, v.status])).toEqual([
      ['order_details_quantity_positive', 'reprocessed'],
      ['order_details_subtotal_matches', 'open'],
    ])
    expect(violations[1]?.run_id).toBe(outcome.runId)
    expect(await line(1007)).toEqual([])
  })

  it('publishes corrected rows, marks their violations reprocessed, and the same request twice changes nothing', async () => {
    const text = await corrected('order_details', {
      '1005': { order_id: '104' },
      '1007': { quantity: '1', subtotal: '3.00' },
    })
    const file = await upload('order_details.csv', text)
    const outcome = await requestReprocess(h.client, batchId, { file, requestedBy: 'ani' })
    expect(outcome).toMatchObject({ rowsSubmitted: 2, rowsPublished: 2, rowsStillRejected: 0 })
    expect(await line(1005)).toEqual([{ nk_order_id: 104, quantity: 1, subtotal: '3.00' }])
    expect(await line(1007)).toEqual([{ nk_order_id: 102, quantity: 1, subtotal: '3.00' }])
    for (const key of ['1005', '1007']) {
      expect((await violationsOf('order_details', key)).every((v) => v.status === 'reprocessed')).toBe(true)
    }
    const [accounting] = await h.warehouse<{ rows_extracted: number; rows_published: number; difference: number }[]>`
      select rows_extracted, rows_published, difference from etl.row_accounting
      where run_id = ${outcome.runId} and table_name = 'order_details'`
    expect(accounting).toEqual({ rows_extracted: 2, rows_published: 2, difference: 0 })
    const gaps = await h.warehouse`
      select * from etl.reconciliation where run_id = ${outcome.runId} and difference <> 0`
    expect(gaps).toEqual([])
    const [run] = await h.warehouse<{ mode: string; status: string }[]>`
      select mode, status from etl.runs where run_id = ${outcome.runId}`
    expect(run).toEqual({ mode: 'reprocess', status: 'succeeded' })

    const again = await requestReprocess(h.client, batchId, { file, requestedBy: 'ani' })
    expect(again).toEqual(outcome)
    const [runs] = await h.warehouse<
      { n: number }[]
    >`select count(*)::int as n from etl.runs where run_id = ${outcome.runId}`
    expect(runs?.n).toBe(1)
  })

  it('re-reads rows from the fixed source', async () => {
    await h.source`update orders set payment_method = 'Cash' where order_id = 102`
    const outcome = await requestReprocess(h.client, batchId, { table: 'orders', fromSource: true })
    expect(outcome).toMatchObject({ rowsSubmitted: 1, rowsPublished: 1, rowsStillNullified: 0 })
    const [order] = await h.warehouse<{ payment_method: string }[]>`
      select payment_method from warehouse.fct_orders where nk_order_id = 102`
    expect(order?.payment_method).toBe('Cash')
  })

  it('keeps a correction through later loads, until the source holds another value', async () => {
    // Another column of the line changes at the source: the line is loaded again, corrected.
    await h.source`update order_details set created_at = '2024-03-05 17:46' where order_detail_id = 1007`
    const { runId: second } = await h.run('full')
    expect(await line(1007)).toEqual([{ nk_order_id: 102, quantity: 1, subtotal: '3.00' }])
    const [active] = await h.warehouse<{ n: number }[]>`
      select count(*)::int as n from dq.corrections
      where table_name = 'order_details' and natural_key = '1007' and retired_at is null`
    expect(active?.n).toBe(2)

    await h.source`update order_details set quantity = 2, subtotal = 6.00 where order_detail_id = 1007`
    const { runId: third } = await h.run('full')
    expect(third).not.toBe(second)
    expect(await line(1007)).toEqual([{ nk_order_id: 102, quantity: 2, subtotal: '6.00' }])
    const retired = await h.warehouse<{ column_name: string; retired_in_run: string; retired_source_value: string }[]>`
      select column_name, retired_in_run, retired_source_value from dq.corrections
      where table_name = 'order_details' and natural_key = '1007' and retired_in_run is not null
      order by column_name`
    expect(retired).toEqual([
      { column_name: 'quantity', retired_in_run: third, retired_source_value: '2' },
      { column_name: 'subtotal', retired_in_run: third, retired_source_value: '6.00' },
    ])
  })

  it("carries out a request that arrives in its workflow's first task", async () => {
    // Restarted with an update in its first task (update-with-start), as a request sent the
    // moment the run that opened the batch returns can be: its handler is already there.
    await h.client.workflow.getHandle(batchWorkflowId(batchId)).terminate('test: restarted with a request')
    const [open] = await h.warehouse<{ table_name: string; natural_key: string }[]>`
      select table_name, natural_key from dq.violations
      where quarantine_batch_id = ${batchId} and status = 'open' order by table_name, natural_key limit 1`
    expect(open).toBeDefined()
    const startWorkflowOperation = new WithStartWorkflowOperation(quarantineBatch, {
      workflowId: batchWorkflowId(batchId),
      taskQueue: h.config.temporal.taskQueue,
      args: [{ batchId }],
      workflowIdConflictPolicy: 'FAIL',
    })
    const outcome = await h.client.workflow.executeUpdateWithStart(reprocessUpdate, {
      args: [{ table: open?.table_name, keys: [open?.natural_key as string], requestedBy: 'ani' }],
      startWorkflowOperation,
    })
    expect(outcome).toMatchObject({ rowsSubmitted: 1, batchStatus: 'partly_reprocessed' })
    expect(outcome.rowsOpen).toBeGreaterThan(0)
  })

  it('is discarded with who and why, and its workflow completes', async () => {
    const handle = h.client.workflow.getHandle(batchWorkflowId(batchId))
    expect((await handle.query(statusQuery)).rowsOpen).toBeGreaterThan(0)
    const outcome = await requestDiscard(h.client, batchId, { reason: 'test: given up', requestedBy: 'budi' })
    expect(outcome.batchStatus).toBe('discarded')
    expect(outcome.rowsDiscarded).toBeGreaterThan(0)
    const state = await handle.result()
    expect(state).toMatchObject({ status: 'discarded', rowsOpen: 0 })
    const open =
      await h.warehouse`select 1 from dq.violations where quarantine_batch_id = ${batchId} and status = 'open'`
    expect(open).toEqual([])
    const [who] = await h.warehouse<{ resolved_by: string; resolution_note: string }[]>`
      select resolved_by, resolution_note from dq.violations
      where quarantine_batch_id = ${batchId} and status = 'discarded' limit 1`
    expect(who).toEqual({ resolved_by: 'budi', resolution_note: 'test: given up' })
  })
})
