// The floor the model graph is measured against, on the same staging data in the same run: one
// hand-written INSERT ... SELECT per warehouse table, with the same joins and none of the
// engine's work (no verdicts, surrogate keys, merges, versions or refreshes).
import { connect } from '../lib/db.ts'

const PRICE = (column: string) =>
  `case when btrim(${column}) ~ '^\\$?-?[0-9]+(\\.[0-9]+)?$' then replace(btrim(${column}), '$', '')::numeric(10, 2) end`

const FLOOR_TABLES: Record<string, string> = {
  dim_date: `select d::date as date_actual, to_char(d, 'YYYYMMDD')::int as date_id, extract(isodow from d)::int as day_of_week
             from generate_series('2020-01-01'::date, '2035-12-31'::date, interval '1 day') as d`,
  dim_time: `select m / 60 * 100 + m % 60 as time_id, m / 60 as hour, m % 60 as minute from generate_series(0, 1439) as m`,
  dim_store_branch: 'select store_id::int as store_id, btrim(store_name) as store_name from staging.store_branch',
  dim_customers: `select customer_id, first_name, last_name, lower(email) as email, phone, loyalty_points, created_at
                  from staging.customers`,
  dim_employees:
    'select employee_id, first_name, last_name, hire_date, initcap(role) as role, email from staging.employees',
  dim_products: `select product_id, product_name, category, ${PRICE('unit_price')} as unit_price,
                        ${PRICE('cost_price')} as cost_price, in_stock = 'Yes' as in_stock, store_branch
                 from staging.products`,
  fct_order_lines: `select d.order_detail_id, d.order_id, o.order_date, o.customer_id, o.employee_id, d.product_id,
                           p.store_branch, d.quantity, d.unit_price, d.subtotal, o.payment_method, o.order_status
                    from staging.order_details d
                    join staging.orders o on o.order_id = d.order_id
                    left join staging.products p on p.product_id = d.product_id`,
  fct_orders: `select o.order_id, o.order_date, o.customer_id, o.employee_id, l.line_count, l.items_count,
                      o.total_amount, l.lines_subtotal, o.payment_method, o.order_status
               from staging.orders o
               left join (select order_id, count(*) as line_count, sum(quantity) as items_count,
                                 sum(subtotal) as lines_subtotal
                          from staging.order_details group by order_id) l on l.order_id = o.order_id`,
  fct_inventory_movements: `select tracking_id, change_date, product_id, abs(quantity_change) as quantity, reason
                            from staging.inventory_tracking`,
  fct_stock_counts: `select count_date::date as count_date, store_name, product_id::int as product_id,
                            counted_qty::int as counted_qty from staging.stock_count`,
}

export async function measureModelsFloor(warehouseUrl: string): Promise<number> {
  const sql = connect(warehouseUrl, { max: 2 })
  try {
    await sql`drop schema if exists bench_models_floor cascade`
    await sql`create schema bench_models_floor`
    for (const [table, select] of Object.entries(FLOOR_TABLES)) {
      await sql.unsafe(`create table bench_models_floor.${table} as ${select} with no data`)
    }
    const started = performance.now()
    // Two at a time, as the model graph runs.
    const queue = Object.entries(FLOOR_TABLES)
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await sql.unsafe(`insert into bench_models_floor.${next[0]} ${next[1]}`)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    await sql`drop schema bench_models_floor cascade`
    return seconds
  } finally {
    await sql.end()
  }
}
