// The dimensions on the hand-made fixture (tests/support/warehouse-fixture.ts), after one full
// run: calendar and clock, branches, products, customers and employees, with their unknown
// members and nullified attributes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
const rows = (query: string) => h.warehouse.unsafe(query)

describe('the dimensions on the hand-made fixture', () => {
  beforeAll(async () => {
    ;({ h } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('dim_date and dim_time: calendar attributes, day parts and unknown members', async () => {
    expect(
      await rows(`select date_id, date_actual::text, day_of_week, day_name, iso_week, month, month_name,
                              quarter, year, is_weekend
                       from warehouse.dim_date where date_id in (20240304, 20240309, -1) order by date_id`),
    ).toEqual([
      {
        date_id: -1,
        date_actual: null,
        day_of_week: null,
        day_name: 'Unknown',
        iso_week: null,
        month: null,
        month_name: 'Unknown',
        quarter: null,
        year: null,
        is_weekend: null,
      },
      {
        date_id: 20240304,
        date_actual: '2024-03-04',
        day_of_week: 1,
        day_name: 'Monday',
        iso_week: 10,
        month: 3,
        month_name: 'March',
        quarter: 1,
        year: 2024,
        is_weekend: false,
      },
      {
        date_id: 20240309,
        date_actual: '2024-03-09',
        day_of_week: 6,
        day_name: 'Saturday',
        iso_week: 10,
        month: 3,
        month_name: 'March',
        quarter: 1,
        year: 2024,
        is_weekend: true,
      },
    ])
    expect(
      await rows(`select time_id, hour, minute, day_part from warehouse.dim_time
                       where time_id in (-1, 0, 815, 1230, 1505, 1745, 2130) order by time_id`),
    ).toEqual([
      { time_id: -1, hour: null, minute: null, day_part: 'unknown' },
      { time_id: 0, hour: 0, minute: 0, day_part: 'night' },
      { time_id: 815, hour: 8, minute: 15, day_part: 'morning' },
      { time_id: 1230, hour: 12, minute: 30, day_part: 'lunch' },
      { time_id: 1505, hour: 15, minute: 5, day_part: 'afternoon' },
      { time_id: 1745, hour: 17, minute: 45, day_part: 'evening' },
      { time_id: 2130, hour: 21, minute: 30, day_part: 'night' },
    ])
    const [counts] = await rows('select (select count(*) from warehouse.dim_time)::int as minutes')
    expect(counts).toEqual({ minutes: 24 * 60 + 1 })
  })

  it('dim_store_branch, dim_products, dim_customers, dim_employees: nullified attributes and unknown members', async () => {
    expect(await rows('select nk_store_id, store_name from warehouse.dim_store_branch order by nk_store_id')).toEqual([
      { nk_store_id: -1, store_name: 'Unknown' },
      { nk_store_id: 1, store_name: 'Setara Coffee' },
      { nk_store_id: 2, store_name: 'Laci Coffee' },
    ])
    expect(
      await rows(`select p.nk_product_id, p.product_name, p.unit_price::text, p.cost_price::text, p.margin::text,
                         p.in_stock, b.store_name, p.valid_from::text, p.valid_to::text, p.is_current,
                         p.sk_product_id = warehouse.surrogate_key('dim_products', p.nk_product_id || '|-infinity') as stable_key
                  from warehouse.dim_products p join warehouse.dim_store_branch b using (sk_store_id)
                  order by nk_product_id`),
    ).toEqual([
      {
        nk_product_id: -1,
        product_name: 'Unknown',
        unit_price: null,
        cost_price: null,
        margin: null,
        in_stock: null,
        store_name: 'Unknown',
        valid_from: '-infinity',
        valid_to: 'infinity',
        is_current: true,
        stable_key: true,
      },
      {
        nk_product_id: 1,
        product_name: 'Espresso',
        unit_price: '3.00',
        cost_price: '1.00',
        margin: '2.00',
        in_stock: true,
        store_name: 'Setara Coffee',
        valid_from: '-infinity',
        valid_to: 'infinity',
        is_current: true,
        stable_key: true,
      },
      {
        nk_product_id: 2,
        product_name: 'Croissant',
        unit_price: '4.00',
        cost_price: null,
        margin: null,
        in_stock: true,
        store_name: 'Laci Coffee',
        valid_from: '-infinity',
        valid_to: 'infinity',
        is_current: true,
        stable_key: true,
      },
      {
        nk_product_id: 3,
        product_name: 'Latte',
        unit_price: '5.00',
        cost_price: '2.00',
        margin: '3.00',
        in_stock: false,
        store_name: 'Unknown',
        valid_from: '-infinity',
        valid_to: 'infinity',
        is_current: true,
        stable_key: true,
      },
    ])
    expect(
      await rows(`select nk_customer_id, full_name, email, loyalty_points, customer_master_id
                       from warehouse.dim_customers order by nk_customer_id`),
    ).toEqual([
      { nk_customer_id: -2, full_name: 'Walk-in customer', email: null, loyalty_points: null, customer_master_id: -2 },
      { nk_customer_id: -1, full_name: 'Unknown customer', email: null, loyalty_points: null, customer_master_id: -1 },
      {
        nk_customer_id: 1,
        full_name: 'Citra Lestari',
        email: 'citra@example.com',
        loyalty_points: 150,
        customer_master_id: 1,
      },
      { nk_customer_id: 2, full_name: 'Dodi Pratama', email: null, loyalty_points: null, customer_master_id: 2 },
    ])
    expect(await rows('select nk_employee_id, full_name, role from warehouse.dim_employees order by 1')).toEqual([
      { nk_employee_id: -1, full_name: 'Unknown employee', role: 'Unknown' },
      { nk_employee_id: 1, full_name: 'Ani Wijaya', role: 'Barista' },
      { nk_employee_id: 2, full_name: 'Budi Santoso', role: 'Unknown' },
    ])
  })
})
