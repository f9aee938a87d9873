// The cafe's hand-kept sheets for a generated POS: the branch list and weekly stock counts per
// product, written as staff would type them (numbers as text, dates in several formats, blank
// rows, trailing spaces, an extra notes column, headers in their own spelling). The counts
// follow the shelf: last week's stock plus what the POS recorded since, less waste nobody
// recorded (which stays gone), counted now and then one off.
// Planted defects go to seed_truth.defects under the sheet's name, keyed '<file>#<row>'.
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { en, Faker } from '@faker-js/faker'
import ExcelJS from 'exceljs'
import type { Sql } from '../lib/db.ts'
import { copyRows } from '../lib/extract/copy-rows.ts'
import { peopleCsv } from '../lib/people-csv.ts'
import { pickDefect } from './pick-defect.ts'
import { BRANCHES, MENU } from './reference-data.ts'

export type SheetFormat = 'xlsx' | 'csv'

export interface SheetsResult {
  files: string[]
  rows: { store_branch: number; stock_count: number }
  defects: Record<string, number>
}

type SheetRow = (string | number | Date | null)[]

/**
 * The least unrecorded waste planted: beyond marts.stock_discrepancies' tolerance (2 units) even
 * after a one-unit counting error on the count before, so a planted gap is always flagged.
 */
const MIN_WASTE = 4

interface Writer {
  addSheet(name: string, header: string[]): Promise<{ add(row: SheetRow): number; close(): Promise<void> }>
  close(): Promise<void>
}

/** Writes the sheets into `dir`: one workbook (xlsx) or one CSV per sheet. */
export async function generateSheets(
  pos: Sql,
  dir: string,
  options: { seed: number; defectRate: number; format: SheetFormat },
): Promise<SheetsResult> {
  await mkdir(dir, { recursive: true })
  const faker = new Faker({ locale: [en], seed: options.seed + 1 })
  const defects: [string, string, string][] = []
  const writer = options.format === 'xlsx' ? xlsxWriter(path.join(dir, 'paccafe_sheets.xlsx')) : csvWriter(dir)

  const branches = await writer.addSheet('Store Branch', ['Store ID', 'Store Name ', 'created_at', 'Notes'])
  for (const branch of BRANCHES) {
    branches.add([String(branch.storeId), `${branch.storeName}  `, branch.createdAt, faker.lorem.words(2)])
  }
  await branches.close()

  const file = options.format === 'xlsx' ? 'paccafe_sheets.xlsx' : 'stock_count.csv'
  const counts = await writer.addSheet('stock_count', [
    'count_date',
    'store_name',
    'Product ID',
    'counted_qty',
    'counted_by',
    'notes',
  ])
  let stockRows = 0
  let unknownProducts = 0
  const plant = (row: number, defect: string) => defects.push(['stock_count', `${file}#${row}`, defect])
  // Each product's stock on the shelf at its last count: the warehouse expects a count from the
  // last one it took plus the movements and sales since, so the shelf carries waste forward.
  const shelves = new Map<number, number>()
  // Products whose shelf was found fuller than the POS implies since the last count the warehouse
  // keeps (a rejected row is none): a waste planted now would be hidden by that unrecorded gain.
  const refilled = new Set<number>()
  for await (const batch of weeklyFlows(pos).cursor(1000)) {
    for (const { product_id, count_date, flow } of batch) {
      const branch = BRANCHES[Math.floor((product_id - 1) / MENU.length)] as (typeof BRANCHES)[number]
      // The POS may record more sold than it recorded restocked: a shelf is never below empty.
      const implied = (shelves.get(product_id) ?? 0) + flow
      const onShelf = Math.max(0, implied)
      if (implied < 0) refilled.add(product_id)
      shelves.set(product_id, onShelf)
      let quantity = onShelf
      // Counting errors both ways, one unit, within the mart's tolerance; the shelf stays as it was.
      if (faker.number.float() < 0.1) quantity = Math.max(0, quantity + faker.helpers.arrayElement([-1, 1]))
      let date: string | Date = formatDate(faker, count_date)
      let quantityCell: string | number = faker.number.float() < 0.3 ? ` ${quantity} ` : quantity
      let product: string | number = faker.number.float() < 0.3 ? String(product_id) : product_id
      let storeName = faker.number.float() < 0.2 ? `${branch.storeName} ` : branch.storeName
      const rate = options.defectRate
      const defect = pickDefect(faker, rate, [
        ['unrecorded_waste', onShelf >= MIN_WASTE && !refilled.has(product_id) ? 1 : 0],
        ['negative_count', 1],
        ['unknown_product', 1],
        ['unknown_branch', 1],
        ['unparseable_date', rate],
        ['unparseable_qty', rate],
      ])
      if (defect === 'unrecorded_waste') {
        // Gone from the shelf for good, and counted right: the gap is the waste alone.
        const wasted = faker.number.int({ min: MIN_WASTE, max: Math.min(MIN_WASTE + 4, onShelf) })
        shelves.set(product_id, onShelf - wasted)
        quantityCell = onShelf - wasted
      }
      if (defect === 'negative_count') quantityCell = -faker.number.int({ min: 1, max: 5 })
      // Ids of products that do not exist, one after another: two drawn at random for one
      // branch and day would repeat the count's key, and be held back as a repeat instead.
      if (defect === 'unknown_product') product = 900 + (unknownProducts++ % 99)
      if (defect === 'unknown_branch') storeName = 'Cabang Baru'
      if (defect === 'unparseable_date') date = `${count_date.slice(8, 10)}/13/${count_date.slice(0, 4)}`
      if (defect === 'unparseable_qty') quantityCell = faker.helpers.arrayElement(['abc', 'ten', '?'])
      const row = counts.add([date, storeName, product, quantityCell, faker.person.firstName(), null])
      stockRows++
      if (defect) plant(row, defect)
      // Every other planted defect gets the row rejected: only a clean or wasted count is kept.
      if (defect === undefined || defect === 'unrecorded_waste') refilled.delete(product_id)
      // Staff leave blank lines now and then.
      if (faker.number.float() < 0.01) counts.add([null, null, null, null, null, null])
    }
  }
  await counts.close()
  await writer.close()
  await copyRows(pos, 'seed_truth.defects', defects)
  const tally: Record<string, number> = {}
  for (const [table, , defect] of defects) tally[`${table}.${defect}`] = (tally[`${table}.${defect}`] ?? 0) + 1
  const files = options.format === 'xlsx' ? ['paccafe_sheets.xlsx'] : ['store_branch.csv', 'stock_count.csv']
  return { files, rows: { store_branch: BRANCHES.length, stock_count: stockRows }, defects: tally }
}

