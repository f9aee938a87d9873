// The floor the model graph is measured against, on the same staging data in the same run: one
// hand-written INSERT ... SELECT per warehouse table, producing the same rows (published rows
// only, nullified values, surrogate keys, the product version valid at the order time) straight
// from staging and the verdicts into empty tables: no clean layer, no merge, no indexes, no
// versions to close, no refresh. Two at a time, stage by stage, as the model graph runs.
//
// A floor must be the fastest plan of its SQL, so the floor's sessions use hash joins only.
// Left to choose, PostgreSQL took the join of orders and their verdicts (on batch and natural
// key) to match a tenth of its rows, since it reads the key's distinct count over all tables'
// verdicts, and chose nested loops that made fct_order_lines two to three times slower: at
// scale 100 the floor took 6.6 to 7.9 s, and 4.4 s with hash joins.
import { connect } from '../lib/db.ts'
import { inTurns } from '../lib/in-turns.ts'

const published = (table: string, alias: string, key: string) => `
  join dq.verdicts as ${alias}_v
    on ${alias}_v.table_name = '${table}' and ${alias}_v.batch_id = ${alias}._batch_id
   and ${alias}_v.natural_key = ${alias}.${key}::text and ${alias}_v.verdict = 'publish'`

const value = (alias: string, column: string, expression = `${alias}.${column}`) =>
  `dq.verdict_value(${alias}_v.nullified, ${alias}_v.fixed, '${column}', ${expression})`

const price = (column: string) =>
  `case when btrim(${column}) ~ '^\\$?-?[0-9]+(\\.[0-9]+)?$' then replace(btrim(${column}), '$', '')::numeric(10, 2) end`

const sk = (table: string, key: string) => `warehouse.surrogate_key('${table}', ${key}::text)`

