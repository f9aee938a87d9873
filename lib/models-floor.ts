// The floor the model graph is measured against, on the same staging data in the same run: one
// hand-written INSERT ... SELECT per warehouse table, straight from staging and the verdicts into
// empty tables: no clean layer, no intermediate tables, no merge, no indexes, no versions to
// close, no refresh. Two at a time, stage by stage, as the model graph runs, each table analyzed
// after its insert as the graph's are.
//
// A floor must build the same tables, or it measures less work: each floor table has the
// warehouse table's columns (less the engine's _run_id) and, after a full build, its rows.
// compareWithWarehouse checks both, and the benchmark fails when they differ. dim_date and
// dim_time read nothing, so their model files are their floor. The benchmark (bench/run.ts)
// measures it; the pipeline test checks that it still builds the warehouse's tables.
//
// Duplicate grouping is not part of the floor: its dim_customers takes each record's merged
// customer from the models' warehouse.int_customer_masters, so the floor builds the same rows.
//
// A floor must be the fastest plan of its SQL, so the floor's sessions use hash joins only.
// Left to choose, PostgreSQL took the join of orders and their verdicts (on batch and natural
// key) to match a tenth of its rows, since it reads the key's distinct count over all tables'
// verdicts, and chose nested loops that made fct_order_lines two to three times slower.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { connect, type Sql } from './db.ts'
import { columnsOf } from './extract/staging-catalog.ts'
import { inTurns } from './in-turns.ts'
import { projectRoot } from './paths.ts'

const FLOOR = 'bench_models_floor'

/** Staging rows of `table` whose verdict is publish, in any batch. */
const published = (table: string, alias: string, key: string) => `
  join dq.verdicts as ${alias}_v
    on ${alias}_v.table_name = '${table}' and ${alias}_v.batch_id = ${alias}._batch_id
   and ${alias}_v.natural_key = ${alias}.${key}::text and ${alias}_v.verdict = 'publish'`

const value = (alias: string, column: string, expression: string) =>
  `dq.verdict_value(${alias}_v.nullified, ${alias}_v.fixed, '${column}', ${expression})`

const price = (column: string) =>
  `case when btrim(${column}) ~ '^\\$?-?[0-9]+(\\.[0-9]+)?$' then replace(btrim(${column}), '$', '')::numeric(10, 2) end`

const sk = (table: string, key: string) => `warehouse.surrogate_key('${table}', ${key}::text)`

/**
 * Published order headers with their customer (walk-in when none) and employee, or the unknown
 * members, and their calendar keys (computed once per order, not once per line).
 */
const ORDER_HEADERS = `
  select o.order_id, o.order_date as order_ts, o.customer_id, o.employee_id, o.total_amount,
         coalesce(warehouse.date_id(o.order_date), -1) as order_date_id,
         coalesce(warehouse.time_id(o.order_date), -1) as order_time_id,
         ${value('o', 'payment_method', 'btrim(o.payment_method)')} as payment_method,
         ${value('o', 'order_status', 'btrim(o.order_status)')} as order_status,
         case when o.customer_id is null then wc.sk_customer_id
              else coalesce(c.sk_customer_id, uc.sk_customer_id) end as sk_customer_id,
         case when o.customer_id is null then wc.customer_master_id
              else coalesce(c.customer_master_id, uc.customer_master_id) end as customer_master_id,
         coalesce(e.sk_employee_id, ue.sk_employee_id) as sk_employee_id
  from staging.orders as o ${published('orders', 'o', 'order_id')}
  left join ${FLOOR}.dim_customers as c on c.nk_customer_id = o.customer_id
  left join ${FLOOR}.dim_employees as e on e.nk_employee_id = o.employee_id
  cross join (select * from ${FLOOR}.dim_customers where nk_customer_id = -1) as uc
  cross join (select * from ${FLOOR}.dim_customers where nk_customer_id = -2) as wc
  cross join (select * from ${FLOOR}.dim_employees where nk_employee_id = -1) as ue`

