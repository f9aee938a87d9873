// The bad-input corpus of the hand-kept sheets, through real runs: a file that cannot be read as
// the sheet (truncated, corrupt, a part cut short, XML broken half-way, a column named twice)
// fails the run at once with one non-retried line naming it, leaving staging as it was; a bad
// cell (a number too large, a formula, a date typed month first, a NUL) quarantines its row with
// a message naming file, sheet, row, column, value and expectation, while the good rows arrive;
// blanks are trimmed, hostile text and a huge cell arrive byte for byte, a million blank rows
// are skipped. After every failure the same worker runs the next run.
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readText } from '../../lib/object-store.ts'
import { generateSheets } from '../../seed/generate-sheets.ts'
import { BRANCHES } from '../../seed/reference-data.ts'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'

let h: Harness
let workbookBytes: Buffer

const HEADER = 'count_date,store_name,product_id,counted_qty,counted_by'
const HOSTILE = 'Robert\'); drop table stock_count;-- "Sari" \\N \\t 🍩 李 Ирина مرحبا'
const HUGE = 'x'.repeat(1_000_000)
// A failed run ends in a few seconds; a reading that hangs would run into the test's timeout.
const FAILS_WITHIN_MS = 20_000

const staged = async () => ({
  stock: (await h.warehouse`select count(*)::int as n, max(_extracted_at) as last from staging.stock_count`)[0],
  branches: (await h.warehouse`select count(*)::int as n, max(_extracted_at) as last from staging.store_branch`)[0],
})

/** A run fails on `file`: one non-retried line naming it, within seconds; staging is left as it was. */
async function expectFileRefused(file: string, content: string | Buffer, message: RegExp): Promise<void> {
  const before = await staged()
  const full = path.join(h.config.sheets.dir, file)
  await writeFile(full, content)
  try {
    const started = Date.now()
    const { error } = await h.runExpectingFailure('full')
    expect(Date.now() - started).toBeLessThan(FAILS_WITHIN_MS)
    expect(failureTypes(error)).toContain('BadInputError')
    expect(badInputFailure(error)?.nonRetryable, 'a bad file is not retried').toBe(true)
    const line = failureMessage(error, 'BadInputError') ?? ''
    expect(line).toMatch(message)
    expect(line).not.toContain('\n')
    expect(await staged()).toEqual(before)
  } finally {
    await rm(full)
  }
}

function badInputFailure(error: unknown): { nonRetryable?: boolean } | undefined {
  let current = error as { cause?: unknown; type?: string; nonRetryable?: boolean } | undefined
  while (current && current.type !== 'BadInputError') current = current.cause as typeof current
  return current
}

/** The demo workbook with its stock_count sheet's XML changed by `edit`. */
async function withStockSheet(edit: (xml: string) => string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(workbookBytes)
  // The stock counts are by far the largest sheet.
  const sheets = await Promise.all(
    Object.values(zip.files)
      .filter((entry) => /^xl\/worksheets\/sheet\d+\.xml$/.test(entry.name))
      .map(async (entry) => ({ name: entry.name, xml: await entry.async('string') })),
  )
  const stock = sheets.sort((a, b) => b.xml.length - a.xml.length)[0]
  if (!stock) throw new Error('the demo workbook has no worksheet')
  zip.file(stock.name, edit(stock.xml))
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
}

