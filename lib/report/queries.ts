// The report's reads: one query per section, each a few plain selections of a mart or meta table
// gathered into one JSON value. Every figure is computed by the marts; these only pick rows,
// order and limit them (long lists are cut to what a page can show).
import type { TransactionSql } from '../db.ts'

type Row = Record<string, number | string | boolean | null>

export interface RunRow {
  run_id: string
  workflow_id: string
  mode: string
  status: string
  started_at: string
  finished_at: string | null
  error: string | null
}

export interface HeadlineData {
  run: RunRow
  /** The latest month with Completed orders (customer_activity_monthly). */
  month: Row | null
  /** marts.warehouse_totals' one row. */
  totals: Row | null
  /** The run's quarantine batch, when it held rows back. */
  batch: Row | null
  /** The run's failed steps and the last steps it finished, for a run that failed. */
  failedSteps: Row[]
  lastSteps: Row[]
}

export interface QualityData {
  steps: Row[]
  accounting: Row[]
  rules: Row[]
  trendRuns: Row[]
  trend: Row[]
  batches: Row[]
  failedLoads: Row[]
}

export interface InventoryData {
  totals: Row | null
  stock: Row[]
  stockOuts: Row[]
  wasteByReason: Row[]
  wasteProducts: Row[]
  discrepancies: Row[]
}

export interface CustomersData {
  totals: Row | null
  segments: Row[]
  months: Row[]
}

export interface StaffingData {
  hours: Row[]
  /** The latest month of employee_performance. */
  latestMonth: string | null
  /** The top employees of the latest month, over the last EMPLOYEE_MONTHS months. */
  employees: Row[]
}

/** How many rows a long list keeps: the report shows aggregates, a few MB at most at any scale. */
export const LIST_LIMIT = 20
/** Stock on hand: every product and branch up to this many (the chart shows the lowest). */
export const STOCK_LIMIT = 200
/** Months of customer activity and of employee figures shown. */
export const MONTHS_SHOWN = 24
/** Months of each top employee's figures shown. */
export const EMPLOYEE_MONTHS = 12
/** Runs in the violations' trend. */
export const TREND_RUNS = 30

/** The marts each section reads; a section whose marts no run has built yet says so. */
export const SECTION_MARTS = {
  headline: ['marts.customer_activity_monthly', 'marts.warehouse_totals'],
  quality: [],
  inventory: [
    'marts.warehouse_totals',
    'marts.stock_on_hand',
    'marts.waste_by_reason',
    'marts.waste_monthly',
    'marts.stock_discrepancies',
  ],
  customers: ['marts.warehouse_totals', 'marts.customer_segments', 'marts.customer_activity_monthly'],
  staffing: ['marts.sales_by_hour', 'marts.employee_performance'],
} as const

/** Which of the marts the report reads exist (a failed first run built none). */
export async function existingMarts(sql: TransactionSql): Promise<Set<string>> {
  const names = [...new Set(Object.values(SECTION_MARTS).flat())]
  const rows = await sql<{ name: string }[]>`
    select name from unnest(${names}::text[]) as name where to_regclass(name) is not null`
  return new Set(rows.map((row) => row.name))
}

async function one<T>(query: Promise<{ data: T }[]>): Promise<T> {
  const [row] = await query
  if (!row) throw new Error('A report query returned no row')
  return row.data
}

/** The run, its headline figures, and for a failed run where it stopped. */
export async function readHeadline(sql: TransactionSql, runId: string, withMarts: boolean): Promise<HeadlineData> {
  // Before any run has built the marts (a first run that failed) their figures are null.
  const month = withMarts
    ? sql`(select row_to_json(m) from (
                select month, orders, revenue, new_customers, returning_customers, walk_in_share
                from marts.customer_activity_monthly order by month desc limit 1) as m)`
    : sql`null::json`
  const totals = withMarts ? sql`(select row_to_json(t) from marts.warehouse_totals as t limit 1)` : sql`null::json`
  const data = await one<HeadlineData>(sql`
    select json_build_object(
      'run', (select row_to_json(r) from (
                select run_id, workflow_id, mode, status, started_at, finished_at, error
                from etl.runs where run_id = ${runId}) as r),
      'month', ${month},
      'totals', ${totals},
      'batch', (select row_to_json(b) from (
                select batch_id, workflow_id, status, rows_held, object_prefix
                from dq.quarantine_batches where batch_id = ${runId}) as b),
      'failedSteps', (select coalesce(json_agg(s), '[]') from (
                select step, table_name, error from etl.steps
                where run_id = ${runId} and status = 'failed' order by started_at) as s),
      'lastSteps', (select coalesce(json_agg(s), '[]') from (
                select step, table_name from etl.steps
                where run_id = ${runId} and status = 'succeeded' order by started_at desc limit 5) as s)
    ) as data`)
  if (!data.run) throw new Error(`Run ${runId} is not in etl.runs`)
  return data
}

