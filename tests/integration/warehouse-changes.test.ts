// Changes to the hand-made fixture (tests/support/warehouse-fixture.ts) after its first run, one
// run each: a price change opens a product version that only later lines use, a customer that
// arrives late re-links its orders, a rejected line or a moved order leaves the marts' days,
// hours, customers and months that counted it, a moved line leaves its order, and a warehouse
// that no longer reconciles fails the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, rootMessage } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
const rows = (query: string) => h.warehouse.unsafe(query)

// A scenario, in order: each change is made on the warehouse the changes before it left, and
// the values expected count them (order 105 of 2030, customer 7, line 1000 rejected...).
describe('changes to the hand-made fixture, one run each, in order', () => {
  beforeAll(async () => {
    ;({ h } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('a price change opens a new product version; older lines keep the older version', async () => {
    await h.source`update products set unit_price = '$3.50', cost_price = '$1.20' where product_id = 1`
    await h.source`insert into orders (order_id, employee_id, customer_id, order_date, total_amount, payment_method, order_status, created_at)
                   values (105, 1, 1, '2030-01-01 10:00', 3.50, 'Cash', 'Completed', '2030-01-01 10:00')`
    await h.source`insert into order_details (order_detail_id, order_id, product_id, quantity, unit_price, subtotal, created_at)
                   values (1011, 105, 1, 1, 3.50, 3.50, '2030-01-01 10:00')`
    await h.run('full')
    const versions = await rows(`select unit_price::text, cost_price::text, valid_from = '-infinity' as first,
                                        valid_to = 'infinity' as open, is_current
                                 from warehouse.dim_products where nk_product_id = 1 order by valid_from`)
    expect(versions).toEqual([
      { unit_price: '3.00', cost_price: '1.00', first: true, open: false, is_current: false },
      { unit_price: '3.50', cost_price: '1.20', first: false, open: true, is_current: true },
    ])
    const lines =
      await rows(`select l.nk_order_detail_id as line, p.unit_price::text as version_price, l.cost_amount::text
                              from warehouse.fct_order_lines l join warehouse.dim_products p using (sk_product_id)
                              where l.nk_product_id = 1 order by 1`)
    expect(lines).toEqual([
      { line: 1000, version_price: '3.00', cost_amount: '2.00' },
      { line: 1004, version_price: '3.00', cost_amount: '1.00' },
      { line: 1006, version_price: '3.00', cost_amount: '1.00' },
      { line: 1008, version_price: '3.00', cost_amount: '1.00' },
      { line: 1011, version_price: '3.50', cost_amount: '1.20' },
    ])
  })

  it('a customer that arrives late re-links its orders and lines', async () => {
    await h.source`insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at)
                   values (7, 'Eka', 'Putri', 'eka@example.com', null, 20, '2024-01-05 10:00')`
    await h.source`insert into employees (employee_id, first_name, last_name, hire_date, role, email, created_at)
                   values (9, 'Fajar', 'Nugroho', '2023-09-01', 'Cashier', null, '2023-09-01 09:00')`
    await h.run('full')
    const linked = await rows(`
      select 'order' as fact, c.nk_customer_id, o.customer_master_id, e.nk_employee_id
      from warehouse.fct_orders o join warehouse.dim_customers c using (sk_customer_id)
      join warehouse.dim_employees e using (sk_employee_id) where o.nk_order_id = 103
      union all
      select 'line', c.nk_customer_id, l.customer_master_id, e.nk_employee_id
      from warehouse.fct_order_lines l join warehouse.dim_customers c using (sk_customer_id)
      join warehouse.dim_employees e using (sk_employee_id) where l.nk_order_id = 103`)
    expect(linked).toEqual([
      { fact: 'order', nk_customer_id: 7, customer_master_id: 7, nk_employee_id: 9 },
      { fact: 'line', nk_customer_id: 7, customer_master_id: 7, nk_employee_id: 9 },
    ])
    const [rfm] = await rows('select frequency, monetary::text from marts.customer_rfm where customer_master_id = 7')
    expect(rfm).toEqual({ frequency: 1, monetary: '3.00' })
  })

  it('a line whose new version is rejected leaves the warehouse, and its order totals follow', async () => {
    await h.source`update order_details set quantity = 0, subtotal = 0.00 where order_detail_id = 1000`
    const { runId } = await h.run('full')
    expect(await rows('select 1 from warehouse.fct_order_lines where nk_order_detail_id = 1000')).toEqual([])
    const [order] = await rows(`select line_count, items_count, lines_subtotal::text, total_amount::text
                                from warehouse.fct_orders where nk_order_id = 100`)
    expect(order).toEqual({ line_count: 2, items_count: 2, lines_subtotal: '7.00', total_amount: '13.00' })
    const [removed] = await rows(`select rows_deleted from etl.steps
                                  where run_id = '${runId}' and step = 'model:warehouse.fct_order_lines'`)
    expect(removed).toEqual({ rows_deleted: 1 })
    // Its 2 units no longer count as sold on 2024-03-04 (line 1008's one unit still does).
    const [sold] = await rows(`select sold from marts.inventory_daily where product_id = 1 and day = '2024-03-04'`)
    expect(sold).toEqual({ sold: 1 })
  })

  it('an order moved to another day and hour leaves the day and hour that counted it', async () => {
    // Order 104 (Laci Coffee, one Croissant) moves from Wednesday 13:05 to Tuesday 19:10.
    await h.source`update orders set order_date = '2024-03-05 19:10' where order_id = 104`
    await h.run('full')
    const laci = await rows(`select day_of_week, hour, orders, revenue::text, items from marts.sales_by_hour
                             where store_name = 'Laci Coffee' and day_of_week in (2, 3) order by day_of_week, hour`)
    expect(laci).toEqual([{ day_of_week: 2, hour: 19, orders: 1, revenue: '4.00', items: 1 }])
    const croissants = await rows(`select day::text, sold from marts.inventory_daily
                                   where product_id = 2 and day between '2024-03-04' and '2024-03-06' order by day`)
    expect(croissants).toEqual([
      { day: '2024-03-04', sold: 1 },
      { day: '2024-03-05', sold: 1 },
      { day: '2024-03-06', sold: 0 },
    ])
  })

  it("an order moved to another customer, or a customer's earlier first order, leaves the customer and month that counted it", async () => {
    const rfm = () =>
      rows(`select customer_master_id as customer, first_order_date::text as first, frequency, monetary::text
            from marts.customer_rfm where customer_master_id in (1, 2, 7) order by 1`)
    const activity = () =>
      rows(`select month::text, new_customers as new, returning_customers as returning, orders,
                   new_customer_revenue::text as new_revenue, returning_customer_revenue::text as returning_revenue,
                   unknown_customer_revenue::text as unknown_revenue
            from marts.customer_activity_monthly order by month`)
    // Order 102 (13.00) moves from customer 2 to customer 1, who already ordered in March.
    await h.source`update orders set customer_id = 1 where order_id = 102`
    await h.run('full')
    expect(await rfm()).toEqual([
      { customer: 1, first: '2024-03-04', frequency: 3, monetary: '23.50' },
      { customer: 2, first: null, frequency: 0, monetary: '0' },
      { customer: 7, first: '2024-03-06', frequency: 1, monetary: '3.00' },
    ])
    const march = { month: '2024-03-01', orders: 4, unknown_revenue: '0' }
    const january2030 = {
      month: '2030-01-01',
      new: 0,
      returning: 1,
      orders: 1,
      new_revenue: '0',
      returning_revenue: '3.50',
      unknown_revenue: '0',
    }
    expect(await activity()).toEqual([
      { ...march, new: 2, returning: 0, new_revenue: '23.00', returning_revenue: '0' },
      january2030,
    ])
    // Customer 7 turns out to have ordered in February: no longer new in March, but returning,
    // though no order of March changed.
    await h.source`insert into orders (order_id, employee_id, customer_id, order_date, total_amount, payment_method, order_status, created_at)
                   values (106, 1, 7, '2024-02-10 10:00', 3.00, 'Cash', 'Completed', '2024-02-10 10:00')`
    await h.source`insert into order_details (order_detail_id, order_id, product_id, quantity, unit_price, subtotal, created_at)
                   values (1012, 106, 1, 1, 3.00, 3.00, '2024-02-10 10:00')`
    await h.run('full')
    expect(await activity()).toEqual([
      {
        month: '2024-02-01',
        new: 1,
        returning: 0,
        orders: 1,
        new_revenue: '3.00',
        returning_revenue: '0',
        unknown_revenue: '0',
      },
      { ...march, new: 1, returning: 1, new_revenue: '20.00', returning_revenue: '3.00' },
      january2030,
    ])
    expect((await rfm())[2]).toEqual({ customer: 7, first: '2024-02-10', frequency: 2, monetary: '6.00' })
  })

  it('a line moved to another order leaves the order that counted it', async () => {
    // Line 1009 (a 5.00 Latte) moves from order 102 to order 100; neither header changes.
    await h.source`update order_details set order_id = 100 where order_detail_id = 1009`
    await h.run('full')
    const orders = await rows(`select nk_order_id as "order", line_count, items_count, lines_subtotal::text
                               from warehouse.fct_orders where nk_order_id in (100, 102) order by 1`)
    expect(orders).toEqual([
      { order: 100, line_count: 3, items_count: 3, lines_subtotal: '12.00' },
      { order: 102, line_count: 2, items_count: 2, lines_subtotal: '8.00' },
    ])
  })

  it('fails a run whose warehouse no longer reconciles with the source, naming the check', async () => {
    await h.warehouse`delete from warehouse.fct_order_lines where nk_order_detail_id = 1010`
    const { runId, error } = await h.runExpectingFailure('full')
    expect(rootMessage(error)).toMatch(/order_lines: source 13 - rejected 3 != warehouse 9/)
    expect(rootMessage(error)).toMatch(/completed_revenue: source 33\.50 - rejected 0\.00 != warehouse 29\.50/)
    const [recorded] = await rows(
      `select difference::text from etl.reconciliation where run_id = '${runId}' and check_name = 'order_lines'`,
    )
    expect(recorded).toEqual({ difference: '1' })
  })
})
