// Given the demo POS database (with its planted defects), a pipeline run through the real
// Temporal dev server stages every row, judges it, archives the bad rows to the real S3
// gateway and publishes the warehouse and marts, and a second run changes nothing.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POS_TABLES } from '../../lib/extract/sources.ts'
import { measureModelsFloor } from '../../lib/models-floor.ts'
import { readText } from '../../lib/object-store.ts'
import { SHEET_SPECS } from '../../lib/sheets/sheet-specs.ts'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let firstRunId: string

const SOURCE_TABLES = [...POS_TABLES, ...SHEET_SPECS.map((sheet) => sheet.name)].sort()

/** Each warehouse table and mart with a unique key of its rows (its grain), to compare them in order. */
const TABLE_KEYS: Record<string, string> = {
  'warehouse.dim_customers': 'nk_customer_id',
  'warehouse.dim_employees': 'nk_employee_id',
  'warehouse.dim_products': 'sk_product_id',
  'warehouse.dim_store_branch': 'nk_store_id',
  'warehouse.int_orders': 'nk_order_id',
  'warehouse.fct_order_lines': 'nk_order_detail_id',
  'warehouse.fct_orders': 'nk_order_id',
  'warehouse.fct_inventory_movements': 'nk_tracking_id',
  'warehouse.int_stock_counts': 'nk_stock_count',
  'warehouse.fct_stock_counts': 'nk_stock_count',
  'marts.inventory_daily': 'day, product_id, store_name',
  'marts.waste_monthly': 'month, product_id, product_name, store_name, reason',
  'marts.stock_discrepancies': 'gap_rank',
  'marts.customer_rfm': 'customer_master_id',
  'marts.customer_activity_monthly': 'month',
  'marts.sales_by_hour': 'store_name, day_of_week, hour',
  'marts.employee_performance': 'employee_id, month',
  'marts.stock_on_hand': 'product_id, store_name',
  'marts.waste_by_reason': 'month, reason',
  'marts.customer_segments': 'segment, loyalty_tier',
  'marts.warehouse_totals': 'last_month',
}

/**
 * The planted defects that a reject rule catches, per source table (models/clean/*.rules.yml):
 * the rows of the generator's ground truth that a run must reject. Other tables reject nothing.
 */
const REJECTED_DEFECTS: Record<string, string[]> = {
  order_details: ['orphaned_line', 'non_positive_quantity', 'subtotal_mismatch'],
  inventory_tracking: ['invalid_reason', 'zero_quantity', 'missing_product'],
}

/** The distinct rows of `table` planted with any of `defects`. */
async function plantedRows(h: Harness, table: string, defects: string[]): Promise<string[]> {
  const rows = await h.source<{ natural_key: string }[]>`
    select distinct natural_key from seed_truth.defects where table_name = ${table} and defect = any(${defects})`
  return keysOf(rows)
}

/** Rows in the source database, per POS table. */
async function sourceCounts(h: Harness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of POS_TABLES) {
    const [row] = await h.source.unsafe(`select count(*)::int as n from ${table}`)
    counts[table] = row?.n
  }
  return counts
}

const keysOf = (rows: { natural_key: string }[]) => rows.map((row) => row.natural_key).sort()

async function plantedKeys(h: Harness, table: string, defect: string): Promise<string[]> {
  const rows = await h.source<{ natural_key: string }[]>`
    select natural_key from seed_truth.defects where table_name = ${table} and defect = ${defect}`
  return keysOf(rows)
}

/** The keys of the first run's violations of `rule`. */
async function violationKeys(h: Harness, rule: string): Promise<string[]> {
  return keysOf(
    await h.warehouse<{ natural_key: string }[]>`
    select natural_key from dq.violations where rule_name = ${rule} and run_id = ${firstRunId}`,
  )
}

