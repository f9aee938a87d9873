// The hand-made fixture of the warehouse and marts tests: a few customers, employees, products,
// orders, lines, movements and sheet rows with every kind of defect, each worked out by hand
// below, loaded into a test pipeline's empty source and published by one full run.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createHarness, type Harness } from './harness.ts'

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
 * Movements: Restock 20 of 1 on 03-01, Damaged "-2" of 1 on 03-04 (negative: a warning, still
 *            -2), Expired 3 of 2 on 03-05 (-3: the POS records waste as positive), and a
 *            movement with reason ERROR (rejected).
 * Counts: product 1 at Setara: 15 on 03-04, 12 on 03-06; a count at branch "Nowhere" (rejected).
 */
export async function loadFixture(h: Harness): Promise<void> {
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

export interface FixtureWarehouse {
  h: Harness
  /** The run that published the fixture. */
  firstRunId: string
}

/** A test pipeline whose source holds the fixture, published by one full run. */
export async function fixtureWarehouse(): Promise<FixtureWarehouse> {
  const h = await createHarness({}, { emptySource: true })
  await loadFixture(h)
  const { runId } = await h.run('full')
  return { h, firstRunId: runId }
}
