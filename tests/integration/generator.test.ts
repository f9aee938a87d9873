// The demo data generator: deterministic, sized by scale, and honest about its defects: every
// planted defect in seed_truth.defects is visible in the data, measured here independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sourceAdminUrl } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { GroundTruth, generatePos, World } from '../../seed/generate-pos.ts'
import { simulateDays } from '../../seed/simulate.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const TABLES = ['customers', 'employees', 'products', 'orders', 'order_details', 'inventory_tracking']
const TODAY = '2026-06-01'
const id = uniqueTestId('gen')
const databases: string[] = []

async function freshDatabase(name: string): Promise<Sql> {
  const url = sourceAdminUrl(testConfig(`${id}${name}`))
  databases.push(url)
  await dropDatabase(url)
  await ensureDatabase(url)
  return connect(url, { max: 2 })
}

async function checksum(sql: Sql, table: string): Promise<string> {
  const [row] = await sql.unsafe(
    `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from ${table} t`,
  )
  return row?.sum as string
}

async function planted(sql: Sql, table: string, defect: string): Promise<string[]> {
  const rows = await sql`
    select natural_key from seed_truth.defects where table_name = ${table} and defect = ${defect}
    order by natural_key`
  return rows.map((row) => row.natural_key as string)
}

async function keys(sql: Sql, query: string): Promise<string[]> {
  const rows = await sql.unsafe(`${query} order by 1`)
  return rows.map((row) => String(Object.values(row)[0]))
}