/** Each stage's tables only read tables of earlier stages. */
async function stages(): Promise<Record<string, string>[]> {
  const modelSelect = async (name: string) =>
    (await readFile(path.join(projectRoot, 'models', 'warehouse', `${name}.sql`), 'utf8')).trim().replace(/;\s*$/, '')
  return [
    {
      dim_date: await modelSelect('dim_date'),
      dim_time: await modelSelect('dim_time'),
      dim_store_branch: `
        select ${sk('dim_store_branch', 'nk_store_id')} as sk_store_id, nk_store_id, store_name, created_at,
               nk_store_id < 0 as is_special_member
        from (select b.store_id::integer as nk_store_id, etl.normalize_name(b.store_name) as store_name,
                     b.created_at::timestamp as created_at
              from staging.store_branch as b ${published('store_branch', 'b', '_natural_key')}
              union all
              select -1, 'Unknown', null) as members`,
      dim_customers: `
        select ${sk('dim_customers', 'nk_customer_id')} as sk_customer_id, nk_customer_id, first_name, last_name,
               nullif(concat_ws(' ', first_name, last_name), '') as full_name, email, phone, loyalty_points,
               coalesce(g.customer_master_id, nk_customer_id) as customer_master_id, f.first_order_date, created_at,
               nk_customer_id < 0 as is_special_member
        from (select c.customer_id as nk_customer_id, nullif(btrim(c.first_name), '') as first_name,
                     nullif(btrim(c.last_name), '') as last_name,
                     ${value('c', 'email', "lower(nullif(btrim(c.email), ''))")} as email,
                     ${value('c', 'phone', "nullif(regexp_replace(c.phone, '[^0-9]', '', 'g'), '')")} as phone,
                     ${value('c', 'loyalty_points', 'c.loyalty_points')} as loyalty_points, c.created_at
              from staging.customers as c ${published('customers', 'c', 'customer_id')}
              union all
              select -1, 'Unknown', 'customer', null, null, null, null
              union all
              select -2, 'Walk-in', 'customer', null, null, null, null) as members
        left join warehouse.int_customer_masters as g using (nk_customer_id)
        left join (select o.customer_id as nk_customer_id, min(o.order_date)::date as first_order_date
                   from staging.orders as o ${published('orders', 'o', 'order_id')}
                   where ${value('o', 'order_status', 'btrim(o.order_status)')} = 'Completed'
                   group by o.customer_id) as f using (nk_customer_id)`,
      dim_employees: `
        select ${sk('dim_employees', 'nk_employee_id')} as sk_employee_id, nk_employee_id, first_name, last_name,
               concat_ws(' ', first_name, last_name) as full_name, hire_date, role, email, created_at,
               nk_employee_id < 0 as is_special_member
        from (select e.employee_id as nk_employee_id, btrim(e.first_name) as first_name, btrim(e.last_name) as last_name,
                     ${value('e', 'hire_date', 'e.hire_date')} as hire_date,
                     ${value('e', 'role', "initcap(nullif(btrim(e.role), ''))")} as role,
                     ${value('e', 'email', "lower(nullif(btrim(e.email), ''))")} as email, e.created_at
              from staging.employees as e ${published('employees', 'e', 'employee_id')}
              union all
              select -1, 'Unknown', 'employee', null, 'Unknown', null, null) as members`,
    },
    {
      dim_products: `
        select ${sk('dim_products', "m.nk_product_id || '|-infinity'")} as sk_product_id, m.nk_product_id,
               m.product_name, m.category, m.unit_price, m.cost_price, m.unit_price - m.cost_price as margin,
               m.in_stock, coalesce(b.sk_store_id, ub.sk_store_id) as sk_store_id,
               '-infinity'::timestamp as valid_from, 'infinity'::timestamp as valid_to, true as is_current
        from (select p.product_id as nk_product_id, btrim(p.product_name) as product_name, btrim(p.category) as category,
                     ${value('p', 'unit_price', price('p.unit_price'))} as unit_price,
                     ${value('p', 'cost_price', price('p.cost_price'))} as cost_price,
                     case lower(btrim(p.in_stock)) when 'yes' then true when 'no' then false end as in_stock,
                     ${value('p', 'store_branch', 'etl.normalize_name(p.store_branch)')} as store_branch
              from staging.products as p ${published('products', 'p', 'product_id')}
              union all
              select -1, 'Unknown', 'Unknown', null, null, null, null) as m
        left join ${FLOOR}.dim_store_branch as b on b.store_name = m.store_branch
        cross join (select sk_store_id from ${FLOOR}.dim_store_branch where nk_store_id = -1) as ub`,
    },
    {
      fct_order_lines: `
        select ${sk('fct_order_lines', 'd.order_detail_id')} as sk_order_line_id,
               d.order_detail_id as nk_order_detail_id, d.order_id as nk_order_id, o.order_ts,
               coalesce(o.order_date_id, -1) as order_date_id, coalesce(o.order_time_id, -1) as order_time_id,
               o.customer_id as nk_customer_id, o.sk_customer_id, o.customer_master_id,
               o.employee_id as nk_employee_id, o.sk_employee_id, d.product_id as nk_product_id,
               coalesce(p.sk_product_id, up.sk_product_id) as sk_product_id,
               coalesce(p.sk_store_id, up.sk_store_id) as sk_store_id,
               d.quantity, d.unit_price, d.subtotal, p.cost_price, o.payment_method, o.order_status,
               (d.quantity * p.cost_price)::numeric(12, 2) as cost_amount,
               (d.subtotal - d.quantity * p.cost_price)::numeric(12, 2) as margin_amount
        from staging.order_details as d ${published('order_details', 'd', 'order_detail_id')}
        left join (${ORDER_HEADERS}) as o on o.order_id = d.order_id
        left join ${FLOOR}.dim_products as p
          on p.nk_product_id = d.product_id and o.order_ts >= p.valid_from and o.order_ts < p.valid_to
        cross join (select * from ${FLOOR}.dim_products where nk_product_id = -1) as up`,
      fct_inventory_movements: `
        select ${sk('fct_inventory_movements', 'm.tracking_id')} as sk_movement_id, m.tracking_id as nk_tracking_id,
               m.change_date as change_ts, coalesce(warehouse.date_id(m.change_date), -1) as change_date_id,
               m.product_id as nk_product_id, coalesce(p.sk_product_id, up.sk_product_id) as sk_product_id,
               coalesce(p.sk_store_id, up.sk_store_id) as sk_store_id,
               warehouse.movement_sign(m.reason) * abs(m.quantity_change) as quantity, m.reason,
               m.reason in ('Damaged', 'Expired') as is_waste, p.cost_price,
               (abs(warehouse.movement_sign(m.reason) * abs(m.quantity_change)) * p.cost_price)::numeric(12, 2) as cost_value
        from (select t.tracking_id, t.product_id, t.quantity_change, t.change_date, t._batch_id,
                     initcap(nullif(btrim(t.reason), '')) as reason
              from staging.inventory_tracking as t) as m ${published('inventory_tracking', 'm', 'tracking_id')}
        left join ${FLOOR}.dim_products as p
          on p.nk_product_id = m.product_id and m.change_date >= p.valid_from and m.change_date < p.valid_to
        cross join (select * from ${FLOOR}.dim_products where nk_product_id = -1) as up`,
      // Straight from staging, beside fct_order_lines rather than after it: the fastest way to
      // these rows, so the floor is not the slower for the order in which the model graph builds.
      fct_orders: `
        with headers as (${ORDER_HEADERS}),
        line_totals as (
          select d.order_id, count(*)::integer as line_count, sum(d.quantity)::integer as items_count,
                 sum(d.subtotal) as lines_subtotal,
                 mode() within group (order by coalesce(p.sk_store_id, up.sk_store_id)) as sk_store_id
          from staging.order_details as d ${published('order_details', 'd', 'order_detail_id')}
          join headers as o on o.order_id = d.order_id
          left join ${FLOOR}.dim_products as p
            on p.nk_product_id = d.product_id and o.order_ts >= p.valid_from and o.order_ts < p.valid_to
          cross join (select * from ${FLOOR}.dim_products where nk_product_id = -1) as up
          group by d.order_id
        )
        select o.order_id as nk_order_id, o.order_ts, o.order_date_id, o.order_time_id, o.customer_id as nk_customer_id,
               o.sk_customer_id, o.customer_master_id, o.employee_id as nk_employee_id, o.sk_employee_id,
               coalesce(l.sk_store_id, ub.sk_store_id) as sk_store_id, coalesce(l.line_count, 0) as line_count,
               coalesce(l.items_count, 0) as items_count, o.total_amount, coalesce(l.lines_subtotal, 0) as lines_subtotal,
               o.payment_method, o.order_status
        from headers as o
        left join line_totals as l on l.order_id = o.order_id
        cross join (select sk_store_id from ${FLOOR}.dim_store_branch where nk_store_id = -1) as ub`,
    },
    {
      // The expected quantity is the stock on hand of the evening before the count plus the count
      // day's flows (docs/warehouse.md): the latest count before it plus the flows since, walked per
      // product and its branch over the days with activity only.
      fct_stock_counts: `
        with counts as (
          select s._natural_key as nk_stock_count, s.count_date::date as count_date, s.product_id::integer as nk_product_id,
                 coalesce(p.sk_product_id, up.sk_product_id) as sk_product_id,
                 coalesce(b.sk_store_id, ub.sk_store_id) as sk_store_id,
                 coalesce(p.sk_store_id, up.sk_store_id) as ledger_store_id, s.counted_qty::integer as counted_qty,
                 nullif(btrim(s.counted_by), '') as counted_by
          from staging.stock_count as s ${published('stock_count', 's', '_natural_key')}
          left join ${FLOOR}.dim_products as p
            on p.nk_product_id = s.product_id::integer
           and s.count_date::date + time '23:59:59' >= p.valid_from and s.count_date::date + time '23:59:59' < p.valid_to
          left join ${FLOOR}.dim_store_branch as b on b.store_name = etl.normalize_name(s.store_name)
          cross join (select sk_product_id, sk_store_id from ${FLOOR}.dim_products where nk_product_id = -1) as up
          cross join (select sk_store_id from ${FLOOR}.dim_store_branch where nk_store_id = -1) as ub
        ),
        days as (
          select nk_product_id, sk_store_id, day, sum(net) as net, max(counted_qty) as counted_qty
          from (select nk_product_id, sk_store_id, change_ts::date as day, quantity as net, null::integer as counted_qty
                from ${FLOOR}.fct_inventory_movements where nk_product_id is not null and change_ts is not null
                union all
                select nk_product_id, sk_store_id, order_ts::date, -quantity, null
                from ${FLOOR}.fct_order_lines
                where order_status = 'Completed' and nk_product_id is not null and order_ts is not null
                union all
                select nk_product_id, ledger_store_id, count_date, 0, counted_qty from counts where nk_product_id is not null
          ) as events
          group by nk_product_id, sk_store_id, day
        ),
        running as (
          select days.*, sum(net) over w as change_to_date, count(counted_qty) over w as counts_to_date
          from days window w as (partition by nk_product_id, sk_store_id order by day)
        ),
        stock as (
          select nk_product_id, sk_store_id, day, net,
                 case when counts_to_date = 0 then change_to_date
                      else first_value(counted_qty) over a + change_to_date - first_value(change_to_date) over a
                 end as stock_on_hand
          from running window a as (partition by nk_product_id, sk_store_id, counts_to_date order by day)
        ),
        count_days as (
          select nk_product_id, sk_store_id, day,
                 coalesce(lag(stock_on_hand) over (partition by nk_product_id, sk_store_id order by day), 0)
                   + net as expected_qty
          from stock
        )
        select c.nk_stock_count, warehouse.date_id(c.count_date) as count_date_id, c.nk_product_id, c.sk_product_id,
               c.sk_store_id, c.counted_qty, coalesce(d.expected_qty, 0)::integer as expected_qty,
               c.counted_qty - coalesce(d.expected_qty, 0)::integer as discrepancy, c.counted_by
        from counts as c
        left join count_days as d
          on d.nk_product_id = c.nk_product_id and d.sk_store_id = c.ledger_store_id and d.day = c.count_date`,
    },
  ]
}

