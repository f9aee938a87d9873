// Each section of the report from its query's rows: charts, their tables, and a sentence where
// there is nothing to draw. Values are shown as the marts computed them (formatting only).
import { barChart, heatmap, lineChart } from './charts.ts'
import {
  emptySentence,
  formatDate,
  formatHour,
  formatInteger,
  formatMoney,
  formatMonth,
  formatPercent,
  formatTimestamp,
  type Value,
} from './format.ts'
import { detailsTable, figure, heading, join, type Markup, markup, sentence, table, tiles } from './html.ts'
import {
  type CustomersData,
  EMPLOYEE_MONTHS,
  type HeadlineData,
  type InventoryData,
  LIST_LIMIT,
  MONTHS_SHOWN,
  type QualityData,
  type StaffingData,
  TREND_RUNS,
} from './queries.ts'

type Row = Record<string, Value | boolean>

const text = (value: Value | boolean): string => (value === null || value === undefined ? '' : String(value))
const num = (value: Value | boolean): number | null =>
  value === null || value === undefined || typeof value === 'boolean' ? null : Number(value)
const yesNo = (value: Value | boolean): string => (value ? 'yes' : 'no')

/** How many bars a chart of a long list draws (its table has the rest). */
const BARS_SHOWN = 20

/** What the sections say about marts no run has built yet. */
export const MARTS_NOT_BUILT = 'The marts have not been built yet: no run has published the warehouse.'

// ---------------------------------------------------------------------------------------------
// Headline

export function headlineHeader(data: HeadlineData, timezone: string, webUiUrl?: string): Markup {
  const { run, month, totals, batch } = data
  const failed = run.status === 'failed'
  const runLine = join(
    `${run.mode} run, ${run.status}; started ${formatTimestamp(run.started_at, timezone)}`,
    run.finished_at ? `, finished ${formatTimestamp(run.finished_at, timezone)}` : '',
    webUiUrl ? markup(` · <a href="${escapeAttribute(webUiUrl)}">the run in the Temporal Web UI</a>`) : '',
  )
  const parts: (Markup | string)[] = [
    markup(`<h1>Run report: ${join(run.run_id).html}</h1>`),
    markup(`<p class="meta" data-run-status="${escapeAttribute(run.status)}">${runLine.html}</p>`),
  ]
  if (failed) {
    parts.push(
      markup(`<p class="error" role="alert">This run failed: ${join(run.error ?? 'no error recorded').html}</p>`),
    )
    const stopped = data.failedSteps.map((s) => stepName(s)).join('; ')
    const finished = data.lastSteps.map((s) => stepName(s)).join('; ')
    parts.push(
      sentence(
        stopped ? `It stopped at: ${stopped}.` : 'It stopped before any step failed on its own (no failed step).',
        'note',
      ),
    )
    parts.push(sentence(finished ? `The last steps it finished: ${finished}.` : 'It finished no step.', 'note'))
    parts.push(
      sentence('It published nothing: the figures below are the warehouse as the last successful run left it.', 'note'),
    )
  }
  const heldBack = batch
    ? { value: formatInteger(batch.rows_held as Value), note: `quarantine batch ${text(batch.status)}` }
    : { value: '0', note: emptySentence('nothingHeldBack') }
  const monthNote = month ? formatMonth(month.month as Value) : 'no Completed order yet'
  parts.push(
    tiles([
      { name: 'revenue', label: 'Revenue', value: formatMoney(month?.revenue as Value), note: monthNote },
      { name: 'orders', label: 'Orders', value: formatInteger(month?.orders as Value), note: monthNote },
      {
        name: 'new-customers',
        label: 'New customers',
        value: formatInteger(month?.new_customers as Value),
        note: monthNote,
      },
      { name: 'held-back', label: 'Rows held back', value: heldBack.value, note: heldBack.note },
      {
        name: 'stock-outs',
        label: 'Stock-outs',
        value: formatInteger(totals?.out_of_stock as Value),
        note: totals?.stock_day
          ? `product-branch pairs at or below 0 on ${formatDate(totals.stock_day as Value)}`
          : 'no stock recorded',
      },
    ]),
  )
  if (!batch) parts.push(sentence(emptySentence('nothingHeldBack')))
  if (totals)
    parts.push(
      sentence(
        `All time: ${formatMoney(totals.revenue as Value)} revenue from ${formatInteger(totals.orders as Value)} Completed orders, ` +
          `${formatInteger(totals.customers as Value)} customers.`,
        'note',
      ),
    )
  return join(...parts)
}

