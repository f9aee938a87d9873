// The bad-input corpus of the hand-kept sheets, through real runs: a file that cannot be read as
// the sheet (truncated, corrupt, a column named twice) fails the run at once with one line
// naming it, leaving staging as it was; a bad cell (a number too large, a formula, a date
// typed month first) quarantines its row while the good rows arrive; blanks are trimmed,
// hostile text and a huge cell arrive byte for byte, a million blank rows are skipped. After
// every failure the same worker runs the next run.
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSheets } from '../../seed/generate-sheets.ts'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'

let h: Harness
let workbookBytes: Buffer

const HEADER = 'count_date,store_name,product_id,counted_qty,counted_by'
const HOSTILE = 'Robert\'); drop table stock_count;-- "Sari" 🍩 李 Ирина'
const HUGE = 'x'.repeat(1_000_000)

const stagedCounts = async () =>
  (await h.warehouse`select count(*)::int as n, max(_extracted_at) as last from staging.stock_count`)[0]

/** A run fails on `file`: one non-retryable line naming it; staging is left as it was. */
async function expectFileRefused(file: string, content: string | Buffer, message: RegExp): Promise<void> {
  const before = await stagedCounts()
  const full = path.join(h.config.sheets.dir, file)
  await writeFile(full, content)
  try {
    const { error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('BadInputError')
    const line = failureMessage(error, 'BadInputError') ?? ''
    expect(line).toMatch(message)
    expect(line).not.toContain('\n')
    expect(await stagedCounts()).toEqual(before)
  } finally {
    await rm(full)
  }
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
      /^half\.xlsx: not a readable \.xlsx workbook \(its zip directory is missing or damaged: the file is cut short/,
    )
  })

  it('refuses bytes that are no workbook, and a zip that holds no workbook', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
    await expectFileRefused('noise.xlsx', noise, /^noise\.xlsx: not a readable \.xlsx workbook/)
    const zip = new JSZip().file('notes.txt', 'not a workbook')
    await expectFileRefused(
      'notes.xlsx',
      await zip.generateAsync({ type: 'nodebuffer' }),
      /^notes\.xlsx: not a readable \.xlsx workbook \(a zip file without xl\/workbook\.xml\)$/,
    )
  })

  it('refuses a CSV that names a column twice, naming both cells', async () => {
    await expectFileRefused(
      'stock_count_twice.csv',
      `${HEADER},counted_qty\n2025-03-01,Laci Coffee,20,3,Sari,30\n`,
      /^stock_count_twice\.csv, sheet "stock_count": column counted_qty is named twice in the header: "counted_qty" in column D and "counted_qty" in column F/,
    )
  })

  it('quarantines bad cells, trims blanks, keeps hostile text and huge cells, skips blank rows, reads many date formats', async () => {
    const blankRows = ',,,,\n'.repeat(1_000_000)
    const rows = [
      HEADER,
      '2025-03-01,Laci Coffee,20,99999999999,Sari', // too large for an integer
      '2025-03-01,"=HYPERLINK(""http://x.example"",""Laci"")",21,3,Sari', // a formula as text
      '11/25/2025,Laci Coffee,22,3,Sari', // month first: refused, not guessed
      `\t2025-03-01\u00a0,\u00a0Laci Coffee\t, 23 ,\u20074\u3000,Sari`,
      `2025-03-01,Laci Coffee,24,5,"${HOSTILE.replaceAll('"', '""')}"`,
      `2025-03-01,Laci Coffee,25,6,${HUGE}`,
      '25/03/2025,Setara Coffee,30,1,Sari',
      '26-03-2025,Setara Coffee,30,1,Sari',
      '27.03.2025,Setara Coffee,30,1,Sari',
      '2025/03/28,Setara Coffee,30,1,Sari',
      '29 Mar 2025,Setara Coffee,30,1,Sari',
      '"Mar 30, 2025",Setara Coffee,30,1,Sari',
      '45747,Setara Coffee,30,1,Sari', // an Excel serial day: 2025-03-31
    ]
    await writeFile(path.join(h.config.sheets.dir, 'stock_count_corpus.csv'), `${rows.join('\n')}\n${blankRows}`)
    const { runId } = await h.run('full')

    const violations = await h.warehouse<{ column_name: string; offending_value: string }[]>`
      select column_name, offending_value from dq.violations
      where run_id = ${runId} and rule_name = 'stock_count_cells_parse' order by column_name`
    expect(violations).toEqual([
      { column_name: 'count_date', offending_value: '11/25/2025' },
      { column_name: 'counted_qty', offending_value: '99999999999' },
      { column_name: 'store_name', offending_value: '=HYPERLINK("http://x.example","Laci")' },
    ])
    const [archived] = await h.warehouse`
      select row_count from dq.quarantine_objects where run_id = ${runId} and rule_name = 'stock_count_cells_parse'`
    expect(archived?.row_count).toBe(3)

    const staged = await h.warehouse<
      { count_date: string; store_name: string; product_id: string; counted_qty: string; counted_by: string }[]
    >`
      select count_date, store_name, product_id, counted_qty, counted_by from staging.stock_count
      where _source_file = 'stock_count_corpus.csv' order by _source_row`
    expect(staged.map((row) => [row.count_date, row.store_name, row.product_id, row.counted_qty])).toEqual([
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
    ])
    expect(staged[1]?.counted_by).toBe(HOSTILE)
    expect(staged[2]?.counted_by).toBe(HUGE)
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
