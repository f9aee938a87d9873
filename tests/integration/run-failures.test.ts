// Errors that retrying cannot fix stop the run at once, with a typed failure and a clear
// message, and leave the warehouse as it was; the run hands back what it staged (rows, moved
// watermarks, ingested sheet files), so the next run stages and publishes all of it.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POS_TABLES } from '../../lib/extract/sources.ts'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'
import { activityAttempts } from '../support/run-watch.ts'

let h: Harness
let failedRunId: string

/** The branch sheet, three rows, in the sheets folder: ingested along with the POS tables. */
const BRANCHES_CSV =
  'store_id,store_name,created_at\n1,Setara Coffee,2022-11-01 09:00:00\n' +
  '2,Laci Coffee,2022-11-15 09:00:00\n3,Dapur Kenangan,2022-12-01 09:00:00\n'

// A scenario, in order: the second test is the run after the failed one of the first.
describe('a run that fails on schema drift, then the run after it', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await mkdir(h.config.sheets.dir, { recursive: true })
    await writeFile(path.join(h.config.sheets.dir, 'store_branch.csv'), BRANCHES_CSV)
  })
  afterAll(async () => {
    await h?.close()
  })

  it('stops on schema drift before staging, naming the table, column and types', async () => {
    await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
    await h.source`alter table employees drop column role`
    const { runId, error } = await h.runExpectingFailure('full')
    failedRunId = runId
    const message = rootMessage(error)
    expect(failureTypes(error)).toContain('BadInputError')
    expect(message).toMatch(/Schema drift in source table public\.(customers|employees)/)
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/Schema drift/)
    const steps = await h.warehouse`
      select table_name, error from etl.steps where run_id = ${runId} and step = 'extract' and status = 'failed'
      order by table_name`
    expect(steps.map((s) => s.table_name)).toEqual(['customers', 'employees'])
    expect(steps[0]?.error).toContain('column loyalty_points is numeric(10,2), expected integer')
    expect(steps[1]?.error).toContain('column role')
    // Nothing was staged of the drifted tables.
    const [staged] = await h.warehouse`select count(*)::int as n from staging.customers`
    expect(staged?.n).toBe(0)
    // No attempt was retried: every activity of the run ran once, and the two extracts failed
    // as non-retryable failures.
    const workflow = h.client.workflow.getHandle(`paccafe-pipeline-${runId}`)
    expect((await workflow.describe()).status.name).toBe('FAILED')
    const attempts = await activityAttempts(workflow)
    expect(attempts.filter((a) => a.attempt !== 1)).toEqual([])
    const failed = attempts.filter((a) => a.failure && a.type === 'extractPosTable')
    expect(
      failed
        .map((a) => ({ table: (a.input as { tableName: string }).tableName, ...a.failure, message: undefined }))
        .sort((a, b) => a.table.localeCompare(b.table)),
    ).toEqual([
      { table: 'customers', type: 'BadInputError', message: undefined, nonRetryable: true },
      { table: 'employees', type: 'BadInputError', message: undefined, nonRetryable: true },
    ])
  })

  it('hands back the rows, watermarks and sheet files it staged; the next run stages and publishes them', async () => {
    // The run above failed on two tables, after the others were staged.
    const [orders] = await h.source`select count(*)::int as n from orders`
    const [released] = await h.warehouse`
      select count(*) filter (where _row_hash = 'released')::int as released, count(*)::int as staged
      from staging.orders`
    expect(released).toEqual({ released: orders?.n, staged: orders?.n })
    const [watermark] = await h.warehouse`select high_water_mark from etl.watermarks where table_name = 'orders'`
    expect(watermark?.high_water_mark ?? null).toBeNull()
    // Its sheet file is forgotten (left in the folder, no longer counted as ingested), its rows released.
    const ingested = await h.warehouse`
      select f.file_name from etl.ingested_files f join etl.batches b using (batch_id) where b.run_id = ${failedRunId}`
    expect(ingested).toEqual([])
    const branches = await h.warehouse`select store_id, _row_hash from staging.store_branch order by store_id`
    expect(branches).toEqual(['1', '2', '3'].map((id) => ({ store_id: id, _row_hash: 'released' })))

    await h.source`alter table customers alter column loyalty_points type integer using loyalty_points::integer`
    await h.source`alter table employees add column role varchar(50)`
    const { runId, result } = await h.run('full')
    const extracted = Object.fromEntries(result.extracted.map((e) => [e.tableName, e]))
    expect(extracted.orders).toMatchObject({ rowsInserted: 0, rowsUpdated: orders?.n })
    expect(extracted.store_branch).toMatchObject({ rowsRead: 3, rowsInserted: 0, rowsUpdated: 3 })
    const [left] = await h.warehouse`select count(*)::int as n from staging.orders where _row_hash = 'released'`
    expect(left?.n).toBe(0)
    // Every row of every table was extracted again (the drifted ones for the first time), and balances.
    const sourceCounts = await Promise.all(
      POS_TABLES.map(async (table) => {
        const [count] = await h.source.unsafe(`select count(*)::int as n from ${table}`)
        return { table_name: table, rows_extracted: count?.n, difference: 0 }
      }),
    )
    const accounting = await h.warehouse`
      select table_name, rows_extracted, difference from etl.row_accounting where run_id = ${runId} order by table_name`
    expect(accounting).toEqual(
      [
        ...sourceCounts,
        { table_name: 'stock_count', rows_extracted: 0, difference: 0 },
        { table_name: 'store_branch', rows_extracted: 3, difference: 0 },
      ].sort((a, b) => a.table_name.localeCompare(b.table_name)),
    )
    const [published] = await h.warehouse`select count(*)::int as n from warehouse.fct_orders`
    expect(published?.n).toBe(orders?.n)
    const dimBranches = await h.warehouse`select nk_store_id from warehouse.dim_store_branch order by 1`
    expect(dimBranches.map((row) => row.nk_store_id)).toEqual([-1, 1, 2, 3])
  })
})