function stepName(step: Row): string {
  const name = step.table_name ? `${text(step.step)} ${text(step.table_name)}` : text(step.step)
  return step.error ? `${name} (${text(step.error)})` : name
}

function escapeAttribute(value: string): string {
  return join(value).html
}

// ---------------------------------------------------------------------------------------------
// Data quality

export function qualitySection(data: QualityData, timezone: string): Markup {
  const parts: Markup[] = []

  parts.push(heading(3, 'Row accounting'))
  if (data.accounting.length === 0) parts.push(sentence(emptySentence('noAccounting')))
  else
    parts.push(
      figure({
        name: 'row-accounting',
        caption: 'Rows per source table: published and rejected (extracted = published + rejected)',
        svg: barChart({
          categories: data.accounting.map((a) => text(a.table_name)),
          series: [
            { name: 'published', values: data.accounting.map((a) => num(a.rows_published)) },
            { name: 'rejected', values: data.accounting.map((a) => num(a.rows_rejected)) },
          ],
          stacked: true,
          horizontal: true,
          valueName: 'rows',
        }),
        numbers: {
          caption: 'Row accounting of this run (etl.row_accounting)',
          columns: [
            { label: 'table' },
            { label: 'extracted', numeric: true },
            { label: 'published', numeric: true },
            { label: 'rejected', numeric: true },
            { label: 'deleted', numeric: true },
            { label: 'difference', numeric: true },
          ],
          rows: data.accounting.map((a) => [
            text(a.table_name),
            formatInteger(a.rows_extracted as Value),
            formatInteger(a.rows_published as Value),
            formatInteger(a.rows_rejected as Value),
            formatInteger(a.rows_deleted as Value),
            formatInteger(a.difference as Value),
          ]),
        },
      }),
    )

  parts.push(heading(3, 'Rows per table and stage'))
  if (data.steps.length === 0) parts.push(sentence(emptySentence('noSteps')))
  else
    parts.push(
      table({
        name: 'stages',
        caption: 'Rows in and out of each extract and validate step of this run (etl.steps)',
        columns: [
          { label: 'table' },
          { label: 'stage' },
          { label: 'rows in', numeric: true },
          { label: 'rows out', numeric: true },
          { label: 'quarantined', numeric: true },
          { label: 'status' },
        ],
        rows: data.steps.map((s) => [
          text(s.table_name),
          text(s.step),
          formatInteger(s.rows_in as Value),
          formatInteger(s.rows_out as Value),
          formatInteger(s.rows_quarantined as Value),
          text(s.status),
        ]),
      }),
    )

  parts.push(heading(3, 'Violations per rule'))
  const failing = data.rules.filter((r) => num(r.rows_failed) !== null && (num(r.rows_failed) ?? 0) > 0)
  const rulesTable = {
    name: 'rules',
    caption: 'Every rule checked in this run (dq.rule_results)',
    columns: [
      { label: 'rule' },
      { label: 'table' },
      { label: 'severity' },
      { label: 'rows checked', numeric: true },
      { label: 'rows failed', numeric: true },
      { label: 'passed' },
      { label: 'stopped the run' },
    ],
    rows: data.rules.map((r) => [
      text(r.rule_name),
      text(r.table_name),
      text(r.severity),
      formatInteger(r.rows_checked as Value),
      formatInteger(r.rows_failed as Value),
      yesNo(r.passed),
      yesNo(r.threshold_exceeded),
    ]),
  }
  if (data.rules.length === 0) parts.push(sentence(emptySentence('noRuleResults')))
  else if (failing.length === 0) {
    parts.push(sentence(emptySentence('noViolations')))
    parts.push(detailsTable('The rules checked', rulesTable))
  } else
    parts.push(
      figure({
        name: 'violations',
        caption: 'Rows failing each rule in this run (rules that found none are in the table)',
        svg: barChart({
          categories: failing.slice(0, BARS_SHOWN).map((r) => text(r.rule_name)),
          series: [{ name: 'rows failed', values: failing.slice(0, BARS_SHOWN).map((r) => num(r.rows_failed)) }],
          horizontal: true,
          valueName: 'rows',
        }),
        numbers: rulesTable,
      }),
    )

  parts.push(heading(3, `Violations over the last ${TREND_RUNS} runs`))
  if (data.trend.length === 0) parts.push(sentence(emptySentence('noTrend')))
  else {
    const runs = data.trendRuns.map((r) => text(r.run_id))
    const rules = [...new Set(data.trend.map((t) => text(t.rule_name)))].sort()
    const failed = new Map(data.trend.map((t) => [`${text(t.run_id)}|${text(t.rule_name)}`, num(t.rows_failed)]))
    const started = new Map(
      data.trendRuns.map((r) => [text(r.run_id), formatTimestamp(r.started_at as Value, timezone)]),
    )
    parts.push(
      figure({
        name: 'violations-trend',
        caption: `Rows failing each rule, run by run (the last ${TREND_RUNS} runs up to this one; a rule with no failures is left out)`,
        svg: lineChart({
          categories: runs.map((r) => (started.get(r) ?? r).slice(0, 16)),
          series: rules.map((rule) => ({ name: rule, values: runs.map((r) => failed.get(`${r}|${rule}`) ?? 0) })),
          valueName: 'rows',
        }),
        numbers: {
          caption: 'Rows failed per run and rule (dq.rule_results), rules with failures only',
          columns: [{ label: 'run' }, { label: 'started' }, { label: 'rule' }, { label: 'rows failed', numeric: true }],
          rows: data.trend.map((t) => [
            text(t.run_id),
            started.get(text(t.run_id)) ?? '',
            text(t.rule_name),
            formatInteger(t.rows_failed as Value),
          ]),
        },
      }),
    )
  }

  parts.push(heading(3, 'Quarantine batches'))
  if (data.batches.length === 0) parts.push(sentence(emptySentence('noQuarantineBatches')))
  else
    parts.push(
      table({
        name: 'quarantine-batches',
        caption: `Quarantine batches, newest first (the last ${LIST_LIMIT}): open, reprocessed or discarded`,
        columns: [
          { label: 'batch (run)' },
          { label: 'status' },
          { label: 'rows held', numeric: true },
          { label: 'opened' },
          { label: 'closed' },
          { label: 'closed by' },
          { label: 'reason' },
        ],
        rows: data.batches.map((b) => [
          text(b.batch_id),
          text(b.status),
          formatInteger(b.rows_held as Value),
          formatTimestamp(b.created_at as Value, timezone),
          b.closed_at ? formatTimestamp(b.closed_at as Value, timezone) : '',
          text(b.closed_by),
          text(b.close_reason),
        ]),
      }),
    )

  parts.push(heading(3, 'Failed loads'))
  if (data.failedLoads.length === 0) parts.push(sentence(emptySentence('noFailedLoads')))
  else
    parts.push(
      table({
        name: 'failed-loads',
        caption: `Loads archived by failed runs, newest first (the last ${LIST_LIMIT})`,
        columns: [
          { label: 'failed load' },
          { label: 'table' },
          { label: 'kind' },
          { label: 'rows', numeric: true },
          { label: 'status' },
          { label: 'error' },
        ],
        rows: data.failedLoads.map((f) => [
          text(f.failed_load_id),
          text(f.table_name),
          text(f.kind),
          formatInteger(f.rows_archived as Value),
          text(f.status),
          text(f.error),
        ]),
      }),
    )
  return join(...parts)
}