describe('the demo POS generator', () => {
  let a: Sql
  let b: Sql
  let c: Sql
  beforeAll(async () => {
    ;[a, b, c] = await Promise.all([freshDatabase('a'), freshDatabase('b'), freshDatabase('c')])
    // The same day for both, so that a run across midnight still compares like with like.
    await generatePos(a, { scale: 1, seed: 7, defectRate: 0.05, today: TODAY })
    await generatePos(b, { scale: 1, seed: 7, defectRate: 0.05, today: TODAY })
    await generatePos(c, { scale: 2, seed: 8, defectRate: 0.05 })
  })
  afterAll(async () => {
    await Promise.all([a?.end(), b?.end(), c?.end()])
    for (const url of databases) await dropDatabase(url)
  })

  it('gives the same data for the same seed, and other data for another', async () => {
    for (const table of [...TABLES, 'seed_truth.defects']) {
      expect(await checksum(a, table), table).toBe(await checksum(b, table))
      expect(await checksum(a, table), table).not.toBe(await checksum(c, table))
    }
  })

  it('has the real size at scale 1 and grows sales, not the menu, with scale', async () => {
    const count = async (sql: Sql, table: string) => (await sql.unsafe(`select count(*)::int as n from ${table}`))[0]?.n
    expect(await count(a, 'customers')).toBe(200)
    expect(await count(a, 'employees')).toBe(100)
    expect(await count(a, 'products')).toBe(54)
    expect(await count(a, 'inventory_tracking')).toBe(160)
    // About 1,000 orders (a few are voided badly: their lines stay, their rows are gone) and
    // 3,000 lines; the same seed gives exactly these.
    expect(await count(a, 'orders')).toBe(989)
    expect(await count(a, 'order_details')).toBe(3003)
    expect(await count(c, 'customers')).toBe(400)
    expect(await count(c, 'employees')).toBe(100)
    expect(await count(c, 'products')).toBe(54)
    expect(await count(c, 'orders')).toBe(1970)
    expect(await count(c, 'order_details')).toBe(5932)
  })

  it('plants each defect class where its ground truth says', async () => {
    expect(await planted(a, 'orders', 'invalid_payment_method')).toEqual(
      await keys(a, `select order_id::text from orders where payment_method = 'ERROR'`),
    )
    expect(await planted(a, 'orders', 'misspelled_status')).toEqual(
      await keys(a, `select order_id::text from orders where order_status = 'Canceled'`),
    )
    expect(await planted(a, 'order_details', 'orphaned_line')).toEqual(
      await keys(a, 'select order_detail_id::text from order_details where order_id is null'),
    )
    expect(await planted(a, 'order_details', 'non_positive_quantity')).toEqual(
      await keys(a, 'select order_detail_id::text from order_details where quantity <= 0'),
    )
    expect(await planted(a, 'order_details', 'subtotal_mismatch')).toEqual(
      await keys(a, 'select order_detail_id::text from order_details where subtotal <> quantity * unit_price'),
    )
    expect(await planted(a, 'orders', 'total_mismatch')).toEqual(
      await keys(
        a,
        `select o.order_id::text from orders o join order_details d using (order_id)
         group by o.order_id, o.total_amount having o.total_amount <> sum(d.subtotal)`,
      ),
    )
    expect(await planted(a, 'inventory_tracking', 'invalid_reason')).toEqual(
      await keys(
        a,
        `select tracking_id::text from inventory_tracking where reason not in ('Restock', 'Damaged', 'Expired')`,
      ),
    )
    const negativePrices = [
      ...(await planted(a, 'products', 'negative_unit_price')),
      ...(await planted(a, 'products', 'negative_cost_price')),
    ].sort()
    expect(negativePrices).toEqual(
      await keys(a, `select product_id::text from products where unit_price like '$-%' or cost_price like '$-%'`),
    )
    expect(await planted(a, 'customers', 'negative_loyalty_points')).toEqual(
      await keys(a, 'select customer_id::text from customers where loyalty_points < 0'),
    )
    expect(await planted(a, 'employees', 'future_hire_date')).toEqual(
      await keys(a, `select employee_id::text from employees where hire_date > '${TODAY}'`),
    )
    // The classes of docs/sources.md planted at this seed and scale (zero-quantity movements and
    // negative unit prices are rarer: none at seed 7).
    const classes = await a`
      select distinct table_name || '.' || defect as class from seed_truth.defects order by 1`
    expect(classes.map((row) => row.class)).toEqual([
      'customers.duplicate_customer',
      'customers.invalid_email',
      'customers.negative_loyalty_points',
      'customers.short_phone',
      'employees.future_hire_date',
      'employees.invalid_email',
      'employees.invalid_role',
      'inventory_tracking.invalid_reason',
      'inventory_tracking.missing_product',
      'inventory_tracking.negative_quantity',
      'order_details.non_positive_quantity',
      'order_details.orphaned_line',
      'order_details.subtotal_mismatch',
      'orders.invalid_payment_method',
      'orders.misspelled_status',
      'orders.total_mismatch',
      'products.cost_above_price',
      'products.negative_cost_price',
      'products.unknown_branch',
      'products.unparseable_price',
    ])
    const [walkIns] = await a`select avg((customer_id is null)::int)::float8 as share from orders`
    expect(walkIns?.share).toBeGreaterThan(0.15)
    expect(walkIns?.share).toBeLessThan(0.35)
  })

  it('plants future hire dates after the day the data is made, whatever that day', () => {
    const hireDates = (today: string) => {
      const truth = new GroundTruth()
      const rows = [...new World({ scale: 1, seed: 7, defectRate: 0.05, today }).employees(truth)]
      const future = rows.filter((row) => (row[3] as string) > today).map((row) => row[0])
      return { rows, future, planted: truth.counts['employees.future_hire_date'] }
    }
    const now = hireDates('2026-06-01')
    const later = hireDates('2041-03-15')
    // The same employees carry the defect on either day, each hired after that day.
    expect(now.future.length).toBeGreaterThan(0)
    expect(now.planted).toBe(now.future.length)
    expect(later.future).toEqual(now.future)
    // Every other row is the same on both days.
    const others = (rows: unknown[][], future: unknown[]) => rows.filter((row) => !future.includes(row[0]))
    expect(others(later.rows, later.future)).toEqual(others(now.rows, now.future))
  })

  it('appends a day of activity after the last one, and changes some rows in place', async () => {
    const [before] = await a`select max(order_date) as last, max(order_id)::int as id from orders`
    const result = await simulateDays(a, 1)
    const [after] = await a`
      select min(order_date) as first from orders where order_id > ${before?.id}`
    expect(new Date(after?.first).getTime()).toBeGreaterThan(new Date(before?.last).getTime())
    expect(result.inserted.orders).toBeGreaterThan(0)
    expect(result.updated.customers).toBeGreaterThan(0)
    expect(result.deleted.orders).toBe(1)
  })
})