export interface ModelsFloor {
  seconds: number
  /** Each table's INSERT, for the JSON results (two run at once, so they add up to more than seconds). */
  secondsPerTable: Record<string, number>
  /** One line per floor table whose columns or rows differ from the warehouse table's. */
  differences: string[]
}

/** Builds the floor, compares it with the warehouse the full build just made, and drops it. */
export async function measureModelsFloor(warehouseUrl: string): Promise<ModelsFloor> {
  const sql = connect(warehouseUrl, { max: 2, settings: { enable_nestloop: 'off' } })
  try {
    await sql.unsafe(`drop schema if exists ${FLOOR} cascade`)
    await sql.unsafe(`create schema ${FLOOR}`)
    let seconds = 0
    const secondsPerTable: Record<string, number> = {}
    const tables: string[] = []
    for (const stage of await stages()) {
      // The tables are created (empty) outside the timing; the INSERTs are what is measured.
      for (const [table, select] of Object.entries(stage)) {
        await sql.unsafe(`create table ${FLOOR}.${table} as select * from (${select}) as floor_rows with no data`)
        tables.push(table)
      }
      const started = performance.now()
      // Each table is analyzed as the model graph's tables are: later stages plan with its statistics.
      await inTurns(Object.entries(stage), 2, async ([table, select]) => {
        const tableStarted = performance.now()
        await sql.unsafe(`insert into ${FLOOR}.${table} ${select}`)
        await sql.unsafe(`analyze ${FLOOR}.${table}`)
        secondsPerTable[table] = (performance.now() - tableStarted) / 1000
      })
      seconds += (performance.now() - started) / 1000
    }
    const differences = await compareWithWarehouse(sql, tables)
    await sql.unsafe(`drop schema ${FLOOR} cascade`)
    return { seconds, secondsPerTable, differences }
  } finally {
    await sql.end()
  }
}