describe('a full run on the demo POS database', () => {
  beforeAll(async () => {
    h = await createHarness()
    firstRunId = (await h.run('full')).runId
  })
  afterAll(async () => {
    await h?.close()
  })

  it('stages every source row with its batch metadata', async () => {
    for (const table of ['customers', 'employees']) {
      const [source] = await h.source.unsafe(`select count(*)::int as n from ${table}`)
      const [staged] = await h.warehouse.unsafe(
        `select count(*)::int as n, count(distinct _batch_id)::int as batches,
                bool_and(_row_hash ~ '^[0-9a-f]{32}$') as hashed, bool_and(_source = 'pos') as sourced
         from staging.${table}`,
      )
      expect(staged?.n).toBe(source?.n)
      expect(staged).toMatchObject({ batches: 1, hashed: true, sourced: true })
    }
    const [sample] = await h.source`select * from customers order by customer_id limit 1`
    const [mirrored] = await h.warehouse`select * from staging.customers where customer_id = ${sample?.customer_id}`
    expect(mirrored).toMatchObject(sample as object)
  })

  it('publishes each customer and employee once, plus the unknown and walk-in members', async () => {
    const [customers] = await h.source`select count(*)::int as n from customers`
    const [employees] = await h.source`select count(*)::int as n from employees`
    const [dimCustomers] = await h.warehouse`select count(*)::int as n from warehouse.dim_customers`
    const [dimEmployees] = await h.warehouse`select count(*)::int as n from warehouse.dim_employees`
    expect(dimCustomers?.n).toBe((customers?.n ?? 0) + 2)
    expect(dimEmployees?.n).toBe((employees?.n ?? 0) + 1)
    const special = await h.warehouse`
      select nk_customer_id, first_name, sk_customer_id = warehouse.surrogate_key('dim_customers', nk_customer_id::text) as stable
      from warehouse.dim_customers where is_special_member order by nk_customer_id`
    expect(special).toEqual([
      { nk_customer_id: -2, first_name: 'Walk-in', stable: true },
      { nk_customer_id: -1, first_name: 'Unknown', stable: true },
    ])
  })

  it('records a violation for exactly the rows that carry each planted defect', async () => {
    expect(await violationKeys(h, 'customers_email_format')).toEqual(await plantedKeys(h, 'customers', 'invalid_email'))
    expect(await violationKeys(h, 'customers_loyalty_points_not_negative')).toEqual(
      await plantedKeys(h, 'customers', 'negative_loyalty_points'),
    )
    expect(await violationKeys(h, 'customers_phone_digits')).toEqual(await plantedKeys(h, 'customers', 'short_phone'))
    expect(await violationKeys(h, 'employees_role_known')).toEqual(await plantedKeys(h, 'employees', 'invalid_role'))
    expect(await violationKeys(h, 'employees_hire_date_not_future')).toEqual(
      await plantedKeys(h, 'employees', 'future_hire_date'),
    )
    expect(await violationKeys(h, 'employees_email_format')).toEqual(await plantedKeys(h, 'employees', 'invalid_email'))
    expect((await plantedKeys(h, 'customers', 'invalid_email')).length).toBeGreaterThan(0)
  })

  it('keeps each violation with its offending value, and one verdict per row', async () => {
    // The value as the POS holds it (`ERROR`), the clean model's (`Error`) beside it when it differs.
    const [violation] = await h.warehouse`
      select v.offending_value, v.cleaned_value, v.severity, v.run_id from dq.violations v
      where v.rule_name = 'employees_role_known' order by natural_key::int limit 1`
    const [employee] = await h.source`
      select role, nullif(initcap(role), role) as cleaned from employees
      where employee_id = (select min(natural_key::int) from seed_truth.defects where defect = 'invalid_role')`
    expect(violation).toEqual({
      offending_value: employee?.role,
      cleaned_value: employee?.cleaned,
      severity: 'nullify',
      run_id: firstRunId,
    })
    // One verdict per row the run validated: every row of the source (there are no sheet files).
    const verdicts = await h.warehouse<{ table_name: string; n: number; rows: number }[]>`
      select table_name, count(*)::int as n, count(distinct natural_key)::int as rows
      from dq.verdicts where run_id = ${firstRunId} group by table_name order by table_name`
    const counts = await sourceCounts(h)
    expect(verdicts).toEqual(
      Object.keys(counts)
        .sort()
        .map((table) => ({ table_name: table, n: counts[table], rows: counts[table] })),
    )
  })

  it('applies nullified values in the dimensions: NULL, or Unknown for a role', async () => {
    const badEmails = await plantedKeys(h, 'customers', 'invalid_email')
    const emails = await h.warehouse`
      select email from warehouse.dim_customers where nk_customer_id::text = any(${badEmails})`
    expect(emails.map((row) => row.email)).toEqual(badEmails.map(() => null))
    const badPoints = await plantedKeys(h, 'customers', 'negative_loyalty_points')
    const [points] = await h.warehouse`
      select count(*)::int as n from warehouse.dim_customers
      where nk_customer_id::text = any(${badPoints}) and loyalty_points is null`
    expect(points?.n).toBe(badPoints.length)
    const badRoles = await plantedKeys(h, 'employees', 'invalid_role')
    const roles = await h.warehouse`
      select distinct role from warehouse.dim_employees where nk_employee_id::text = any(${badRoles})`
    expect(roles).toEqual([{ role: 'Unknown' }])
    const [warned] = await h.warehouse`
      select count(*)::int as n from warehouse.dim_customers c
      where c.nk_customer_id::text = any(${await plantedKeys(h, 'customers', 'short_phone')}) and c.phone is not null`
    expect(warned?.n).toBe((await plantedKeys(h, 'customers', 'short_phone')).length)
  })

  it('archives the failing source rows to the bucket, with a checksum and a manifest', async () => {
    const objects = await h.warehouse<{ object_key: string; rule_name: string; row_count: number; checksum: string }[]>`
      select object_key, rule_name, row_count, checksum from dq.quarantine_objects
      where run_id = ${firstRunId} order by object_key`
    // reject and nullify rules that caught a row are archived; warn rules are only recorded
    const archivedRules = await h.warehouse<{ rule_name: string }[]>`
      select distinct rule_name from dq.violations
      where run_id = ${firstRunId} and severity in ('reject', 'nullify') order by rule_name`
    expect(objects.map((o) => o.rule_name).sort()).toEqual(archivedRules.map((r) => r.rule_name))
    expect(objects.map((o) => o.rule_name)).toEqual(
      expect.arrayContaining(['customers_email_format', 'employees_role_known', 'order_details_order_exists']),
    )
    for (const object of objects) {
      const text = await readText(h.store, object.object_key)
      expect(createHash('sha256').update(text).digest('hex')).toBe(object.checksum)
      const lines = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
      expect(lines).toHaveLength(object.row_count)
      expect(keysOf(lines)).toEqual(await violationKeys(h, object.rule_name))
      for (const line of lines.filter((l) => ['customers', 'employees'].includes(l.table))) {
        const table = line.table as string
        const [original] = await h.source.unsafe(`select * from ${table} where ${table.slice(0, -1)}_id = $1`, [
          Number(line.natural_key),
        ])
        expect(line.source_row.email ?? null).toBe(original?.email ?? null)
        expect(line.rule).toBe(object.rule_name)
      }
    }
    const manifest = JSON.parse(await readText(h.store, `quarantine/run=${firstRunId}/table=employees/manifest.json`))
    expect(manifest.objects.map((o: { rule: string }) => o.rule).sort()).toEqual([
      'employees_email_format',
      'employees_hire_date_not_future',
      'employees_role_known',
    ])
    const roleObject = objects.find((o) => o.rule_name === 'employees_role_known')
    expect(manifest.objects.find((o: { rule: string }) => o.rule === 'employees_role_known')).toMatchObject({
      row_count: roleObject?.row_count,
      sha256: roleObject?.checksum,
    })
  })

  it('balances the row accounting: extracted = published + rejected', async () => {
    const rows = await h.warehouse`
      select table_name, rows_extracted, rows_published, rows_rejected, difference
      from etl.row_accounting where run_id = ${firstRunId} order by table_name`
    // Every source table, POS and sheets, is accounted for in every run: every source row
    // extracted, exactly the rows planted with a rejected defect rejected, the others published.
    const counts = await sourceCounts(h)
    const expected = []
    for (const table of SOURCE_TABLES) {
      const extracted = counts[table] ?? 0 // no sheet files in this test
      const rejected = (await plantedRows(h, table, REJECTED_DEFECTS[table] ?? [])).length
      expected.push({
        table_name: table,
        rows_extracted: extracted,
        rows_published: extracted - rejected,
        rows_rejected: rejected,
        difference: 0,
      })
    }
    expect(rows).toEqual(expected)
    // The rows rejected are the planted ones themselves, not only as many.
    for (const [table, defects] of Object.entries(REJECTED_DEFECTS)) {
      const rejected = await h.warehouse<{ natural_key: string }[]>`
        select natural_key from dq.verdicts where run_id = ${firstRunId} and table_name = ${table} and verdict = 'reject'`
      expect(keysOf(rejected), table).toEqual(await plantedRows(h, table, defects))
    }
    expect((await plantedKeys(h, 'order_details', 'orphaned_line')).length).toBeGreaterThan(0)
    const [run] =
      await h.warehouse`select status, mode, finished_at is not null as finished from etl.runs where run_id = ${firstRunId}`
    expect(run).toEqual({ status: 'succeeded', mode: 'full', finished: true })
    const steps =
      await h.warehouse`select step, table_name, status from etl.steps where run_id = ${firstRunId} order by step, table_name`
    expect(steps.every((step) => step.status === 'succeeded')).toBe(true)
    expect(steps.map((step) => `${step.step}/${step.table_name}`)).toContain('model:warehouse.dim_customers/')
  })

  it('builds the warehouse tables the models benchmark measures its floor with, column for column and row for row', async () => {
    // The benchmark's floor (lib/models-floor.ts) writes each warehouse table with one INSERT ... SELECT
    // from staging; a floor that built other rows or fewer columns would measure other work.
    const floor = await measureModelsFloor(h.config.warehouseUrl)
    expect(floor.differences).toEqual([])
    const [schema] = await h.warehouse`select to_regnamespace('bench_models_floor') is null as dropped`
    expect(schema?.dropped).toBe(true)
  })

  it('changes nothing when run again on unchanged data', async () => {
    const snapshot = async () => ({
      warehouse: Object.fromEntries(
        await Promise.all(
          Object.entries(TABLE_KEYS).map(async ([table, key]) => [
            table,
            await h.warehouse.unsafe(`select * from ${table} order by ${key}`),
          ]),
        ),
      ),
      staging: await h.warehouse`select customer_id, _batch_id, _row_hash from staging.customers order by customer_id`,
      violations:
        await h.warehouse`select violation_id, run_id, natural_key, rule_name from dq.violations order by violation_id`,
      objects: await h.warehouse`select object_key, checksum from dq.quarantine_objects order by object_key`,
    })
    const before = await snapshot()
    const { runId, result } = await h.run('full')
    expect(await snapshot()).toEqual(before)
    expect(
      result.extracted
        .map((e) => ({ table: e.tableName, staged: e.rowsInserted + e.rowsUpdated }))
        .sort((a, b) => a.table.localeCompare(b.table)),
    ).toEqual(SOURCE_TABLES.map((table) => ({ table, staged: 0 })))
    const accounting = await h.warehouse`
      select table_name, rows_extracted, difference from etl.row_accounting where run_id = ${runId}
      order by table_name`
    expect(accounting).toEqual(SOURCE_TABLES.map((table) => ({ table_name: table, rows_extracted: 0, difference: 0 })))
  })

  it('stages exactly the changed rows in a later full run, and marks deleted ones', async () => {
    await h.source`update customers set email = 'not-an-email', loyalty_points = 7 where customer_id = 3`
    await h.source`insert into employees (employee_id, first_name, last_name, hire_date, role, email, created_at)
                   values (1001, 'Sari', 'Wulandari', '2024-02-01', 'barista', 'sari@paccafe.example', '2024-12-30 08:00')`
    await h.source`update orders set employee_id = null where employee_id = 2`
    await h.source`delete from employees where employee_id = 2`
    const { runId, result } = await h.run('full')
    const byTable = Object.fromEntries(result.extracted.map((e) => [e.tableName, e]))
    expect(byTable.customers).toMatchObject({ rowsInserted: 0, rowsUpdated: 1, rowsDeleted: 0 })
    expect(byTable.employees).toMatchObject({ rowsInserted: 1, rowsUpdated: 0, rowsDeleted: 1 })
    const [customer] = await h.warehouse`
      select email, loyalty_points from warehouse.dim_customers where nk_customer_id = 3`
    expect(customer).toEqual({ email: null, loyalty_points: 7 })
    const [violation] = await h.warehouse`
      select run_id, offending_value from dq.violations
      where rule_name = 'customers_email_format' and natural_key = '3'`
    expect(violation).toEqual({ run_id: runId, offending_value: 'not-an-email' })
    const [employee] = await h.warehouse`select role from warehouse.dim_employees where nk_employee_id = 1001`
    expect(employee?.role).toBe('Barista')
    const [deleted] =
      await h.warehouse`select _deleted_at is not null as gone from staging.employees where employee_id = 2`
    expect(deleted?.gone).toBe(true)
    const accounting = await h.warehouse`
      select table_name, rows_extracted, rows_deleted, difference from etl.row_accounting
      where run_id = ${runId} order by table_name`
    expect(accounting.filter((row) => ['customers', 'employees'].includes(row.table_name))).toEqual([
      { table_name: 'customers', rows_extracted: 1, rows_deleted: 0, difference: 0 },
      { table_name: 'employees', rows_extracted: 1, rows_deleted: 1, difference: 0 },
    ])
  })

  it('stages only rows past the high-water mark in an incremental run, late commits included', async () => {
    // The overlap window (60 minutes) re-reads the customers created in the last hour before the
    // high-water mark, which the source alone says.
    const [window] = await h.source`
      select count(*)::int as n from customers
      where created_at >= (select max(created_at) from customers) - interval '60 minutes'`
    await h.source`insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at)
                   values (5001, 'Budi', 'Santoso', 'budi@example.com', '6281234567890', 10, '2030-01-01 09:00')`
    const first = await h.run('incremental')
    const customers = first.result.extracted.find((e) => e.tableName === 'customers')
    expect(customers).toMatchObject({ rowsInserted: 1, rowsUpdated: 0 })
    // The overlap window re-reads the newest rows, but an unchanged row is not staged again.
    expect(customers).toMatchObject({ rowsRead: (window?.n ?? 0) + 1, rowsUnchanged: window?.n })
    expect(first.result.extracted.find((e) => e.tableName === 'employees')).toMatchObject({
      rowsInserted: 0,
      rowsUpdated: 0,
      rowsDeleted: 0,
    })
    const [watermark] = await h.warehouse`select high_water_mark from etl.watermarks where table_name = 'customers'`
    expect(watermark?.high_water_mark).toEqual(new Date('2030-01-01T09:00:00'))

    // A row committed late, stamped 30 minutes before the high-water mark, is caught once.
    await h.source`insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at)
                   values (5002, 'Dewi', 'Lestari', 'dewi@example.com', null, 0, '2030-01-01 08:30')`
    const second = await h.run('incremental')
    expect(second.result.extracted.find((e) => e.tableName === 'customers')).toMatchObject({
      rowsInserted: 1,
      rowsUpdated: 0,
    })
    const [staged] = await h.warehouse`
      select count(*)::int as n from staging.customers where customer_id in (5001, 5002)`
    expect(staged?.n).toBe(2)
    const [published] = await h.warehouse`
      select count(*)::int as n from warehouse.dim_customers where nk_customer_id in (5001, 5002)`
    expect(published?.n).toBe(2)
  })
})