/** Rows per table and stage, the row accounting, the rules, their trend, batches, failed loads. */
export function readQuality(sql: TransactionSql, runId: string): Promise<QualityData> {
  return one<QualityData>(sql`
    with recent_runs as (
        select run_id, started_at from etl.runs
        where started_at <= (select started_at from etl.runs where run_id = ${runId})
        order by started_at desc
        limit ${TREND_RUNS}
    )
    select json_build_object(
      'steps', (select coalesce(json_agg(s), '[]') from (
                select table_name, step, rows_in, rows_out, rows_quarantined, status
                from etl.steps where run_id = ${runId} and step in ('extract', 'validate')
                order by table_name, step) as s),
      'accounting', (select coalesce(json_agg(a), '[]') from (
                select table_name, rows_extracted, rows_published, rows_rejected, rows_deleted, difference
                from etl.row_accounting where run_id = ${runId} order by table_name) as a),
      'rules', (select coalesce(json_agg(r), '[]') from (
                select rr.rule_name, rr.table_name, rule.severity, rr.rows_checked, rr.rows_failed,
                       rr.passed, rr.threshold_exceeded, rr.detail
                from dq.rule_results as rr left join dq.rules as rule using (rule_name)
                where rr.run_id = ${runId}
                order by rr.rows_failed desc, rr.table_name, rr.rule_name) as r),
      'trendRuns', (select coalesce(json_agg(t), '[]') from (
                select run_id, started_at from recent_runs order by started_at) as t),
      'trend', (select coalesce(json_agg(t), '[]') from (
                select rr.run_id, rr.rule_name, rr.rows_failed
                from dq.rule_results as rr join recent_runs using (run_id)
                where rr.rows_failed > 0
                order by recent_runs.started_at, rr.rule_name) as t),
      'batches', (select coalesce(json_agg(b), '[]') from (
                select batch_id, status, rows_held, created_at, closed_at, closed_by, close_reason
                from dq.quarantine_batches order by created_at desc limit ${LIST_LIMIT}) as b),
      'failedLoads', (select coalesce(json_agg(f), '[]') from (
                select failed_load_id, run_id, table_name, kind, rows_archived, status, error, created_at
                from etl.failed_loads order by created_at desc limit ${LIST_LIMIT}) as f)
    ) as data`)
}

/** Stock on hand, stock-outs, waste by month and reason, the largest count discrepancies. */
export function readInventory(sql: TransactionSql): Promise<InventoryData> {
  return one<InventoryData>(sql`
    select json_build_object(
      'totals', (select row_to_json(t) from marts.warehouse_totals as t limit 1),
      'stock', (select coalesce(json_agg(s), '[]') from (
                select product_id, product_name, category, store_name, stock_on_hand, last_count_date,
                       is_out_of_stock, is_negative
                from marts.stock_on_hand order by stock_on_hand, product_name, store_name
                limit ${STOCK_LIMIT}) as s),
      'stockOuts', (select coalesce(json_agg(s), '[]') from (
                select product_id, product_name, store_name, stock_on_hand, is_negative
                from marts.stock_on_hand where is_out_of_stock
                order by stock_on_hand, product_name, store_name limit ${LIST_LIMIT}) as s),
      'wasteByReason', (select coalesce(json_agg(w), '[]') from (
                select month, reason, movements, products, waste_quantity, waste_cost_value
                from marts.waste_by_reason
                where month > (select max(month) from marts.waste_by_reason) - make_interval(months => ${MONTHS_SHOWN}::int)
                order by month, reason) as w),
      'wasteProducts', (select coalesce(json_agg(w), '[]') from (
                select month, product_id, product_name, store_name, reason, movements, waste_quantity,
                       waste_cost_value
                from marts.waste_monthly
                order by waste_cost_value desc nulls last, waste_quantity desc, month, product_name
                limit ${LIST_LIMIT}) as w),
      'discrepancies', (select coalesce(json_agg(d), '[]') from (
                select gap_rank, count_date, product_id, product_name, store_name, counted_qty, expected_qty,
                       discrepancy, exceeds_tolerance, counted_by
                from marts.stock_discrepancies order by gap_rank limit ${LIST_LIMIT}) as d)
    ) as data`)
}

/** RFM segments by loyalty tier, new and returning customers by month, duplicates merged. */
export function readCustomers(sql: TransactionSql): Promise<CustomersData> {
  return one<CustomersData>(sql`
    select json_build_object(
      'totals', (select row_to_json(t) from marts.warehouse_totals as t limit 1),
      'segments', (select coalesce(json_agg(s), '[]') from (
                select segment, loyalty_tier, customers, returning_customers, revenue
                from marts.customer_segments order by segment, loyalty_tier) as s),
      'months', (select coalesce(json_agg(m order by m.month), '[]') from (
                select month, new_customers, returning_customers, walk_in_orders, orders, revenue,
                       walk_in_share, new_customer_revenue, returning_customer_revenue, walk_in_revenue
                from marts.customer_activity_monthly order by month desc limit ${MONTHS_SHOWN}) as m)
    ) as data`)
}

/** Sales by branch, weekday and hour; orders and revenue per employee and month. */
export function readStaffing(sql: TransactionSql): Promise<StaffingData> {
  // The staff list grows with the cafe: the employees with the most revenue in the latest month,
  // over the last months, keep the page small at any scale.
  return one<StaffingData>(sql`
    with top_employees as (
        select employee_id from marts.employee_performance
        where month = (select max(month) from marts.employee_performance)
        order by revenue desc, employee_id
        limit ${LIST_LIMIT}
    )
    select json_build_object(
      'hours', (select coalesce(json_agg(h), '[]') from (
                select store_name, day_of_week, day_name, hour, orders, revenue, items
                from marts.sales_by_hour order by store_name, day_of_week, hour) as h),
      'latestMonth', (select max(month) from marts.employee_performance),
      'employees', (select coalesce(json_agg(e), '[]') from (
                select employee_id, full_name, role, month, orders, cancelled_orders, revenue, average_basket
                from marts.employee_performance
                where employee_id in (select employee_id from top_employees)
                  and month > (select max(month) from marts.employee_performance)
                              - make_interval(months => ${EMPLOYEE_MONTHS}::int)
                order by month, revenue desc, employee_id) as e)
    ) as data`)
}