// ---------------------------------------------------------------------------------------------
// Inventory

const productAtBranch = (r: Row) => `${text(r.product_name)} (${text(r.store_name)})`

export function inventorySection(data: InventoryData): Markup {
  const parts: Markup[] = []
  const day = formatDate(data.totals?.stock_day as Value)

  parts.push(heading(3, 'Stock on hand'))
  if (data.stock.length === 0) parts.push(sentence(emptySentence('noStock')))
  else {
    const lowest = data.stock.slice(0, BARS_SHOWN)
    parts.push(
      figure({
        name: 'stock-on-hand',
        caption: `Stock on hand on ${day} per product and branch (the ${lowest.length} lowest drawn; all in the table)`,
        svg: barChart({
          categories: lowest.map(productAtBranch),
          series: [{ name: 'stock on hand', values: lowest.map((r) => num(r.stock_on_hand)) }],
          horizontal: true,
          valueName: 'units',
        }),
        numbers: {
          caption: `Stock on hand on ${day} (marts.stock_on_hand), lowest first`,
          columns: [
            { label: 'product id', numeric: true },
            { label: 'product' },
            { label: 'branch' },
            { label: 'stock on hand', numeric: true },
            { label: 'last count' },
            { label: 'out of stock' },
            { label: 'negative' },
          ],
          rows: data.stock.map((r) => [
            text(r.product_id),
            text(r.product_name),
            text(r.store_name),
            formatInteger(r.stock_on_hand as Value),
            formatDate(r.last_count_date as Value),
            yesNo(r.is_out_of_stock),
            yesNo(r.is_negative),
          ]),
        },
      }),
    )
  }

  parts.push(heading(3, 'Out of stock or negative'))
  if (data.stockOuts.length === 0) parts.push(sentence(emptySentence('noStockOuts')))
  else {
    parts.push(
      sentence(
        `${formatInteger(data.totals?.out_of_stock as Value)} product-branch pairs at or below zero on ${day}, ` +
          `${formatInteger(data.totals?.negative_stock as Value)} of them negative (unrecorded restocks or a miscount).`,
        'note',
      ),
    )
    parts.push(
      table({
        name: 'stock-outs',
        caption: `Out of stock on ${day}, lowest first (at most ${LIST_LIMIT})`,
        columns: [
          { label: 'product id', numeric: true },
          { label: 'product' },
          { label: 'branch' },
          { label: 'stock on hand', numeric: true },
          { label: 'negative' },
        ],
        rows: data.stockOuts.map((r) => [
          text(r.product_id),
          text(r.product_name),
          text(r.store_name),
          formatInteger(r.stock_on_hand as Value),
          yesNo(r.is_negative),
        ]),
      }),
    )
  }

  parts.push(heading(3, 'Waste'))
  if (data.wasteByReason.length === 0) parts.push(sentence(emptySentence('noWaste')))
  else {
    const months = [...new Set(data.wasteByReason.map((w) => text(w.month)))]
    const reasons = [...new Set(data.wasteByReason.map((w) => text(w.reason)))]
    const cost = new Map(data.wasteByReason.map((w) => [`${text(w.month)}|${text(w.reason)}`, num(w.waste_cost_value)]))
    parts.push(
      figure({
        name: 'waste',
        caption: 'Waste by month and reason, at cost (a product with an unknown cost price adds units, not cost)',
        svg: barChart({
          categories: months.map((m) => formatMonth(m)),
          series: reasons.map((reason) => ({
            name: reason,
            values: months.map((m) => cost.get(`${m}|${reason}`) ?? null),
          })),
          stacked: true,
          valueName: 'cost',
        }),
        numbers: {
          caption: `Waste by month and reason (marts.waste_by_reason), the last ${MONTHS_SHOWN} months at most`,
          columns: [
            { label: 'month' },
            { label: 'reason' },
            { label: 'movements', numeric: true },
            { label: 'products', numeric: true },
            { label: 'units', numeric: true },
            { label: 'cost', numeric: true },
          ],
          rows: data.wasteByReason.map((w) => [
            formatMonth(w.month as Value),
            text(w.reason),
            formatInteger(w.movements as Value),
            formatInteger(w.products as Value),
            formatInteger(w.waste_quantity as Value),
            formatMoney(w.waste_cost_value as Value),
          ]),
        },
      }),
    )
    parts.push(
      detailsTable(`The largest waste by product and month (at most ${LIST_LIMIT})`, {
        name: 'waste-products',
        caption: 'Waste per product, branch, month and reason (marts.waste_monthly), largest cost first',
        columns: [
          { label: 'month' },
          { label: 'product id', numeric: true },
          { label: 'product' },
          { label: 'branch' },
          { label: 'reason' },
          { label: 'movements', numeric: true },
          { label: 'units', numeric: true },
          { label: 'cost', numeric: true },
        ],
        rows: data.wasteProducts.map((w) => [
          formatMonth(w.month as Value),
          text(w.product_id),
          text(w.product_name),
          text(w.store_name),
          text(w.reason),
          formatInteger(w.movements as Value),
          formatInteger(w.waste_quantity as Value),
          formatMoney(w.waste_cost_value as Value),
        ]),
      }),
    )
  }

  parts.push(heading(3, 'Largest count discrepancies'))
  if (data.discrepancies.length === 0) parts.push(sentence(emptySentence('noDiscrepancies')))
  else
    parts.push(
      figure({
        name: 'discrepancies',
        caption: `Counted less expected, the ${data.discrepancies.length} largest gaps (more than 2 units exceeds the tolerance)`,
        svg: barChart({
          categories: data.discrepancies.map((d) => `${productAtBranch(d)} ${formatDate(d.count_date as Value)}`),
          series: [{ name: 'discrepancy', values: data.discrepancies.map((d) => num(d.discrepancy)) }],
          horizontal: true,
          valueName: 'units',
        }),
        numbers: {
          caption: 'Stock counts, largest gap first (marts.stock_discrepancies)',
          columns: [
            { label: 'rank', numeric: true },
            { label: 'count date' },
            { label: 'product' },
            { label: 'branch' },
            { label: 'counted', numeric: true },
            { label: 'expected', numeric: true },
            { label: 'discrepancy', numeric: true },
            { label: 'beyond tolerance' },
            { label: 'counted by' },
          ],
          rows: data.discrepancies.map((d) => [
            text(d.gap_rank),
            formatDate(d.count_date as Value),
            text(d.product_name),
            text(d.store_name),
            formatInteger(d.counted_qty as Value),
            formatInteger(d.expected_qty as Value),
            formatInteger(d.discrepancy as Value),
            yesNo(d.exceeds_tolerance),
            text(d.counted_by),
          ]),
        },
      }),
    )
  return join(...parts)
}

