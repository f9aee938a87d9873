// Reprocessing from the command line, on the hand-made fixture with every defect fixed at the
// source but one order line: the batch holds that line alone, a refused local file exits 2 and
// changes nothing, the corrected file publishes the line, the batch is reprocessed and its
// workflow completes; a reprocess asked during a run waits for the run's writer lock.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batchWorkflowId } from '../../client/batches.ts'
import { readText } from '../../lib/object-store.ts'
import { batchFileKey } from '../../lib/quality/batch-files.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf } from '../support/processes.ts'
import { loadFixture } from '../support/warehouse-fixture.ts'

let h: Harness
let batchId: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  h = await createHarness({}, { emptySource: true })
  await loadFixture(h)
  // Every defect of the fixture fixed at the source, but line 1007 (quantity 0).
  await h.source`update customers set email = 'dodi@example.com', loyalty_points = 5 where customer_id = 2`
  await h.source`update employees set role = 'Barista' where employee_id = 2`
  await h.source`update products set cost_price = '$2.00' where product_id = 2`
  await h.source`update products set store_branch = 'Laci Coffee' where product_id = 3`
  await h.source`update orders set payment_method = 'Cash' where order_id = 102`
  await h.source`update order_details set order_id = 104 where order_detail_id = 1005`
  await h.source`update inventory_tracking set reason = 'Restock' where tracking_id = 4`
  await writeFile(
    path.join(h.config.sheets.dir, 'stock_count.csv'),
    'count_date,store_name,product_id,counted_qty,counted_by\n2024-03-04,Setara Coffee,1,15,Ani\n',
  )
  batchId = (await h.run('full')).runId
  env = environmentOf(h.config)
}, 600_000)

afterAll(async () => {
  await h?.close()
})

describe('paccafe batches, batch and reprocess', () => {
  it('lists the batch and shows its one row', async () => {
    const list = await runPaccafe(['batches', '--status', 'open'], env)
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain(`${batchId}  open`)
    expect(list.stdout).toContain('rows held 1, waiting 1')
    const shown = await runPaccafe(['batch', batchId, '--json'], env)
    const summary = JSON.parse(shown.stdout) as { tables: { tableName: string; rowsOpen: number }[] }
    expect(summary.tables).toEqual([expect.objectContaining({ tableName: 'order_details', rowsOpen: 1 })])
    expect((await runPaccafe(['batch', 'no-such-batch'], env)).code).toBe(2)
  })

  it('refuses a bad local file with exit code 2 and changes nothing', async () => {
    const file = path.join(h.config.sheets.dir, 'bad.csv')
    await writeFile(file, 'natural_key,quantity\n1007,1\n')
    const refused = await runPaccafe(['reprocess', batchId, '--file', file], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/bad\.csv refused, nothing changed: line 1, the header/)
    const [recorded] = await h.warehouse<{ n: number }[]>`
      select ((select count(*) from dq.corrections) + (select count(*) from dq.batch_requests))::int as n`
    expect(recorded?.n).toBe(0)
  })

  it('publishes the corrected line from a local file; the batch is reprocessed and its workflow completes', async () => {
    const text = await readText(h.store, batchFileKey(batchId, 'order_details'))
    const [header, row] = parse(text, { bom: true }) as string[][]
    const cells = (header as string[]).map((column, i) =>
      column === 'quantity' ? '1' : column === 'subtotal' ? '3.00' : (row as string[])[i],
    )
    const file = path.join(h.config.sheets.dir, 'order_details-corrected.csv')
    await writeFile(file, `${(header as string[]).join(',')}\n${cells.join(',')}\n`)
    const done = await runPaccafe(['reprocess', batchId, '--keys', '1007', '--file', file, '--by', 'ani'], env)
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toMatch(
      /1 rows sent again, 1 published .* 0 still rejected; batch \S+ is reprocessed, 0 rows waiting/,
    )
    const [published] = await h.warehouse<{ quantity: number }[]>`
      select quantity from warehouse.fct_order_lines where nk_order_detail_id = 1007`
    expect(published?.quantity).toBe(1)
    const state = await h.client.workflow.getHandle(batchWorkflowId(batchId)).result()
    expect(state).toMatchObject({ status: 'reprocessed', rowsOpen: 0 })
    const [resolved] = await h.warehouse<{ status: string; resolved_by: string }[]>`
      select status, resolved_by from dq.violations where quarantine_batch_id = ${batchId}`
    expect(resolved).toEqual({ status: 'reprocessed', resolved_by: 'ani' })

    const again = await runPaccafe(['reprocess', batchId, '--keys', '1007', '--file', file], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('is reprocessed: no row is waiting, nothing to do')
  })

  it('makes a reprocess asked during a run wait for the run to release the writer lock', async () => {
    // A new bad line makes a batch; a run started first holds the lock while the reprocess waits.
    await h.source`insert into order_details (order_detail_id, order_id, product_id, quantity, unit_price, subtotal, created_at)
                   values (1012, 104, 1, 0, 3.00, 0.00, '2024-03-06 13:07')`
    const { runId: second } = await h.run('full')
    const running = await h.start('full')
    const reprocess = runPaccafe(['reprocess', second, '--keys', '1012'], env)
    await running.workflow.result()
    expect((await reprocess).code).toBe(0)
    const [order] = await h.warehouse<{ run_finished: Date; reprocess_started: Date }[]>`
      select (select finished_at from etl.runs where run_id = ${running.runId}) as run_finished,
             (select min(s.started_at) from etl.steps as s join etl.runs as r using (run_id)
              where r.mode = 'reprocess' and r.started_at > (select started_at from etl.runs where run_id = ${second})) as reprocess_started`
    expect(order?.reprocess_started.getTime()).toBeGreaterThanOrEqual(order?.run_finished.getTime() ?? Infinity)
  })
})