/** Where the floor's tables differ from the warehouse's: their columns (name and type), then their rows. */
async function compareWithWarehouse(sql: Sql, tables: string[]): Promise<string[]> {
  const differences: string[] = []
  for (const table of tables) {
    const columns = async (schema: string) =>
      (await columnsOf(sql, schema, table))
        .filter((column) => column.name !== '_run_id')
        .map((column) => `${column.name} ${column.type}`)
    const [floor, warehouse] = [await columns(FLOOR), await columns('warehouse')]
    if (floor.join(', ') !== warehouse.join(', ')) {
      differences.push(`${table}: floor columns (${floor.join(', ')}) against warehouse (${warehouse.join(', ')})`)
      continue
    }
    const names = floor.map((column) => column.split(' ')[0]).join(', ')
    const [counted] = await sql.unsafe<{ only_floor: number; only_warehouse: number }[]>(`
      select (select count(*) from (select ${names} from ${FLOOR}.${table}
                                    except all select ${names} from warehouse.${table}) as a)::int as only_floor,
             (select count(*) from (select ${names} from warehouse.${table}
                                    except all select ${names} from ${FLOOR}.${table}) as b)::int as only_warehouse`)
    if (counted && (counted.only_floor > 0 || counted.only_warehouse > 0)) {
      differences.push(
        `${table}: ${counted.only_floor} rows only in the floor, ${counted.only_warehouse} only in the warehouse`,
      )
    }
  }
  return differences
}
