// `paccafe models` as an operator uses it: list and graph the models, show the statements a
// model compiles to, and rebuild a selection through Temporal under its own run.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../lib/paths.ts'
import { createHarness, type Harness } from '../support/harness.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')
let h: Harness

async function paccafe(args: string[]) {
  const env = {
    ...process.env,
    PACCAFE_WAREHOUSE_URL: h.config.warehouseUrl,
    PACCAFE_SOURCE_URL: h.config.sourceUrl,
    PACCAFE_TASK_QUEUE: h.config.temporal.taskQueue,
    PACCAFE_S3_BUCKET: h.config.s3.bucket,
  }
  return run(cli, args, { env, timeout: 120_000 })
}

describe('paccafe models', () => {
  beforeAll(async () => {
    h = await createHarness()
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('lists every model with its materialization, and shows the graph in dependency order', async () => {
    const { stdout: list } = await paccafe(['models', 'list'])
    expect(list).toMatch(/warehouse\.dim_products\s+scd2\s+key=nk_product_id publishes=products/)
    expect(list).toMatch(/marts\.customer_rfm\s+table/)
    expect(list).toMatch(/warehouse\.fct_orders\s+incremental\s+key=nk_order_id previous_versions=kept/)
    expect(list).toMatch(/warehouse\.int_hourly_sales\s+incremental\s+partition=order_block/)
    const { stdout: graph } = await paccafe(['models', 'graph'])
    const position = (name: string) => graph.indexOf(`  ${name}`)
    expect(position('warehouse.int_orders')).toBeGreaterThan(position('warehouse.int_customer_masters'))
    expect(position('warehouse.dim_customers')).toBeGreaterThan(position('warehouse.int_customer_first_orders'))
    expect(position('warehouse.fct_orders')).toBeGreaterThan(position('warehouse.fct_order_lines'))
    expect(graph).toContain(
      'warehouse.fct_order_lines  <- clean.order_details, warehouse.dim_products, warehouse.int_orders',
    )
  })

  it('compiles a model to the statements the engine runs', async () => {
    const { stdout } = await paccafe(['models', 'compile', 'fct_order_lines'])
    expect(stdout).toContain('-- warehouse.fct_order_lines (incremental)')
    expect(stdout).toContain('insert into "warehouse"."fct_order_lines" as t')
    expect(stdout).toContain('on conflict ("nk_order_detail_id") do update')
    expect(stdout).toContain('update "warehouse"."fct_order_lines" as t')
    // The table exists with all its columns: no ALTER TABLE, which would lock out its readers.
    expect(stdout).not.toMatch(/alter table/i)
  })

  it('rebuilds a table model from scratch, and refuses to empty an incremental one', async () => {
    const count = async (table: string) => {
      const [row] = await h.warehouse.unsafe(`select count(*)::int as n from ${table}`)
      return row?.n as number
    }
    const lines = await count('warehouse.fct_order_lines')
    expect(lines).toBeGreaterThan(0)
    const refused = paccafe(['models', 'run', '--full-refresh', 'fct_order_lines'])
    await expect(refused).rejects.toThrow(/fct_order_lines is incremental: its rows come from the batches of past runs/)
    expect(await count('warehouse.fct_order_lines')).toBe(lines)

    const hours = await count('marts.sales_by_hour')
    const { stdout } = await paccafe(['models', 'run', '--full-refresh', 'sales_by_hour'])
    expect(stdout).toMatch(/marts\.sales_by_hour\s+\d+\s+\d+/)
    expect(await count('marts.sales_by_hour')).toBe(hours)
  })

  it('rebuilds a model and its downstream through Temporal, recorded as a models run', async () => {
    await h.warehouse`truncate marts.customer_rfm`
    // fct_orders+ is fct_orders and the eleven models downstream of it (dim_customers among them:
    // its first_order_date; warehouse_totals and customer_segments, through customer_rfm), twelve in all.
    // An analyst's view on a mart: a table rebuild must not break it.
    await h.warehouse`create view public.top_hours as select * from marts.sales_by_hour order by revenue desc limit 5`
    const { stdout } = await paccafe(['models', 'run', 'fct_orders+'])
    const top = await h.warehouse`select * from public.top_hours`
    expect(top.length).toBeGreaterThan(0)
    expect(stdout).toMatch(/Started paccafe-pipeline-run-\S+-models: 12 models/)
    const [rebuilt] = await h.warehouse`select count(*)::int as n from marts.customer_rfm`
    expect(rebuilt?.n).toBeGreaterThan(0)
    const [modelsRun] = await h.warehouse`
      select run_id, status from etl.runs where mode = 'models' order by started_at desc limit 1`
    expect(modelsRun?.status).toBe('succeeded')
    const steps = await h.warehouse`
      select step from etl.steps where run_id = ${modelsRun?.run_id} order by step`
    expect(steps.map((s) => s.step)).toEqual([
      'model:marts.customer_activity_monthly',
      'model:marts.customer_rfm',
      'model:marts.customer_segments',
      'model:marts.employee_performance',
      'model:marts.sales_by_hour',
      'model:marts.warehouse_totals',
      'model:warehouse.dim_customers',
      'model:warehouse.fct_orders',
      'model:warehouse.int_customer_first_orders',
      'model:warehouse.int_customer_orders',
      'model:warehouse.int_hourly_sales',
      'model:warehouse.int_monthly_customer_activity',
    ])
  })
})
