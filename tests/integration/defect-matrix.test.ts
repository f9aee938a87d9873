// The defect matrix (issue 17): after one full pipeline run on generator data, with its sheets,
// every defect class the generator planted (seed_truth.defects) is caught by the rule meant for it
// on exactly the planted keys, no row rule fires on a row the truth says is clean, and each
// violation records the value as the source (the POS, or the sheet's cell) held it.
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readText } from '../../lib/object-store.ts'
import { POS_KEY_COLUMNS } from '../../seed/generate-pos.ts'
import { generateSheets } from '../../seed/generate-sheets.ts'
import { createHarness, type Harness } from '../support/harness.ts'

// A high defect rate plants every class, the rarest too (zero-quantity and product-less
// movements are planted at the rate squared), at half the cafe's size so the run stays quick.
const GENERATOR = { scale: 0.5, seed: 1, defectRate: 0.2 }
const SHEETS = { seed: 1, defectRate: 0.2, format: 'xlsx' } as const
const WORKBOOK = 'paccafe_sheets.xlsx'

/** The mart that catches unrecorded waste: it is no row rule, but a gap between count and stock. */
const STOCK_MART = 'marts.stock_discrepancies'

interface MatrixEntry {
  table: string
  defect: string
  /** The rule meant to catch it, or the mart for a class no row rule can see. */
  catcher: string
  /** The source column the offending value comes from (absent: the rule's column is it). */
  sourceColumn?: string
  /** For a rule that catches two classes (a sheet's cells): the column of this class's violations. */
  column?: string
}

/** Every planted class and what catches it (docs/sources.md, Known defects). */
const MATRIX: MatrixEntry[] = [
  { table: 'customers', defect: 'invalid_email', catcher: 'customers_email_format' },
  { table: 'customers', defect: 'short_phone', catcher: 'customers_phone_digits' },
  { table: 'customers', defect: 'negative_loyalty_points', catcher: 'customers_loyalty_points_not_negative' },
  { table: 'employees', defect: 'invalid_role', catcher: 'employees_role_known' },
  { table: 'employees', defect: 'future_hire_date', catcher: 'employees_hire_date_not_future' },
  { table: 'employees', defect: 'invalid_email', catcher: 'employees_email_format' },
  { table: 'products', defect: 'negative_unit_price', catcher: 'products_unit_price_not_negative' },
  { table: 'products', defect: 'negative_cost_price', catcher: 'products_cost_price_not_negative' },
  // The rule judges the clean model's unit_price_text, derived from the POS's unit_price.
  { table: 'products', defect: 'unparseable_price', catcher: 'products_unit_price_parses', sourceColumn: 'unit_price' },
  { table: 'products', defect: 'cost_above_price', catcher: 'products_cost_not_above_price' },
  { table: 'products', defect: 'unknown_branch', catcher: 'products_branch_known' },
  { table: 'orders', defect: 'invalid_payment_method', catcher: 'orders_payment_method_known' },
  { table: 'orders', defect: 'misspelled_status', catcher: 'orders_status_spelling' },
  { table: 'orders', defect: 'total_mismatch', catcher: 'orders_total_matches_lines' },
  { table: 'order_details', defect: 'orphaned_line', catcher: 'order_details_order_exists' },
  { table: 'order_details', defect: 'non_positive_quantity', catcher: 'order_details_quantity_positive' },
  { table: 'order_details', defect: 'subtotal_mismatch', catcher: 'order_details_subtotal_matches' },
  { table: 'inventory_tracking', defect: 'invalid_reason', catcher: 'inventory_reason_known' },
  { table: 'inventory_tracking', defect: 'negative_quantity', catcher: 'inventory_quantity_not_negative' },
  { table: 'inventory_tracking', defect: 'zero_quantity', catcher: 'inventory_quantity_not_zero' },
  { table: 'inventory_tracking', defect: 'missing_product', catcher: 'inventory_product_exists' },
  { table: 'stock_count', defect: 'negative_count', catcher: 'stock_count_not_negative' },
  { table: 'stock_count', defect: 'unknown_product', catcher: 'stock_count_product_exists' },
  { table: 'stock_count', defect: 'unknown_branch', catcher: 'stock_count_branch_exists' },
  { table: 'stock_count', defect: 'unparseable_date', catcher: 'stock_count_cells_parse', column: 'count_date' },
  { table: 'stock_count', defect: 'unparseable_qty', catcher: 'stock_count_cells_parse', column: 'counted_qty' },
  { table: 'stock_count', defect: 'unrecorded_waste', catcher: STOCK_MART },
]

