// Every warehouse table and mart on a small hand-made fixture, through real pipeline runs
// (Temporal, PostgreSQL, the S3 gateway): each gives exactly the rows worked out by hand below.
// Then: an unchanged re-run changes nothing, a price change opens a product version that only
// later lines use, a customer that arrives late re-links its orders, and a rejected line or a
// moved order leaves the marts' days, hours, customers and months that counted it.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness, rootMessage } from '../support/harness.ts'

let h: Harness

/*
 * The fixture. Branches: 1 Setara Coffee, 2 Laci Coffee.
 * Products: 1 Espresso (Setara, $3.00 / $1.00), 2 Croissant (Laci, cost $-2.00: nullified),
 *           3 Latte (branch "Nowhere": unknown branch).
 * Orders (local time): 100 Mon 2024-03-04 08:15 Completed, customer 1, lines 1000, 1001, 1008
 *                      101 Mon 12:30 Canceled (fixed to Cancelled), walk-in, line 1002
 *                      102 Tue 2024-03-05 17:45 Completed, payment ERROR (Unknown), customer 2,
 *                          lines 1003, 1004, 1009 (1007 has quantity 0: rejected)
 *                      103 Wed 2024-03-06 09:00 Completed, customer 7 and employee 9 missing
 *                      104 Wed 13:05 Completed, walk-in, line 1010
 *                      line 1005 has no order: an orphan, rejected.
 * Movements: Restock +20 of 1 on 03-01, Damaged -2 of 1 on 03-04, Expired "+3" of 2 on 03-05
 *            (sign warning, -3), and a movement with reason ERROR (rejected).
 * Counts: product 1 at Setara: 15 on 03-04, 12 on 03-06; a count at branch "Nowhere" (rejected).
 */
async function loadFixture(h: Harness): Promise<void> {
  const s = h.source
  // The POS enforces these keys; the warehouse must not rely on them (a row can arrive late).
  await s`alter table orders drop constraint orders_customer_id_fkey, drop constraint orders_employee_id_fkey`
  await s`insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at) values
    (1, 'Citra', 'Lestari', 'citra@example.com', '6281234567890', 150, '2024-01-02 10:00'),
    (2, 'Dodi', 'Pratama', 'dodi-at-example', null, -5, '2024-01-03 10:00')`
  await s`insert into employees (employee_id, first_name, last_name, hire_date, role, email, created_at) values
    (1, 'Ani', 'Wijaya', '2023-05-01', 'Barista', 'ani@paccafe.example', '2023-05-01 09:00'),
    (2, 'Budi', 'Santoso', '2023-06-01', 'xx', null, '2023-06-01 09:00')`
  await s`insert into products (product_id, product_name, category, unit_price, cost_price, in_stock, store_branch, created_at) values
    (1, 'Espresso', 'Coffee', '$3.00', '$1.00', 'Yes', 'Setara Coffee', '2023-01-01 09:00'),
    (2, 'Croissant', 'Pastry', '$4.00', '$-2.00', 'Yes', 'Laci Coffee', '2023-01-01 09:00'),
    (3, 'Latte', 'Coffee', '$5.00', '$2.00', 'No', 'Nowhere', '2023-01-01 09:00')`
  await s`insert into orders (order_id, employee_id, customer_id, order_date, total_amount, payment_method, order_status, created_at) values
    (100, 1, 1,    '2024-03-04 08:15', 13.00, 'Cash',        'Completed', '2024-03-04 08:15'),
    (101, 2, null, '2024-03-04 12:30',  4.00, 'Credit Card', 'Canceled',  '2024-03-04 12:30'),
    (102, 1, 2,    '2024-03-05 17:45', 13.00, 'ERROR',       'Completed', '2024-03-05 17:45'),
    (103, 9, 7,    '2024-03-06 09:00',  3.00, 'Cash',        'Completed', '2024-03-06 09:00'),
    (104, 1, null, '2024-03-06 13:05',  4.00, 'Cash',        'Completed', '2024-03-06 13:05')`
  await s`insert into order_details (order_detail_id, order_id, product_id, quantity, unit_price, subtotal, created_at) values
    (1000, 100,  1, 2, 3.00, 6.00, '2024-03-04 08:15'),
    (1001, 100,  2, 1, 4.00, 4.00, '2024-03-04 08:15'),
    (1008, 100,  1, 1, 3.00, 3.00, '2024-03-04 08:15'),
    (1002, 101,  2, 1, 4.00, 4.00, '2024-03-04 12:30'),
    (1003, 102,  3, 1, 5.00, 5.00, '2024-03-05 17:45'),
    (1004, 102,  1, 1, 3.00, 3.00, '2024-03-05 17:45'),
    (1009, 102,  3, 1, 5.00, 5.00, '2024-03-05 17:45'),
    (1007, 102,  1, 0, 3.00, 0.00, '2024-03-05 17:45'),
    (1005, null, 1, 1, 3.00, 3.00, '2024-03-05 18:00'),
    (1006, 103,  1, 1, 3.00, 3.00, '2024-03-06 09:00'),
    (1010, 104,  2, 1, 4.00, 4.00, '2024-03-06 13:05')`
  await s`insert into inventory_tracking (tracking_id, product_id, quantity_change, change_date, reason, created_at) values
    (1, 1, 20, '2024-03-01 07:00', 'Restock', '2024-03-01 07:00'),
    (2, 1, -2, '2024-03-04 20:00', 'Damaged', '2024-03-04 20:00'),
    (3, 2,  3, '2024-03-05 20:00', 'Expired', '2024-03-05 20:00'),
    (4, 1,  5, '2024-03-05 21:00', 'ERROR',   '2024-03-05 21:00')`
  const dir = h.config.sheets.dir
  await mkdir(dir, { recursive: true })
  await writeFile(
    path.join(dir, 'store_branch.csv'),
    'store_id,store_name,created_at\n1,Setara Coffee,2022-11-01 09:00:00\n2,Laci Coffee,2022-11-15 09:00:00\n',
  )
  await writeFile(
    path.join(dir, 'stock_count.csv'),
    'count_date,store_name,product_id,counted_qty,counted_by\n' +
      '2024-03-04,Setara Coffee,1,15,Ani\n2024-03-06,Setara Coffee,1,12,Ani\n2024-03-05,Nowhere,1,3,Budi\n',
  )
}