describe('bad sheet files', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await generateSheets(h.source, h.config.sheets.dir, { seed: 5, defectRate: 0, format: 'xlsx' })
    workbookBytes = await readFile(path.join(h.config.sheets.dir, 'paccafe_sheets.xlsx'))
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('refuses a truncated workbook at once, naming it', async () => {
    await expectFileRefused(
      'half.xlsx',
      workbookBytes.subarray(0, Math.floor(workbookBytes.length / 2)),
      /^half\.xlsx: not a readable \.xlsx workbook \(its zip directory is missing or damaged: the file is cut short or is not a workbook\)$/,
    )
  })

  it('refuses bytes that are no workbook, a zip without one, a part cut short and XML broken half-way', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
    await expectFileRefused('noise.xlsx', noise, /^noise\.xlsx: not a readable \.xlsx workbook \(its zip directory/)
    const zip = new JSZip().file('notes.txt', 'not a workbook')
    await expectFileRefused(
      'notes.xlsx',
      await zip.generateAsync({ type: 'nodebuffer' }),
      /^notes\.xlsx: not a readable \.xlsx workbook \(a zip file without xl\/workbook\.xml\)$/,
    )
    await expectFileRefused(
      'cut_sheet.xlsx',
      await withStockSheet((xml) => xml.slice(0, Math.floor(xml.length * 0.6))),
      /^cut_sheet\.xlsx: not a readable \.xlsx workbook \(its part xl\/worksheets\/sheet\d\.xml is damaged: the XML ends before its root element <worksheet> is closed: the part is cut short\)$/,
    )
    await expectFileRefused(
      'broken_xml.xlsx',
      await withStockSheet((xml) => xml.replace('<row r="40"', '<row r="40" <<')),
      /^broken_xml\.xlsx, sheet "stock_count": not a readable \.xlsx workbook \(damaged (after row \d+|before any row could be read): XML error at line \d+, column \d+: .+\)$/,
    )
  })

  it('refuses a header that names a declared column twice, naming both cells', async () => {
    await expectFileRefused(
      'stock_count_twice.csv',
      `${HEADER},counted_qty\n2025-03-01,Laci Coffee,20,3,Sari,30\n`,
      /^stock_count_twice\.csv, sheet "stock_count": column counted_qty is named twice in the header: "counted_qty" in column D and "counted_qty" in column F; keep one, so no value is dropped$/,
    )
    const book = new ExcelJS.Workbook()
    // The branches as staged already, so that only the stock count sheet is news.
    book
      .addWorksheet('store_branch')
      .addRows([
        ['store_id', 'store_name', 'created_at'],
        ...BRANCHES.map((b) => [b.storeId, b.storeName, b.createdAt]),
      ])
    book.addWorksheet('Stock Count').addRows([
      ['Counted Qty', 'count_date', 'store_name', 'product_id', 'counted_qty'],
      [3, '2025-03-01', 'Laci Coffee', 20, 30],
    ])
    await expectFileRefused(
      'counts_twice.xlsx',
      Buffer.from(await book.xlsx.writeBuffer()),
      /^counts_twice\.xlsx, sheet "Stock Count": column counted_qty is named twice in the header: "Counted Qty" in column A and "counted_qty" in column E; keep one, so no value is dropped$/,
    )
  })

  it('quarantines bad cells, trims blanks, keeps hostile text and huge cells, skips blank rows, reads many date formats', async () => {
    const blankRows = ',,,,\n'.repeat(1_000_000)
    const rows = [
      HEADER,
      '2025-03-01,Laci Coffee,20,99999999999,Sari', // 2: too large for an integer
      '2025-03-01,"=HYPERLINK(""http://x.example"",""Laci"")",21,3,Sari', // 3: formulas as text
      `2025-03-01,Laci Coffee,22,3,"+cmd|' /C calc'!A0"`, // 4
      '2025-03-01,Laci Coffee,26,3,@SUM(A1:A9)', // 5
      '2025-03-01,Laci Coffee,27,-2+3,-2+3', // 6: a sum is neither an integer nor text
      '11/25/2025,Laci Coffee,28,3,Sari', // 7: month first: refused, not guessed
      '30/02/2025,Laci Coffee,29,3,Sari', // 8: no such day
      '25/03/25,Laci Coffee,31,3,Sari', // 9: a two-digit year: refused, not guessed
      '2025-03-01,Laci Coffee,32,3,Sari\u0000Dewi', // 10: a NUL, which PostgreSQL cannot store
      `\t2025-03-01\u00a0,\u00a0Laci Coffee\t, 23 ,\u20074\u3000,\u200b\ufeffSari\u202f`, // 11
      `2025-03-01,Laci Coffee,24,5,"${HOSTILE.replaceAll('"', '""')}"`,
      `2025-03-01,Laci Coffee,25,6,${HUGE}`,
      '25/03/2025,Setara Coffee,30,1,Sari',
      '26-03-2025,Setara Coffee,30,1,Sari',
      '27.03.2025,Setara Coffee,30,1,Sari',
      '2025/03/28,Setara Coffee,30,1,Sari',
      '29 Mar 2025,Setara Coffee,30,1,Sari',
      '"Mar 30, 2025",Setara Coffee,30,1,Sari',
      '45747,Setara Coffee,30,1,Sari', // an Excel serial day: 2025-03-31
      '03/04/2025,Setara Coffee,30,-3,Sari', // day first: 3 April; a negative count is the rules' call
    ]
    await writeFile(path.join(h.config.sheets.dir, 'stock_count_corpus.csv'), `${rows.join('\n')}\n${blankRows}`)
    const branches = ['store_id,store_name', `4,"${HOSTILE.replaceAll('"', '""')}"`, '99999999999,Big Branch']
    await writeFile(path.join(h.config.sheets.dir, 'store_branch_extra.csv'), `${branches.join('\n')}\n`)
    const { runId } = await h.run('full')

    const object = await readText(
      h.store,
      `quarantine/run=${runId}/table=stock_count/rule=stock_count_cells_parse.jsonl`,
    )
    const messages = object
      .trim()
      .split('\n')
      .flatMap((line) => (JSON.parse(line) as { errors: { message: string }[] }).errors.map((e) => e.message))
    const at = (row: number, column: string) =>
      `stock_count_corpus.csv, sheet "stock_count", row ${row}, column ${column}`
    const formula = 'is not text that a spreadsheet would not run as a formula'
    const date = 'is not a date such as 2024-11-25 or 25/11/2024 (day first)'
    expect(messages).toEqual([
      `${at(2, 'counted_qty')}: "99999999999" is not an integer from -2147483648 to 2147483647`,
      `${at(3, 'store_name')}: "=HYPERLINK(\\"http://x.example\\",\\"Laci\\")" ${formula}`,
      `${at(4, 'counted_by')}: "+cmd|' /C calc'!A0" ${formula}`,
      `${at(5, 'counted_by')}: "@SUM(A1:A9)" ${formula}`,
      `${at(6, 'counted_qty')}: "-2+3" is not an integer such as 12`,
      `${at(6, 'counted_by')}: "-2+3" ${formula}`,
      `${at(7, 'count_date')}: "11/25/2025" ${date}`,
      `${at(8, 'count_date')}: "30/02/2025" ${date}`,
      `${at(9, 'count_date')}: "25/03/25" ${date}`,
      `${at(10, 'counted_by')}: "Sari\u2400Dewi" is not text without NUL characters (PostgreSQL cannot store them)`,
    ])
    const [archived] = await h.warehouse`
      select row_count from dq.quarantine_objects where run_id = ${runId} and rule_name = 'stock_count_cells_parse'`
    expect(archived?.row_count).toBe(9)

    const stock = await h.warehouse<
      { count_date: string; store_name: string; product_id: string; counted_qty: string; counted_by: string }[]
    >`
      select count_date, store_name, product_id, counted_qty, counted_by from staging.stock_count
      where _source_file = 'stock_count_corpus.csv' order by _source_row`
    expect(stock.map((row) => [row.count_date, row.store_name, row.product_id, row.counted_qty])).toEqual([
      ['2025-03-01', 'Laci Coffee', '23', '4'],
      ['2025-03-01', 'Laci Coffee', '24', '5'],
      ['2025-03-01', 'Laci Coffee', '25', '6'],
      ['2025-03-25', 'Setara Coffee', '30', '1'],
      ['2025-03-26', 'Setara Coffee', '30', '1'],
      ['2025-03-27', 'Setara Coffee', '30', '1'],
      ['2025-03-28', 'Setara Coffee', '30', '1'],
      ['2025-03-29', 'Setara Coffee', '30', '1'],
      ['2025-03-30', 'Setara Coffee', '30', '1'],
      ['2025-03-31', 'Setara Coffee', '30', '1'],
      ['2025-04-03', 'Setara Coffee', '30', '-3'],
    ])
    expect(stock[0]?.counted_by).toBe('Sari')
    expect(stock[1]?.counted_by).toBe(HOSTILE)
    expect(stock[2]?.counted_by).toBe(HUGE)

    const branchRows = await h.warehouse`
      select store_id, store_name from staging.store_branch where _source_file = 'store_branch_extra.csv'`
    expect(branchRows).toEqual([{ store_id: '4', store_name: HOSTILE }])
    const [tooLarge] = await h.warehouse`
      select column_name, offending_value from dq.violations
      where run_id = ${runId} and rule_name = 'store_branch_cells_parse'`
    expect(tooLarge).toEqual({ column_name: 'store_id', offending_value: '99999999999' })

    const [count] = await h.warehouse`
      select f.counted_qty from warehouse.fct_stock_counts as f
      join warehouse.dim_products as p on p.sk_product_id = f.sk_product_id
      where p.nk_product_id = 23 and f.count_date_id = 20250301`
    expect(count?.counted_qty).toBe(4)
    const accounting = await h.warehouse<{ table_name: string; difference: number }[]>`
      select table_name, difference from etl.row_accounting where run_id = ${runId}`
    for (const row of accounting) expect(row.difference, row.table_name).toBe(0)
  })
})