/** A date as staff type it: a real date cell, or text in one of the formats they use. */
function formatDate(faker: Faker, isoDate: string): string | Date {
  const [year, month, day] = isoDate.split('-') as [string, string, string]
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  return faker.helpers.arrayElement([
    isoDate,
    `${day}/${month}/${year}`,
    `${Number(day)} ${months[Number(month) - 1]} ${year}`,
    new Date(`${isoDate}T00:00:00Z`),
  ])
}

/**
 * What the POS recorded per product in each week up to its Sunday count, counted after closing
 * (docs/sources.md): restocks add, waste removes, completed sales remove, from the Monday after
 * the last count through the count's own day (the first count takes all before it).
 */
function weeklyFlows(pos: Sql) {
  return pos<{ product_id: number; count_date: string; flow: number }[]>`
    with weeks as (
        select generate_series(date '2023-01-08', date '2024-12-29', interval '7 days')::date as day
    ),
    flows as (
        select product_id, change_date::date as day,
               case when reason = 'Restock' then abs(quantity_change)
                    when reason in ('Damaged', 'Expired') then -abs(quantity_change)
                    else 0 end as quantity
        from inventory_tracking where product_id is not null
        union all
        select d.product_id, o.order_date::date, -d.quantity
        from order_details d join orders o using (order_id)
        where o.order_status = 'Completed' and d.product_id is not null
    ),
    -- A flow belongs to the first count on or after its day (counts are on Sundays, dow 0).
    weekly as (
        select product_id, greatest(day + ((7 - extract(dow from day)::int) % 7), date '2023-01-08') as day,
               sum(quantity) as flow
        from flows group by 1, 2
    )
    select p.product_id, to_char(w.day, 'YYYY-MM-DD') as count_date, coalesce(f.flow, 0)::int as flow
    from products p cross join weeks w
    left join weekly f on f.product_id = p.product_id and f.day = w.day
    order by w.day, p.product_id`
}

function xlsxWriter(file: string): Writer {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: false, useSharedStrings: false })
  return {
    async addSheet(name, header) {
      const sheet = workbook.addWorksheet(name)
      let rowNumber = 0
      sheet.addRow(header).commit()
      rowNumber++
      return {
        add(row) {
          sheet.addRow(row).commit()
          return ++rowNumber
        },
        async close() {
          sheet.commit()
        },
      }
    },
    async close() {
      await workbook.commit()
    },
  }
}

function csvWriter(dir: string): Writer {
  return {
    async addSheet(name, header) {
      const file = path.join(dir, `${name.toLowerCase().replace(/\s+/g, '_')}.csv`)
      const csv = peopleCsv({ cast: { date: (value) => value.toISOString().slice(0, 10) } })
      const done = new Promise<void>((resolve, reject) => {
        csv.pipe(createWriteStream(file)).on('finish', resolve).on('error', reject)
      })
      let rowNumber = 0
      csv.write(header)
      rowNumber++
      return {
        add(row) {
          csv.write(row.map((cell) => cell ?? ''))
          return ++rowNumber
        },
        async close() {
          csv.end()
          await done
        },
      }
    },
    async close() {},
  }
}
