// Hand-kept sheets through a real pipeline run: rows that do not parse are quarantined with
// their file, row, column and value while the good rows arrive; a file is ingested once; files
// dropped in the bucket's landing prefix are read too; a file that is not the sheet at all
// fails the run with one clear error and leaves staging as it was; a workbook read for longer
// than the heartbeat timeout keeps heartbeating and arrives whole.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readText } from '../../lib/object-store.ts'
import { generateSheets } from '../../seed/generate-sheets.ts'
import { BRANCHES } from '../../seed/reference-data.ts'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'

let h: Harness

// A workbook read for several heartbeat timeouts: it must heartbeat, not be killed as dead.
const HEARTBEAT_SECONDS = 2
// Big enough that even a quiet machine reads it for over twice the timeout.
const LARGE_ROWS = 150_000

const batchOf = async (runId: string, sheet: string) =>
  (
    await h.warehouse`
    select rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, status
    from etl.batches where batch_id = ${`${runId}.${sheet}`}`
  )[0]

describe('ingesting the hand-kept sheets', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await generateSheets(h.source, h.config.sheets.dir, { seed: 3, defectRate: 0.05, format: 'xlsx' })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('stages the good rows and quarantines exactly the rows whose cells do not parse', async () => {
    const { runId } = await h.run('full')
    const planted = await h.source<{ natural_key: string }[]>`
      select natural_key from seed_truth.defects
      where table_name = 'stock_count' and defect in ('unparseable_date', 'unparseable_qty') order by 1`
    expect(planted.length).toBeGreaterThan(0)
    const batch = await batchOf(runId, 'stock_count')
    expect(batch?.rows_rejected).toBe(planted.length)
    expect(batch?.rows_inserted).toBe((batch?.rows_read ?? 0) - planted.length)
    const [staged] = await h.warehouse`select count(*)::int as n from staging.stock_count`
    expect(staged?.n).toBe(batch?.rows_inserted)
    expect((await batchOf(runId, 'store_branch'))?.rows_inserted).toBe(3)

    const object = await readText(
      h.store,
      `quarantine/run=${runId}/table=stock_count/rule=stock_count_cells_parse.jsonl`,
    )
    const lines = object
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.map((line) => `${line.file}#${line.row_number}`).sort()).toEqual(planted.map((p) => p.natural_key))
    for (const line of lines) {
      expect(line.errors[0].message).toMatch(
        /^paccafe_sheets\.xlsx, sheet "stock_count", row \d+, column (count_date|counted_qty): /,
      )
    }
    const violations = await h.warehouse`
      select column_name, offending_value from dq.violations where rule_name = 'stock_count_cells_parse'`
    expect(violations.length).toBe(planted.length)
    expect(violations.map((v) => v.column_name).sort()[0]).toMatch(/count_date|counted_qty/)
  })

  it('does not ingest a file twice', async () => {
    const { runId } = await h.run('full')
    expect(await batchOf(runId, 'stock_count')).toMatchObject({ rows_read: 0, rows_inserted: 0, status: 'staged' })
  })

  it('reads CSV files dropped in the landing prefix; a repeated key is held back, a bad row quarantined', async () => {
    const csv = [
      'Count Date,Store Name,product_id,Counted Qty,counted_by,extra',
      '2025-01-05,Laci Coffee,20,12,Ayu,x',
      '',
      '05/01/2025,Laci Coffee, 21 ,7 ,Ayu,',
      '2025-01-05,Laci Coffee,20,13,Budi,again',
      '2025-01-05,Laci Coffee,22,lots,Budi,',
    ].join('\n')
    await h.store.client.putObject(h.store.bucket, 'landing/stock_count_2025-01.csv', Buffer.from(csv))
    const { runId } = await h.run('full')
    expect(await batchOf(runId, 'stock_count')).toMatchObject({ rows_read: 4, rows_inserted: 2, rows_rejected: 2 })
    const staged = await h.warehouse`
      select _natural_key, counted_qty, _source_file, _source_row from staging.stock_count
      where _batch_id = ${`${runId}.stock_count`} order by 1`
    expect(staged).toEqual([
      {
        _natural_key: '2025-01-05|Laci Coffee|20',
        counted_qty: '12',
        _source_file: `s3://${h.store.bucket}/landing/stock_count_2025-01.csv`,
        _source_row: 2,
      },
      {
        _natural_key: '2025-01-05|Laci Coffee|21',
        counted_qty: '7',
        _source_file: `s3://${h.store.bucket}/landing/stock_count_2025-01.csv`,
        _source_row: 4,
      },
    ])
    const repeated = await h.warehouse`
      select natural_key, offending_value from dq.violations
      where rule_name = 'stock_count_natural_key_unique' and run_id = ${runId}`
    expect(repeated).toEqual([
      {
        natural_key: '2025-01-05|Laci Coffee|20',
        offending_value: `s3://${h.store.bucket}/landing/stock_count_2025-01.csv#5`,
      },
    ])
    const [bad] = await h.warehouse`
      select natural_key, column_name, offending_value from dq.violations
      where rule_name = 'stock_count_cells_parse' and run_id = ${runId}`
    expect(bad).toEqual({
      natural_key: '2025-01-05|Laci Coffee|22',
      column_name: 'counted_qty',
      offending_value: 'lots',
    })
  })

  it('fails the run on a file that is not a workbook, naming it, and leaves staging as it was', async () => {
    const [before] = await h.warehouse`select count(*)::int as n, max(_extracted_at) as last from staging.stock_count`
    const broken = path.join(h.config.sheets.dir, 'counts_december.xlsx')
    await writeFile(broken, 'this is not a zip file')
    // a good new file beside it must not be half-ingested either
    await h.store.client.putObject(
      h.store.bucket,
      'landing/stock_count_2025-02.csv',
      Buffer.from('count_date,store_name,product_id,counted_qty\n2025-02-02,Laci Coffee,20,3\n'),
    )
    const { runId, error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('BadInputError')
    expect(failureMessage(error, 'BadInputError')).toMatch(/^counts_december\.xlsx: not a readable \.xlsx workbook/)
    const [after] = await h.warehouse`select count(*)::int as n, max(_extracted_at) as last from staging.stock_count`
    expect(after).toEqual(before)
    expect((await batchOf(runId, 'stock_count'))?.status).toBe('loading')
    await rm(broken)
  })
})