/**
 * Classes of the truth measured elsewhere. A duplicate registration is a row no rule can judge
 * alone: the grouping finds it, measured against seed_truth.customer_pairs by `paccafe
 * duplicates` (tests/integration/duplicate-customers.test.ts).
 */
const MEASURED_ELSEWHERE = new Set(['customers.duplicate_customer'])

const POS_KEYS: Record<string, string> = POS_KEY_COLUMNS

/** The stock_count sheet's columns, as the workbook's header row spells them (seed/generate-sheets.ts). */
const SHEET_HEADERS: Record<string, string> = {
  count_date: 'count_date',
  store_name: 'store_name',
  product_id: 'Product ID',
  counted_qty: 'counted_qty',
}

interface Violation {
  table_name: string
  rule_name: string
  natural_key: string
  column_name: string | null
  offending_value: string | null
  cleaned_value: string | null
}

interface MatrixRow {
  entry: MatrixEntry
  planted: string[]
  caught: string[]
}

let h: Harness
let runId: string
/** The truth's keys per class (`table.defect`). */
const truth = new Map<string, string[]>()
/** The run's violations, each with the key the truth knows its row by. */
let violations: (Violation & { truth_key: string })[] = []
let matrix: MatrixRow[] = []
/** The counts left out of the unrecorded waste's measure (countsMissingHeldBackRows). */
let uncertain: string[] = []

/** The run's violations of the entry's rule (of its column, for a rule that catches two classes). */
const violationsOf = (entry: MatrixEntry) =>
  violations.filter(
    (v) =>
      v.table_name === entry.table &&
      v.rule_name === entry.catcher &&
      (entry.column === undefined || v.column_name === entry.column),
  )
const classOf = (entry: { table: string; defect: string }) => `${entry.table}.${entry.defect}`
const sorted = (keys: Iterable<string>) => [...new Set(keys)].sort()
const ratio = (part: number, whole: number) => (whole === 0 ? 'n/a' : (part / whole).toFixed(2))

/**
 * Sheet rows are known to the truth as `<file>#<row>`, to the pipeline by their natural key: a
 * staged row carries its file and row, a row held back at reading has them in its quarantined line.
 */
async function sheetRowsByKey(): Promise<Map<string, string[]>> {
  const rows = new Map<string, string[]>()
  const add = (key: string, at: string) => rows.set(key, [...(rows.get(key) ?? []), at])
  const staged = await h.warehouse<{ natural_key: string; at: string }[]>`
    select _natural_key as natural_key, _source_file || '#' || _source_row as at from staging.stock_count`
  for (const row of staged) add(row.natural_key, row.at)
  const objects = await h.warehouse<{ object_key: string }[]>`
    select object_key from dq.quarantine_objects
    where run_id = ${runId} and table_name = 'stock_count' and rule_name = 'stock_count_cells_parse'`
  for (const object of objects) {
    for (const line of (await readText(h.store, object.object_key)).trim().split('\n')) {
      const held = JSON.parse(line) as { file: string; row_number: number; natural_key: string }
      add(held.natural_key, `${held.file}#${held.row_number}`)
    }
  }
  return rows
}