// ---------------------------------------------------------------------------------------------
// Customers

const TIERS = ['Bronze', 'Silver', 'Gold']

export function customersSection(data: CustomersData): Markup {
  const parts: Markup[] = []

  parts.push(heading(3, 'RFM segments and loyalty tiers'))
  if (data.segments.length === 0) parts.push(sentence(emptySentence('noCustomers')))
  else {
    const segments = [...new Set(data.segments.map((s) => text(s.segment)))]
    const tiers = TIERS.filter((tier) => data.segments.some((s) => s.loyalty_tier === tier))
    const count = new Map(data.segments.map((s) => [`${text(s.segment)}|${text(s.loyalty_tier)}`, num(s.customers)]))
    parts.push(
      figure({
        name: 'segments',
        caption: 'Customers per RFM segment, by loyalty tier (merged customers; walk-ins excluded)',
        svg: barChart({
          categories: segments,
          series: tiers.map((tier) => ({ name: tier, values: segments.map((s) => count.get(`${s}|${tier}`) ?? null) })),
          stacked: true,
          valueName: 'customers',
        }),
        numbers: {
          caption: 'Customers per segment and tier (marts.customer_segments)',
          columns: [
            { label: 'segment' },
            { label: 'tier' },
            { label: 'customers', numeric: true },
            { label: 'returning', numeric: true },
            { label: 'revenue', numeric: true },
          ],
          rows: data.segments.map((s) => [
            text(s.segment),
            text(s.loyalty_tier),
            formatInteger(s.customers as Value),
            formatInteger(s.returning_customers as Value),
            formatMoney(s.revenue as Value),
          ]),
        },
      }),
    )
  }

  parts.push(heading(3, 'New and returning customers by month'))
  if (data.months.length === 0) parts.push(sentence(emptySentence('noCustomerMonths')))
  else {
    const months = data.months.map((m) => formatMonth(m.month as Value))
    const numbers = {
      caption: `Customers and orders per month (marts.customer_activity_monthly), the last ${MONTHS_SHOWN} months at most`,
      columns: [
        { label: 'month' },
        { label: 'new customers', numeric: true },
        { label: 'returning customers', numeric: true },
        { label: 'orders', numeric: true },
        { label: 'walk-in orders', numeric: true },
        { label: 'walk-in share', numeric: true },
        { label: 'revenue', numeric: true },
      ],
      rows: data.months.map((m) => [
        formatMonth(m.month as Value),
        formatInteger(m.new_customers as Value),
        formatInteger(m.returning_customers as Value),
        formatInteger(m.orders as Value),
        formatInteger(m.walk_in_orders as Value),
        formatPercent(m.walk_in_share as Value),
        formatMoney(m.revenue as Value),
      ]),
    }
    parts.push(
      figure({
        name: 'customer-months',
        caption: 'New against returning customers by month',
        svg: barChart({
          categories: months,
          series: [
            { name: 'new', values: data.months.map((m) => num(m.new_customers)) },
            { name: 'returning', values: data.months.map((m) => num(m.returning_customers)) },
          ],
          valueName: 'customers',
        }),
        numbers,
      }),
    )
    parts.push(
      figure({
        name: 'walk-in-share',
        caption: 'Walk-in share: orders with no customer, of all Completed orders, by month',
        svg: lineChart(
          {
            categories: months,
            series: [{ name: 'walk-in share', values: data.months.map((m) => num(m.walk_in_share)) }],
            valueName: 'share',
          },
          { height: 240 },
        ),
        numbers: {
          caption: 'Walk-in orders per month',
          columns: [
            { label: 'month' },
            { label: 'walk-in orders', numeric: true },
            { label: 'orders', numeric: true },
            { label: 'walk-in share', numeric: true },
            { label: 'walk-in revenue', numeric: true },
          ],
          rows: data.months.map((m) => [
            formatMonth(m.month as Value),
            formatInteger(m.walk_in_orders as Value),
            formatInteger(m.orders as Value),
            formatPercent(m.walk_in_share as Value),
            formatMoney(m.walk_in_revenue as Value),
          ]),
        },
      }),
    )
  }

  parts.push(heading(3, 'Duplicate customers merged'))
  const groups = num(data.totals?.duplicate_groups)
  if (!groups) parts.push(sentence(emptySentence('noDuplicates')))
  else
    parts.push(
      markup(
        `<p class="note" data-figure="duplicates">${
          join(
            `${formatInteger(groups)} duplicate groups merged: ${formatInteger(data.totals?.duplicate_records as Value)} ` +
              'customer records counted as one customer each group.',
          ).html
        }</p>`,
      ),
    )
  return join(...parts)
}

