// The customer marts on the hand-made fixture (tests/support/warehouse-fixture.ts), after one
// full run, and the sums they read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
const rows = (query: string) => h.warehouse.unsafe(query)

describe('the customer marts on the hand-made fixture', () => {
  beforeAll(async () => {
    ;({ h } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('customer_rfm and customer_activity_monthly', async () => {
    expect(
      await rows(`select customer_master_id, first_order_date::text, last_order_date::text, recency_days, frequency,
                         monetary::text, recency_score, frequency_score, monetary_score, loyalty_points, loyalty_tier,
                         is_returning
                  from marts.customer_rfm order by 1`),
    ).toEqual([
      {
        customer_master_id: 1,
        first_order_date: '2024-03-04',
        last_order_date: '2024-03-04',
        recency_days: 2,
        frequency: 1,
        monetary: '13.00',
        recency_score: 1,
        frequency_score: 1,
        monetary_score: 1,
        loyalty_points: 150,
        loyalty_tier: 'Silver',
        is_returning: false,
      },
      {
        customer_master_id: 2,
        first_order_date: '2024-03-05',
        last_order_date: '2024-03-05',
        recency_days: 1,
        frequency: 1,
        monetary: '13.00',
        recency_score: 2,
        frequency_score: 2,
        monetary_score: 2,
        loyalty_points: 0,
        loyalty_tier: 'Bronze',
        is_returning: false,
      },
    ])
    expect(
      await rows(`select month::text, new_customers, returning_customers, walk_in_orders, orders,
                         new_customer_revenue::text, returning_customer_revenue::text, walk_in_revenue::text,
                         unknown_customer_revenue::text, revenue::text, walk_in_share::text
                  from marts.customer_activity_monthly order by month`),
    ).toEqual([
      {
        month: '2024-03-01',
        new_customers: 2,
        returning_customers: 0,
        walk_in_orders: 1,
        orders: 4,
        new_customer_revenue: '26.00',
        returning_customer_revenue: '0',
        walk_in_revenue: '4.00',
        unknown_customer_revenue: '3.00',
        // 26.00 + 0 + 4.00 + 3.00; one walk-in order (104) of four.
        revenue: '33.00',
        walk_in_share: '0.2500',
      },
    ])
  })

  it('customer_rfm segments, customer_segments and warehouse_totals', async () => {
    // Two customers, so the quintiles are 1 and 2: both score low on recency and frequency.
    expect(await rows('select customer_master_id, segment from marts.customer_rfm order by 1')).toEqual([
      { customer_master_id: 1, segment: 'Hibernating' },
      { customer_master_id: 2, segment: 'Hibernating' },
    ])
    expect(
      await rows(`select segment, loyalty_tier, customers, returning_customers, revenue::text
                  from marts.customer_segments order by segment, loyalty_tier`),
    ).toEqual([
      { segment: 'Hibernating', loyalty_tier: 'Bronze', customers: 1, returning_customers: 0, revenue: '13.00' },
      { segment: 'Hibernating', loyalty_tier: 'Silver', customers: 1, returning_customers: 0, revenue: '13.00' },
    ])
    // No duplicate records; stock: Espresso at Setara 12, Croissant at Laci -5, Latte (unknown
    // branch) -2 on 2024-03-06 (marts-inventory).
    expect(
      await rows(`select last_month::text, orders, revenue::text, customers, duplicate_groups, duplicate_records,
                         stock_day::text, stock_items, out_of_stock, negative_stock from marts.warehouse_totals`),
    ).toEqual([
      {
        last_month: '2024-03-01',
        orders: 4,
        revenue: '33.00',
        customers: 2,
        duplicate_groups: 0,
        duplicate_records: 0,
        stock_day: '2024-03-06',
        stock_items: 3,
        out_of_stock: 2,
        negative_stock: 2,
      },
    ])
  })

  it('the sums the marts read: units sold, hourly sales, per customer and per month', async () => {
    // Every line and order id of the fixture is in block 0. A block a run rebuilt has one row
    // without product or branch.
    expect(
      await rows(`select s.line_block, s.nk_product_id as product, b.store_name, s.day::text, s.sold
                  from warehouse.int_daily_units_sold s left join warehouse.dim_store_branch b using (sk_store_id)
                  order by s.day nulls first, s.nk_product_id, s.sk_store_id, s.line_block`),
    ).toEqual([
      { line_block: 0, product: null, store_name: null, day: null, sold: null },
      { line_block: 0, product: 1, store_name: 'Setara Coffee', day: '2024-03-04', sold: 3 },
      { line_block: 0, product: 2, store_name: 'Laci Coffee', day: '2024-03-04', sold: 1 },
      { line_block: 0, product: 1, store_name: 'Setara Coffee', day: '2024-03-05', sold: 1 },
      { line_block: 0, product: 3, store_name: 'Unknown', day: '2024-03-05', sold: 2 },
      { line_block: 0, product: 1, store_name: 'Setara Coffee', day: '2024-03-06', sold: 1 },
      { line_block: 0, product: 2, store_name: 'Laci Coffee', day: '2024-03-06', sold: 1 },
    ])
    expect(
      await rows(`select s.order_block, b.store_name, s.order_date_id, s.hour, s.orders, s.revenue::text, s.items
                  from warehouse.int_hourly_sales s left join warehouse.dim_store_branch b using (sk_store_id)
                  order by s.order_date_id nulls first, s.hour, s.sk_store_id, s.order_block`),
    ).toEqual([
      { order_block: 0, store_name: null, order_date_id: null, hour: null, orders: null, revenue: null, items: null },
      {
        order_block: 0,
        store_name: 'Setara Coffee',
        order_date_id: 20240304,
        hour: 8,
        orders: 1,
        revenue: '13.00',
        items: 4,
      },
      {
        order_block: 0,
        store_name: 'Unknown',
        order_date_id: 20240305,
        hour: 17,
        orders: 1,
        revenue: '13.00',
        items: 3,
      },
      {
        order_block: 0,
        store_name: 'Setara Coffee',
        order_date_id: 20240306,
        hour: 9,
        orders: 1,
        revenue: '3.00',
        items: 1,
      },
      {
        order_block: 0,
        store_name: 'Laci Coffee',
        order_date_id: 20240306,
        hour: 13,
        orders: 1,
        revenue: '4.00',
        items: 1,
      },
    ])
    // The walk-in (-2) and unknown (-1) customers too; order 101 was cancelled.
    expect(
      await rows(`select customer_master_id as customer, first_order_date::text as first, last_order_date::text as last,
                         completed_orders, revenue::text
                  from warehouse.int_customer_orders order by 1`),
    ).toEqual([
      { customer: -2, first: '2024-03-06', last: '2024-03-06', completed_orders: 1, revenue: '4.00' },
      { customer: -1, first: '2024-03-06', last: '2024-03-06', completed_orders: 1, revenue: '3.00' },
      { customer: 1, first: '2024-03-04', last: '2024-03-04', completed_orders: 1, revenue: '13.00' },
      { customer: 2, first: '2024-03-05', last: '2024-03-05', completed_orders: 1, revenue: '13.00' },
    ])
    // Its one month, which the mart copies (checked by hand above).
    const months = (table: string) => rows(`select * from ${table} order by month`)
    expect((await months('warehouse.int_monthly_customer_activity')).map(({ _run_id, ...month }) => month)).toEqual(
      (await months('marts.customer_activity_monthly')).map(({ revenue, walk_in_share, ...month }) => month),
    )
  })
})