/**
 * The count rows the stock mart flags as unrecorded waste (a gap beyond its tolerance, below the
 * stock), by the sheet row each count came from.
 */
async function flaggedWaste(): Promise<{ at: string; counted_qty: number }[]> {
  return h.warehouse<{ at: string; counted_qty: number }[]>`
    select s._source_file || '#' || s._source_row as at, m.counted_qty
    from ${h.warehouse.unsafe(STOCK_MART)} as m
    join staging.stock_count as s
      on s.count_date::date = m.count_date and s.product_id::int = m.product_id
     and etl.normalize_name(s.store_name) = m.store_name
    where m.exceeds_tolerance and m.discrepancy < 0`
}

/**
 * The counts whose flag the run's held-back lines would change: a rejected line of a Completed
 * order of the product, dated after its previous count and up to this one, really took units
 * off the shelf, but the warehouse cannot see them until the line is reprocessed, so it expects
 * more than the shelf holds. Such a count's flag says nothing of unrecorded waste either way; the
 * measure of that class leaves these counts out, planted or not.
 */
async function countsMissingHeldBackRows(): Promise<string[]> {
  const rows = await h.warehouse<{ at: string }[]>`
    with held_back_lines as (
        select distinct v.natural_key from dq.violations as v
        where v.run_id = ${runId} and v.table_name = 'order_details' and v.severity = 'reject'
    ),
    held_back_sales as (
        select d.product_id, o.order_date::date as day, d.quantity
        from held_back_lines as v
        join staging.order_details as d on d.order_detail_id::text = v.natural_key
        join staging.orders as o on o.order_id = d.order_id
        where d.quantity > 0 and lower(btrim(o.order_status)) = 'completed'
    ),
    counts as (
        select m.product_id, m.count_date, m.store_name, m.discrepancy, m.exceeds_tolerance,
               lag(m.count_date) over (partition by m.product_id order by m.count_date) as previous_count_date
        from ${h.warehouse.unsafe(STOCK_MART)} as m
    ),
    adjusted as (
        select c.*,
               c.discrepancy + coalesce((
                   select sum(b.quantity) from held_back_sales as b
                   where b.product_id = c.product_id and b.day <= c.count_date
                     and (c.previous_count_date is null or b.day > c.previous_count_date)), 0) as adjusted_discrepancy
        from counts as c
    )
    select s._source_file || '#' || s._source_row as at
    from adjusted as a
    join staging.stock_count as s
      on s.count_date::date = a.count_date and s.product_id::int = a.product_id
     and etl.normalize_name(s.store_name) = a.store_name
    where (a.exceeds_tolerance and a.discrepancy < 0)
          <> (abs(a.adjusted_discrepancy) > 2 and a.adjusted_discrepancy < 0)`
  return sorted(rows.map((row) => row.at))
}

/** A class's line of the matrix. */
function measures({ entry, planted, caught }: MatrixRow) {
  const hits = caught.filter((key) => planted.includes(key)).length
  return {
    class: classOf(entry),
    rule: entry.catcher,
    planted: planted.length,
    caught: caught.length,
    precision: ratio(hits, caught.length),
    recall: ratio(hits, planted.length),
  }
}

/** What a class's line must be: every planted row caught, nothing else. */
const perfect = ({ entry, planted }: MatrixRow) => ({
  class: classOf(entry),
  rule: entry.catcher,
  planted: planted.length,
  caught: planted.length,
  precision: '1.00',
  recall: '1.00',
})

/** The matrix, aligned, as the test prints it. */
function formatMatrix(rows: (string | number)[][]): string {
  const header = ['class', 'rule', 'planted', 'caught', 'precision', 'recall']
  const all = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] as string).length)))
  const line = (row: string[]) =>
    row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
  return all.map((row) => line(row).join('  ').trimEnd()).join('\n')
}