// ---------------------------------------------------------------------------------------------
// Staffing

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const HOURS = Array.from({ length: 24 }, (_, hour) => hour)

export function staffingSection(data: StaffingData): Markup {
  const parts: Markup[] = []

  parts.push(heading(3, 'Sales by weekday and hour'))
  if (data.hours.length === 0) parts.push(sentence(emptySentence('noSales')))
  else {
    const branches = [...new Set(data.hours.map((h) => text(h.store_name)))]
    // The colour scale's top, shared by the branches' maps so that they compare (drawing only).
    const top = Math.max(...data.hours.map((h) => num(h.revenue) ?? 0))
    for (const branch of branches) {
      const rows = data.hours.filter((h) => text(h.store_name) === branch)
      parts.push(
        figure({
          name: `sales-heatmap-${branch.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
          caption: `${branch}: revenue by local weekday and hour (Completed orders)`,
          svg: heatmap({
            columns: HOURS.map((h) => String(h).padStart(2, '0')),
            rows: WEEKDAYS,
            cells: rows.map((h) => [num(h.hour) ?? 0, (num(h.day_of_week) ?? 1) - 1, num(h.revenue) ?? 0]),
            valueName: 'revenue',
            max: top,
          }),
          numbers: {
            caption: `${branch}: orders, revenue and items by weekday and hour (marts.sales_by_hour)`,
            columns: [
              { label: 'weekday' },
              { label: 'hour' },
              { label: 'orders', numeric: true },
              { label: 'revenue', numeric: true },
              { label: 'items', numeric: true },
            ],
            rows: rows.map((h) => [
              text(h.day_name),
              formatHour(h.hour as Value),
              formatInteger(h.orders as Value),
              formatMoney(h.revenue as Value),
              formatInteger(h.items as Value),
            ]),
          },
        }),
      )
    }
  }

  parts.push(heading(3, 'Orders and revenue per employee and month'))
  if (data.employees.length === 0) parts.push(sentence(emptySentence('noEmployees')))
  else {
    const months = [...new Set(data.employees.map((e) => text(e.month)))]
    const people = [...new Set(data.employees.map((e) => employeeName(e)))]
    const revenue = new Map(data.employees.map((e) => [`${employeeName(e)}|${text(e.month)}`, num(e.revenue)]))
    const latest = formatMonth(data.latestMonth)
    parts.push(
      figure({
        name: 'employees',
        caption:
          `Revenue per employee and month (Completed orders): the ${LIST_LIMIT} employees with the most revenue ` +
          `in ${latest} at most, over the last ${EMPLOYEE_MONTHS} months`,
        svg: lineChart({
          categories: months.map((m) => formatMonth(m)),
          series: people.map((p) => ({ name: p, values: months.map((m) => revenue.get(`${p}|${m}`) ?? null) })),
          valueName: 'revenue',
        }),
        numbers: {
          caption: `Orders and revenue per employee and month (marts.employee_performance), the top employees of ${latest}`,
          columns: [
            { label: 'month' },
            { label: 'employee' },
            { label: 'role' },
            { label: 'orders', numeric: true },
            { label: 'cancelled', numeric: true },
            { label: 'revenue', numeric: true },
            { label: 'average basket', numeric: true },
          ],
          rows: data.employees.map((e) => [
            formatMonth(e.month as Value),
            employeeName(e),
            text(e.role),
            formatInteger(e.orders as Value),
            formatInteger(e.cancelled_orders as Value),
            formatMoney(e.revenue as Value),
            formatMoney(e.average_basket as Value),
          ]),
        },
      }),
    )
  }
  return join(...parts)
}

function employeeName(e: Row): string {
  return `${text(e.full_name)} (#${text(e.employee_id)})`
}

export function notBuilt(): Markup {
  return sentence(MARTS_NOT_BUILT)
}