/** Each stage's tables only read tables of earlier stages. */
const STAGES: Record<string, string>[] = [
  {
    dim_date: `select to_char(d, 'YYYYMMDD')::int as date_id, d::date as date_actual, extract(isodow from d)::int as day_of_week,
                      trim(to_char(d, 'Day')) as day_name, extract(month from d)::int as month, extract(year from d)::int as year
               from generate_series('2020-01-01'::date, '2035-12-31'::date, interval '1 day') as d`,
    dim_time: `select m / 60 * 100 + m % 60 as time_id, m / 60 as hour, m % 60 as minute
               from generate_series(0, 1439) as m`,
    dim_store_branch: `select ${sk('dim_store_branch', 'b.store_id')} as sk_store_id, b.store_id::int as nk_store_id,
                              etl.normalize_name(b.store_name) as store_name
                       from staging.store_branch as b ${published('store_branch', 'b', '_natural_key')}`,
    dim_customers: `select ${sk('dim_customers', 'c.customer_id')} as sk_customer_id, c.customer_id as nk_customer_id,
                           c.first_name, c.last_name, ${value('c', 'email', 'lower(c.email)')} as email,
                           ${value('c', 'phone')} as phone, ${value('c', 'loyalty_points')} as loyalty_points
                    from staging.customers as c ${published('customers', 'c', 'customer_id')}`,
    dim_employees: `select ${sk('dim_employees', 'e.employee_id')} as sk_employee_id, e.employee_id as nk_employee_id,
                           e.first_name, e.last_name, ${value('e', 'role', 'initcap(e.role)')} as role,
                           ${value('e', 'hire_date')} as hire_date, ${value('e', 'email', 'lower(e.email)')} as email
                    from staging.employees as e ${published('employees', 'e', 'employee_id')}`,
  },
  {
    dim_products: `select ${sk('dim_products', "p.product_id || '|-infinity'")} as sk_product_id, p.product_id as nk_product_id,
                          p.product_name, p.category, ${value('p', 'unit_price', price('p.unit_price'))} as unit_price,
                          ${value('p', 'cost_price', price('p.cost_price'))} as cost_price, b.sk_store_id,
                          '-infinity'::timestamp as valid_from, 'infinity'::timestamp as valid_to
                   from staging.products as p ${published('products', 'p', 'product_id')}
                   left join bench_models_floor.dim_store_branch as b on b.store_name = etl.normalize_name(p.store_branch)`,
  },
  {
    fct_order_lines: `select ${sk('fct_order_lines', 'd.order_detail_id')} as sk_order_line_id,
                             d.order_detail_id as nk_order_detail_id, d.order_id as nk_order_id,
                             to_char(o.order_date, 'YYYYMMDD')::int as order_date_id, c.sk_customer_id, e.sk_employee_id,
                             p.sk_product_id, p.sk_store_id, d.quantity, d.unit_price, d.subtotal,
                             d.quantity * p.cost_price as cost_amount, ${value('o', 'payment_method')} as payment_method,
                             ${value('o', 'order_status')} as order_status
                      from staging.order_details as d ${published('order_details', 'd', 'order_detail_id')}
                      join staging.orders as o on o.order_id = d.order_id ${published('orders', 'o', 'order_id')}
                      left join bench_models_floor.dim_customers as c on c.nk_customer_id = o.customer_id
                      left join bench_models_floor.dim_employees as e on e.nk_employee_id = o.employee_id
                      left join bench_models_floor.dim_products as p
                        on p.nk_product_id = d.product_id and o.order_date >= p.valid_from and o.order_date < p.valid_to`,
    fct_inventory_movements: `select ${sk('fct_inventory_movements', 'm.tracking_id')} as sk_movement_id,
                                     m.tracking_id as nk_tracking_id, p.sk_product_id, p.sk_store_id,
                                     warehouse.movement_sign(m.reason) * abs(m.quantity_change) as quantity, m.reason
                              from staging.inventory_tracking as m ${published('inventory_tracking', 'm', 'tracking_id')}
                              left join bench_models_floor.dim_products as p
                                on p.nk_product_id = m.product_id and m.change_date >= p.valid_from and m.change_date < p.valid_to`,
    fct_stock_counts: `select s._natural_key as nk_stock_count, s.count_date::date as count_date, p.sk_product_id, b.sk_store_id,
                              s.counted_qty::int as counted_qty
                       from staging.stock_count as s ${published('stock_count', 's', '_natural_key')}
                       left join bench_models_floor.dim_products as p on p.nk_product_id = s.product_id::int
                       left join bench_models_floor.dim_store_branch as b on b.store_name = etl.normalize_name(s.store_name)`,
  },
  {
    fct_orders: `select o.nk_order_id, min(o.order_date_id) as order_date_id, count(*) as line_count,
                        sum(o.quantity) as items_count, sum(o.subtotal) as lines_subtotal,
                        mode() within group (order by o.sk_store_id) as sk_store_id
                 from bench_models_floor.fct_order_lines as o group by o.nk_order_id`,
  },
]

export async function measureModelsFloor(warehouseUrl: string): Promise<number> {
  const sql = connect(warehouseUrl, { max: 2, settings: { enable_nestloop: 'off' } })
  try {
    await sql`drop schema if exists bench_models_floor cascade`
    await sql`create schema bench_models_floor`
    let seconds = 0
    for (const stage of STAGES) {
      // The tables are created (empty) outside the timing; the INSERTs are what is measured.
      for (const [table, select] of Object.entries(stage)) {
        await sql.unsafe(`create table bench_models_floor.${table} as ${select} with no data`)
      }
      const started = performance.now()
      await inTurns(Object.entries(stage), 2, ([table, select]) =>
        sql.unsafe(`insert into bench_models_floor.${table} ${select}`),
      )
      seconds += (performance.now() - started) / 1000
    }
    await sql`drop schema bench_models_floor cascade`
    return seconds
  } finally {
    await sql.end()
  }
}