describe('the defect matrix: every planted class caught by its rule, on exactly its rows', () => {
  beforeAll(async () => {
    h = await createHarness(GENERATOR)
    await generateSheets(h.source, h.config.sheets.dir, SHEETS)
    runId = (await h.run('full')).runId

    const planted = await h.source<{ table_name: string; defect: string; natural_key: string }[]>`
      select table_name, defect, natural_key from seed_truth.defects`
    for (const row of planted) {
      const name = classOf({ table: row.table_name, defect: row.defect })
      truth.set(name, [...(truth.get(name) ?? []), row.natural_key])
    }

    const sheetRows = await sheetRowsByKey()
    const found = await h.warehouse<Violation[]>`
      select table_name, rule_name, natural_key, column_name, offending_value, cleaned_value
      from dq.violations where run_id = ${runId}`
    violations = found.flatMap((violation) =>
      violation.table_name === 'stock_count'
        ? (sheetRows.get(violation.natural_key) ?? [`(not on the sheet) ${violation.natural_key}`]).map((at) => ({
            ...violation,
            truth_key: at,
          }))
        : [{ ...violation, truth_key: violation.natural_key }],
    )

    const waste = await flaggedWaste()
    uncertain = await countsMissingHeldBackRows()
    const measurable = (keys: string[]) => keys.filter((key) => !uncertain.includes(key))
    matrix = MATRIX.map((entry) => {
      const planted = sorted(truth.get(classOf(entry)) ?? [])
      if (entry.catcher !== STOCK_MART)
        return { entry, planted, caught: sorted(violationsOf(entry).map((v) => v.truth_key)) }
      return { entry, planted: measurable(planted), caught: measurable(sorted(waste.map((w) => w.at))) }
    })
    console.log(
      `Defect matrix, run ${runId} (scale ${GENERATOR.scale}, seed ${GENERATOR.seed}, defect rate ${GENERATOR.defectRate}):\n${formatMatrix(
        matrix.map((row) => Object.values(measures(row))),
      )}\n(${STOCK_MART}: ${uncertain.length} counts whose flag the held-back lines would change are left out)`,
    )
  })
  afterAll(async () => {
    await h?.close()
  })

  it('names every class the truth holds, so that no newly planted class goes unchecked', () => {
    const named = sorted([...MATRIX.map(classOf), ...MEASURED_ELSEWHERE])
    expect(sorted(truth.keys())).toEqual(named)
    // And every class is planted at this scale and rate: a class with no rows would prove nothing.
    for (const row of matrix) expect(row.planted.length, classOf(row.entry)).toBeGreaterThan(0)
  })

  it('catches each class of a row rule on exactly its planted rows (precision 1, recall 1)', () => {
    const rows = matrix.filter((row) => row.entry.catcher !== STOCK_MART)
    // The measures first (a readable failure), then the keys themselves.
    expect(rows.map(measures)).toEqual(rows.map(perfect))
    for (const row of rows) expect(row.caught, classOf(row.entry)).toEqual(row.planted)
  })

  it('finds the unrecorded waste in marts.stock_discrepancies on exactly the planted counts', () => {
    const rows = matrix.filter((row) => row.entry.catcher === STOCK_MART)
    // Held-back rows explain only a few counts: the measure is of the rest.
    expect(uncertain.length).toBeLessThan(
      (truth.get(classOf({ table: 'stock_count', defect: 'unrecorded_waste' })) ?? []).length / 20,
    )
    expect(rows.map(measures)).toEqual(rows.map(perfect))
    for (const row of rows) expect(row.caught, classOf(row.entry)).toEqual(row.planted)
  })

  it('fires no row rule on a row the truth says is clean', async () => {
    // Count rules (orders_single_branch) measure the source and record no violations, and table
    // checks judge whole tables: only row rules can fire on a row.
    const rules = await h.warehouse<{ rule_name: string; table_name: string }[]>`
      select rule_name, table_name from dq.rules where kind = 'row' and severity <> 'count'`
    expect(rules.map((rule) => rule.rule_name)).toEqual(
      expect.arrayContaining([...new Set(MATRIX.map((e) => e.catcher).filter((c) => c !== STOCK_MART))]),
    )
    const plantedRows = new Map<string, Set<string>>()
    for (const [name, keys] of truth) {
      const table = name.slice(0, name.indexOf('.'))
      plantedRows.set(table, new Set([...(plantedRows.get(table) ?? []), ...keys]))
    }
    const onCleanRows: Record<string, string[]> = {}
    for (const rule of rules) {
      const clean = violations
        .filter((v) => v.rule_name === rule.rule_name && !plantedRows.get(rule.table_name)?.has(v.truth_key))
        .map((v) => v.truth_key)
      if (clean.length > 0) onCleanRows[rule.rule_name] = sorted(clean)
    }
    expect(onCleanRows).toEqual({})
    // Every violation of the run belongs to a rule of the catalogue.
    const known = new Set(rules.map((rule) => rule.rule_name))
    expect(sorted(violations.filter((v) => !known.has(v.rule_name)).map((v) => v.rule_name))).toEqual([])
  })

  it('records the offending value as the POS held it, and the clean value beside it only when it differs', async () => {
    for (const entry of MATRIX.filter((e) => e.table in POS_KEYS)) {
      const caught = violationsOf(entry)
      expect(caught.length, classOf(entry)).toBeGreaterThan(0)
      const key = POS_KEYS[entry.table] as string
      for (const violation of caught) {
        const column = entry.sourceColumn ?? (violation.column_name as string)
        const [source] = await h.source.unsafe<{ value: string | null }[]>(
          `select ${column}::text as value from ${entry.table} where ${key}::text = $1`,
          [violation.natural_key],
        )
        const [clean] = await h.warehouse.unsafe<{ value: string | null }[]>(
          `select ${violation.column_name}::text as value from clean.${entry.table} where natural_key = $1`,
          [violation.natural_key],
        )
        const where = `${classOf(entry)} ${violation.natural_key}`
        expect(violation.offending_value, where).toBe(source?.value ?? null)
        // A derived column (unit_price_text) is not in the source: its clean value is the source's text.
        const cleaned = entry.sourceColumn ? null : clean?.value === source?.value ? null : (clean?.value ?? null)
        expect(violation.cleaned_value, where).toBe(cleaned)
      }
    }
  })

  it('records the offending value as the sheet cell held it', async () => {
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(path.join(h.config.sheets.dir, WORKBOOK))
    const sheet = workbook.getWorksheet('stock_count')
    if (!sheet) throw new Error(`${WORKBOOK} has no stock_count sheet`)
    const headers = (sheet.getRow(1).values as unknown[]).map((value) => String(value ?? ''))
    const cell = (at: string, column: string) => {
      const row = Number(at.slice(at.indexOf('#') + 1))
      const value = sheet.getRow(row).getCell(headers.indexOf(SHEET_HEADERS[column] as string)).value
      return value === null || value === undefined ? null : String(value)
    }
    for (const entry of MATRIX.filter((e) => e.table === 'stock_count' && e.catcher !== STOCK_MART)) {
      const planted = new Set(truth.get(classOf(entry)))
      const caught = violationsOf(entry).filter((v) => planted.has(v.truth_key))
      expect(caught.length, classOf(entry)).toBeGreaterThan(0)
      for (const violation of caught) {
        expect(violation.offending_value, `${classOf(entry)} ${violation.truth_key}`).toBe(
          cell(violation.truth_key, violation.column_name as string),
        )
      }
    }
    // The waste the mart flags is the count as typed.
    const counted = await flaggedWaste()
    expect(counted.length).toBeGreaterThan(0)
    for (const row of counted) expect(String(row.counted_qty), row.at).toBe(cell(row.at, 'counted_qty')?.trim())
  })
})