describe('a large workbook', () => {
  let large: Harness
  beforeAll(async () => {
    large = await createHarness({ scale: 0.1 })
  })
  afterAll(async () => {
    await large?.close()
  })

  it('is read for longer than the heartbeat timeout, heartbeating, and arrives whole', async () => {
    const products = (await large.source<{ id: number }[]>`select product_id as id from products order by 1`).map(
      (row) => row.id,
    )
    const file = path.join(large.config.sheets.dir, 'stock_count_large.xlsx')
    await mkdir(large.config.sheets.dir, { recursive: true })
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true })
    const branches = writer.addWorksheet('store_branch')
    branches.addRow(['store_id', 'store_name', 'created_at']).commit()
    for (const branch of BRANCHES) branches.addRow([branch.storeId, branch.storeName, branch.createdAt]).commit()
    await branches.commit()
    const counts = writer.addWorksheet('stock_count')
    counts.addRow(['count_date', 'store_name', 'product_id', 'counted_qty', 'counted_by']).commit()
    let rows = 0
    for (let day = 0; rows < LARGE_ROWS; day++) {
      const date = new Date(Date.UTC(2021, 0, 1 + day))
      for (const branch of BRANCHES) {
        for (const product of products) {
          counts.addRow([date, branch.storeName, product, (day + product) % 40, 'Budi']).commit()
          rows += 1
        }
      }
    }
    await counts.commit()
    await writer.commit()

    const { runId, workflow } = await large.start('full', HEARTBEAT_SECONDS)
    await workflow.result()
    const [batch] = await large.warehouse`
      select rows_read, rows_rejected from etl.batches where batch_id = ${`${runId}.stock_count`}`
    expect(batch).toEqual({ rows_read: rows, rows_rejected: 0 })
    const [step] = await large.warehouse`
      select duration_ms from etl.steps where run_id = ${runId} and step = 'extract' and table_name = 'stock_count'`
    // Otherwise the heartbeats were never needed, and the test would prove nothing.
    expect(step?.duration_ms).toBeGreaterThan(HEARTBEAT_SECONDS * 1000 * 2)
  })
})