const rows = (query: string) => h.warehouse.unsafe(query)

describe('the warehouse and marts on a hand-made fixture', () => {
  beforeAll(async () => {
    h = await createHarness({}, { emptySource: true })
    await loadFixture(h)
    await h.run('full')
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
    const warned = await rows(
      `select natural_key from dq.violations where rule_name = 'orders_single_branch' order by 1`,
    )
    expect(warned).toEqual([{ natural_key: '100' }, { natural_key: '102' }])
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
                  from warehouse.fct_stock_counts order by 1`),
    ).toEqual([
      // 20 restocked, nothing sold or wasted before 03-04.
      { count_date_id: 20240304, product: 1, counted_qty: 15, expected_qty: 20, discrepancy: -5 },
      // From the count of 15 on 03-04: one sold on 03-05 gives 14 that evening.
      { count_date_id: 20240306, product: 1, counted_qty: 12, expected_qty: 14, discrepancy: -2 },
    ])
  })

  it('inventory_daily: stock on hand from the latest count, negative stock flagged', async () => {
    expect(
      await rows(`select day::text, product_id, store_name, restocked, wasted, sold, stock_on_hand, is_out_of_stock,
                         is_negative from marts.inventory_daily order by product_id, day`),
    ).toEqual([
      {
        day: '2024-03-01',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 20,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-02',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-03',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-04',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 2,
        sold: 3,
        stock_on_hand: 15,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-05',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: 14,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-06',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: 12,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-04',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: -1,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-05',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 3,
        sold: 0,
        stock_on_hand: -4,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-06',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: -5,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-05',
        product_id: 3,
        store_name: 'Unknown',
        restocked: 0,
        wasted: 0,
        sold: 2,
        stock_on_hand: -2,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-06',
        product_id: 3,
        store_name: 'Unknown',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: -2,
        is_out_of_stock: true,
        is_negative: true,
      },
    ])
  })

  it('waste_monthly and stock_discrepancies', async () => {
    expect(
      await rows(`select month::text, product_id, store_name, reason, movements, waste_quantity, waste_cost_value::text
                  from marts.waste_monthly order by product_id`),
    ).toEqual([
      {
        month: '2024-03-01',
        product_id: 1,
        store_name: 'Setara Coffee',
        reason: 'Damaged',
        movements: 1,
        waste_quantity: 2,
        waste_cost_value: '2.00',
      },
      {
        month: '2024-03-01',
        product_id: 2,
        store_name: 'Laci Coffee',
        reason: 'Expired',
        movements: 1,
        waste_quantity: 3,
        waste_cost_value: null,
      },
    ])
    expect(
      await rows(`select gap_rank, count_date::text, product_id, counted_qty, expected_qty, discrepancy, exceeds_tolerance
                  from marts.stock_discrepancies order by gap_rank`),
    ).toEqual([
      {
        gap_rank: 1,
        count_date: '2024-03-04',
        product_id: 1,
        counted_qty: 15,
        expected_qty: 20,
        discrepancy: -5,
        exceeds_tolerance: true,
      },
      {
        gap_rank: 2,
        count_date: '2024-03-06',
        product_id: 1,
        counted_qty: 12,
        expected_qty: 14,
        discrepancy: -2,
        exceeds_tolerance: false,
      },
    ])
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
                         unknown_customer_revenue::text
                  from marts.customer_activity_monthly`),
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
      },
    ])
  })

  it('sales_by_hour and employee_performance', async () => {
    expect(
      await rows(`select store_name, day_of_week, day_name, hour, orders, revenue::text, items
                  from marts.sales_by_hour order by day_of_week, hour`),
    ).toEqual([
      {
        store_name: 'Setara Coffee',
        day_of_week: 1,
        day_name: 'Monday',
        hour: 8,
        orders: 1,
        revenue: '13.00',
        items: 4,
      },
      { store_name: 'Unknown', day_of_week: 2, day_name: 'Tuesday', hour: 17, orders: 1, revenue: '13.00', items: 3 },
      {
        store_name: 'Setara Coffee',
        day_of_week: 3,
        day_name: 'Wednesday',
        hour: 9,
        orders: 1,
        revenue: '3.00',
        items: 1,
      },
      {
        store_name: 'Laci Coffee',
        day_of_week: 3,
        day_name: 'Wednesday',
        hour: 13,
        orders: 1,
        revenue: '4.00',
        items: 1,
      },
    ])
    expect(
      await rows(`select employee_id, full_name, role, month::text, orders, cancelled_orders, revenue::text,
                         average_basket::text
                  from marts.employee_performance order by employee_id`),
    ).toEqual([
      {
        employee_id: -1,
        full_name: 'Unknown employee',
        role: 'Unknown',
        month: '2024-03-01',
        orders: 1,
        cancelled_orders: 0,
        revenue: '3.00',
        average_basket: '3.00',
      },
      {
        employee_id: 1,
        full_name: 'Ani Wijaya',
        role: 'Barista',
        month: '2024-03-01',
        orders: 3,
        cancelled_orders: 0,
        revenue: '30.00',
        average_basket: '10.00',
      },
      {
        employee_id: 2,
        full_name: 'Budi Santoso',
        role: 'Unknown',
        month: '2024-03-01',
        orders: 0,
        cancelled_orders: 1,
        revenue: '0',
        average_basket: null,
      },
    ])
  })

  it('the sums the marts read: units sold, hourly sales, per customer and per month', async () => {
    // Every line and order id of the fixture is in block 0. A block a run rebuilt has one row
    // without product or branch.
    expect(
      await rows(`select s.line_block, s.nk_product_id as product, b.store_name, s.day::text, s.sold
                  from warehouse.int_daily_units_sold s left join warehouse.dim_store_branch b using (sk_store_id)
                  order by s.day nulls first, s.nk_product_id`),
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
                  order by s.order_date_id nulls first, s.hour`),
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
      await months('marts.customer_activity_monthly'),
    )
  })

  it('reconciles with the source: completed revenue, lines and orders', async () => {
    expect(
      await rows(`select check_name, source_value::text, rejected_value::text, warehouse_value::text, difference::text
                  from etl.reconciliation order by check_name`),
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
    const tables = ['dim_products', 'dim_customers', 'int_orders', 'fct_order_lines', 'fct_orders', 'fct_stock_counts']
    const snapshot = async () =>
      Promise.all(tables.map((table) => rows(`select * from warehouse.${table} order by 1, 2`)))
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
