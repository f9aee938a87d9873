// The facts on the hand-made fixture (tests/support/warehouse-fixture.ts), after one full run:
// order lines and orders, movements and stock counts, the reconciliation with the source, and a
// re-run on unchanged input that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
let firstRunId: string
const rows = (query: string) => h.warehouse.unsafe(query)

describe('the facts on the hand-made fixture', () => {
  beforeAll(async () => {
    ;({ h, firstRunId } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('fct_order_lines: the order header, the product version and branch, costs; orphans and bad lines rejected', async () => {
    expect(
      await rows(`select l.nk_order_detail_id as line, l.nk_order_id as order, l.order_date_id, l.order_time_id,
                         c.nk_customer_id as customer, l.customer_master_id as master, e.nk_employee_id as employee,
                         p.nk_product_id as product, b.store_name as branch, l.quantity, l.subtotal::text,
                         l.cost_amount::text, l.margin_amount::text, l.payment_method, l.order_status
                  from warehouse.fct_order_lines l
                  join warehouse.dim_customers c using (sk_customer_id)
                  join warehouse.dim_employees e using (sk_employee_id)
                  join warehouse.dim_products p using (sk_product_id)
                  join warehouse.dim_store_branch b on b.sk_store_id = l.sk_store_id
                  order by 1`),
    ).toEqual([
      {
        line: 1000,
        order: 100,
        order_date_id: 20240304,
        order_time_id: 815,
        customer: 1,
        master: 1,
        employee: 1,
        product: 1,
        branch: 'Setara Coffee',
        quantity: 2,
        subtotal: '6.00',
        cost_amount: '2.00',
        margin_amount: '4.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        line: 1001,
        order: 100,
        order_date_id: 20240304,
        order_time_id: 815,
        customer: 1,
        master: 1,
        employee: 1,
        product: 2,
        branch: 'Laci Coffee',
        quantity: 1,
        subtotal: '4.00',
        cost_amount: null,
        margin_amount: null,
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        line: 1002,
        order: 101,
        order_date_id: 20240304,
        order_time_id: 1230,
        customer: -2,
        master: -2,
        employee: 2,
        product: 2,
        branch: 'Laci Coffee',
        quantity: 1,
        subtotal: '4.00',
        cost_amount: null,
        margin_amount: null,
        payment_method: 'Credit Card',
        order_status: 'Cancelled',
      },
      {
        line: 1003,
        order: 102,
        order_date_id: 20240305,
        order_time_id: 1745,
        customer: 2,
        master: 2,
        employee: 1,
        product: 3,
        branch: 'Unknown',
        quantity: 1,
        subtotal: '5.00',
        cost_amount: '2.00',
        margin_amount: '3.00',
        payment_method: 'Unknown',
        order_status: 'Completed',
      },
      {
        line: 1004,
        order: 102,
        order_date_id: 20240305,
        order_time_id: 1745,
        customer: 2,
        master: 2,
        employee: 1,
        product: 1,
        branch: 'Setara Coffee',
        quantity: 1,
        subtotal: '3.00',
        cost_amount: '1.00',
        margin_amount: '2.00',
        payment_method: 'Unknown',
        order_status: 'Completed',
      },
      {
        line: 1006,
        order: 103,
        order_date_id: 20240306,
        order_time_id: 900,
        customer: -1,
        master: -1,
        employee: -1,
        product: 1,
        branch: 'Setara Coffee',
        quantity: 1,
        subtotal: '3.00',
        cost_amount: '1.00',
        margin_amount: '2.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        line: 1008,
        order: 100,
        order_date_id: 20240304,
        order_time_id: 815,
        customer: 1,
        master: 1,
        employee: 1,
        product: 1,
        branch: 'Setara Coffee',
        quantity: 1,
        subtotal: '3.00',
        cost_amount: '1.00',
        margin_amount: '2.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        line: 1009,
        order: 102,
        order_date_id: 20240305,
        order_time_id: 1745,
        customer: 2,
        master: 2,
        employee: 1,
        product: 3,
        branch: 'Unknown',
        quantity: 1,
        subtotal: '5.00',
        cost_amount: '2.00',
        margin_amount: '3.00',
        payment_method: 'Unknown',
        order_status: 'Completed',
      },
      {
        line: 1010,
        order: 104,
        order_date_id: 20240306,
        order_time_id: 1305,
        customer: -2,
        master: -2,
        employee: 1,
        product: 2,
        branch: 'Laci Coffee',
        quantity: 1,
        subtotal: '4.00',
        cost_amount: null,
        margin_amount: null,
        payment_method: 'Cash',
        order_status: 'Completed',
      },
    ])
    expect(
      await rows(`select natural_key, rule_name from dq.violations
                  where table_name = 'order_details' and severity = 'reject' order by 1, 2`),
    ).toEqual([
      { natural_key: '1005', rule_name: 'order_details_order_exists' },
      { natural_key: '1007', rule_name: 'order_details_quantity_positive' },
    ])
  })

  it('fct_orders: line totals and the branch most of its lines come from', async () => {
    expect(
      await rows(`select o.nk_order_id as order, b.store_name as branch, o.line_count, o.items_count,
                         o.total_amount::text, o.lines_subtotal::text, o.payment_method, o.order_status
                  from warehouse.fct_orders o join warehouse.dim_store_branch b using (sk_store_id) order by 1`),
    ).toEqual([
      {
        order: 100,
        branch: 'Setara Coffee',
        line_count: 3,
        items_count: 4,
        total_amount: '13.00',
        lines_subtotal: '13.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        order: 101,
        branch: 'Laci Coffee',
        line_count: 1,
        items_count: 1,
        total_amount: '4.00',
        lines_subtotal: '4.00',
        payment_method: 'Credit Card',
        order_status: 'Cancelled',
      },
      {
        order: 102,
        branch: 'Unknown',
        line_count: 3,
        items_count: 3,
        total_amount: '13.00',
        lines_subtotal: '13.00',
        payment_method: 'Unknown',
        order_status: 'Completed',
      },
      {
        order: 103,
        branch: 'Setara Coffee',
        line_count: 1,
        items_count: 1,
        total_amount: '3.00',
        lines_subtotal: '3.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
      {
        order: 104,
        branch: 'Laci Coffee',
        line_count: 1,
        items_count: 1,
        total_amount: '4.00',
        lines_subtotal: '4.00',
        payment_method: 'Cash',
        order_status: 'Completed',
      },
    ])
    // Orders of several branches are counted (orders 100 and 102), not recorded as violations.
    const counted = await rows(
      `select rows_failed, passed from dq.rule_results where rule_name = 'orders_single_branch'`,
    )
    expect(counted).toEqual([{ rows_failed: 2, passed: true }])
    expect(await rows(`select natural_key from dq.violations where rule_name = 'orders_single_branch'`)).toEqual([])
  })

  it('fct_inventory_movements and fct_stock_counts: signs by reason, expected stock the day before', async () => {
    expect(
      await rows(`select nk_tracking_id as id, change_date_id, nk_product_id as product, quantity, reason, is_waste,
                         cost_value::text from warehouse.fct_inventory_movements order by 1`),
    ).toEqual([
      {
        id: 1,
        change_date_id: 20240301,
        product: 1,
        quantity: 20,
        reason: 'Restock',
        is_waste: false,
        cost_value: '20.00',
      },
      {
        id: 2,
        change_date_id: 20240304,
        product: 1,
        quantity: -2,
        reason: 'Damaged',
        is_waste: true,
        cost_value: '2.00',
      },
      {
        id: 3,
        change_date_id: 20240305,
        product: 2,
        quantity: -3,
        reason: 'Expired',
        is_waste: true,
        cost_value: null,
      },
    ])
    expect(
      await rows(`select count_date_id, nk_product_id as product, counted_qty, expected_qty, discrepancy
                  from warehouse.fct_stock_counts order by count_date_id, nk_stock_count`),
    ).toEqual([
      // Counted after closing: 20 restocked, then on 03-04 three sold (lines 1000 and 1008) and
      // two damaged.
      { count_date_id: 20240304, product: 1, counted_qty: 15, expected_qty: 15, discrepancy: 0 },
      // From the count of 15 on 03-04: one sold on 03-05 (line 1004; 1007 and the ERROR restock
      // are rejected, 1005 has no order) and one on 03-06 (line 1006) leave 13.
      { count_date_id: 20240306, product: 1, counted_qty: 12, expected_qty: 13, discrepancy: -1 },
    ])
  })

  it('reconciles with the source: completed revenue, lines and orders', async () => {
    expect(
      await rows(`select check_name, source_value::text, rejected_value::text, warehouse_value::text, difference::text
                  from etl.reconciliation where run_id = '${firstRunId}' order by check_name`),
    ).toEqual([
      // Completed lines: 6+4+3 (order 100) + 5+3+5+0 (102) + 3 (103) + 4 (104); the orphan has no order.
      {
        check_name: 'completed_revenue',
        source_value: '33.00',
        rejected_value: '0.00',
        warehouse_value: '33.00',
        difference: '0.00',
      },
      { check_name: 'order_lines', source_value: '11', rejected_value: '2', warehouse_value: '9', difference: '0' },
      { check_name: 'orders', source_value: '5', rejected_value: '0', warehouse_value: '5', difference: '0' },
    ])
  })

  it('changes nothing when the graph runs again on unchanged input: same rows, same keys', async () => {
    // Each table with its unique key, to compare row by row.
    const tables = {
      dim_products: 'sk_product_id',
      dim_customers: 'nk_customer_id',
      int_orders: 'nk_order_id',
      fct_order_lines: 'nk_order_detail_id',
      fct_orders: 'nk_order_id',
      fct_stock_counts: 'nk_stock_count',
    }
    const snapshot = async () =>
      Promise.all(
        Object.entries(tables).map(([table, key]) => rows(`select * from warehouse.${table} order by ${key}`)),
      )
    const before = await snapshot()
    const { runId } = await h.run('full')
    expect(await snapshot()).toEqual(before)
    const changed = await rows(`select step, rows_inserted, rows_updated from etl.steps
                                where run_id = '${runId}' and step like 'model:warehouse.%'
                                  and step not in ('model:warehouse.dim_date', 'model:warehouse.dim_time',
                                                   'model:warehouse.int_daily_stock', 'model:warehouse.fct_stock_counts')
                                  and (rows_inserted > 0 or rows_updated > 0)`)
    expect(changed).toEqual([])
  })
})
