// Specifications of the spreadsheet reader, against a corpus of hand-kept sheets with the defects
// staff produce, written to a temporary folder by the tests themselves.
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import archiver from 'archiver'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BadInputError } from '../../lib/errors.ts'
import { bounded, stalledError } from '../../lib/sheets/bounded-reading.ts'
import { NO_NUL, UTF8_TEXT } from '../../lib/sheets/cells.ts'
import { describeSheetError, readSheetRows, type SheetRow } from '../../lib/sheets/read-sheet.ts'
import { type SheetSpec, stockCountSheet, storeBranchSheet } from '../../lib/sheets/sheet-specs.ts'

let folder: string

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'paccafe-sheets-'))
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

type Cells = unknown[]

/** Writes a workbook with one worksheet per entry; `shape` may merge cells or set formats. */
async function workbook(
  file: string,
  sheets: Record<string, Cells[]>,
  shape?: (book: ExcelJS.Workbook) => void,
): Promise<string> {
  const book = new ExcelJS.Workbook()
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name)
    rows.forEach((cells, index) => {
      sheet.getRow(index + 1).values = cells as ExcelJS.CellValue[]
    })
  }
  shape?.(book)
  const full = path.join(folder, file)
  await book.xlsx.writeFile(full)
  return full
}

async function textFile(file: string, text: string | Buffer): Promise<string> {
  const full = path.join(folder, file)
  await writeFile(full, text)
  return full
}

async function readAll(file: string, spec: SheetSpec = stockCountSheet): Promise<SheetRow[]> {
  const rows: SheetRow[] = []
  for await (const row of readSheetRows(file, spec)) rows.push(row)
  return rows
}

/** The whole-file error reading `file` throws, after checking it is one line and nothing came out first. */
async function fileError(file: string, spec: SheetSpec = stockCountSheet): Promise<string> {
  let yielded = 0
  try {
    for await (const _row of readSheetRows(file, spec)) yielded += 1
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError)
    expect(yielded).toBe(0)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`reading ${file} did not fail`)
}

/** The parts of an .xlsx (a zip), by name. */
async function xlsxParts(file: string): Promise<Record<string, Buffer>> {
  const zip = await JSZip.loadAsync(await readFile(file))
  const parts: Record<string, Buffer> = {}
  for (const entry of Object.values(zip.files)) if (!entry.dir) parts[entry.name] = await entry.async('nodebuffer')
  return parts
}

/** Writes a zip whose entries are stored in exactly the order given. */
async function zipInOrder(file: string, entries: [string, Buffer][]): Promise<void> {
  const archive = archiver('zip')
  const done = new Promise<void>((resolve, reject) => {
    archive.pipe(createWriteStream(file)).on('close', resolve).on('error', reject)
  })
  for (const [name, data] of entries) archive.append(data, { name })
  await archive.finalize()
  await done
}

const values = (rows: SheetRow[]) => rows.map((row) => row.values)
const STOCK_HEADER = ['count_date', 'store_name', 'product_id', 'counted_qty', 'counted_by']
const utc = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  new Date(Date.UTC(year, month - 1, day, hour, minute))

describe('a stock_count workbook', () => {
  it('gives canonical text for whatever staff typed: numbers as text, dates in several formats, spaces', async () => {
    const file = await workbook('typed.xlsx', {
      stock_count: [
        STOCK_HEADER,
        [utc(2024, 11, 25), 'Kemang', 12, 30, 'Budi'],
        ['25/11/2024', ' Kemang ', '12 ', '1,234', '  Sari  '],
        ['2024/11/26', { richText: [{ text: 'Ke' }, { text: 'mang' }] }, { formula: '10+3', result: 13 }, '12.0'],
        [45621, 'Senopati', '7', -2, { text: 'Budi', hyperlink: 'mailto:budi@example.com' }],
        ['25 Nov 2024', 'Senopati', 8, 0],
        ['26-Nov-2024', 'Senopati', 8, 1],
        ['5/1/2025', 'Senopati', 8, 2],
      ],
    })
    const rows = await readAll(file)
    expect(values(rows)).toEqual([
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '30', counted_by: 'Budi' },
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '1234', counted_by: 'Sari' },
      { count_date: '2024-11-26', store_name: 'Kemang', product_id: '13', counted_qty: '12', counted_by: null },
      { count_date: '2024-11-25', store_name: 'Senopati', product_id: '7', counted_qty: '-2', counted_by: 'Budi' },
      { count_date: '2024-11-25', store_name: 'Senopati', product_id: '8', counted_qty: '0', counted_by: null },
      { count_date: '2024-11-26', store_name: 'Senopati', product_id: '8', counted_qty: '1', counted_by: null },
      { count_date: '2025-01-05', store_name: 'Senopati', product_id: '8', counted_qty: '2', counted_by: null },
    ])
    expect(rows.every((row) => row.errors.length === 0)).toBe(true)
    expect(rows.map((row) => row.rowNumber)).toEqual([2, 3, 4, 5, 6, 7, 8])
    expect(rows[1]?.raw).toEqual({
      count_date: '25/11/2024',
      store_name: 'Kemang',
      product_id: '12',
      counted_qty: '1,234',
      counted_by: 'Sari',
    })
    expect(rows[0]?.naturalKey).toBe('2024-11-25|Kemang|12')
    expect(rows[0]?.sheet).toBe('stock_count')
  })

  it('reads a date cell formatted as a date, and a date formula, as the day they show', async () => {
    const file = await workbook('formatted.xlsx', { stock_count: [STOCK_HEADER] }, (book) => {
      const sheet = book.getWorksheet('stock_count')
      if (!sheet) throw new Error('no sheet')
      sheet.addRow([utc(2024, 11, 25), 'Kemang', 1, 1])
      sheet.addRow([{ formula: 'DATE(2024,11,26)', result: utc(2024, 11, 26) }, 'Kemang', 2, 1])
      sheet.getColumn(1).numFmt = 'dd/mm/yyyy'
    })
    expect((await readAll(file)).map((row) => row.values.count_date)).toEqual(['2024-11-25', '2024-11-26'])
  })

  it('skips blank rows, and rows of spaces, but keeps the row numbers the spreadsheet shows', async () => {
    const file = await workbook('blank-rows.xlsx', {
      stock_count: [
        [],
        STOCK_HEADER,
        ['2024-11-25', 'Kemang', 1, 5],
        [],
        ['  ', ' ', null, ''],
        ['2024-11-25', 'Kemang', 2, 6],
        [],
      ],
    })
    const rows = await readAll(file)
    expect(rows.map((row) => [row.rowNumber, row.values.product_id])).toEqual([
      [3, '1'],
      [6, '2'],
    ])
  })

  it('finds columns in any order and any spelling, and ignores extra columns', async () => {
    const file = await workbook('reordered.xlsx', {
      stock_count: [
        ['Notes', 'Product ID', 'COUNT DATE', 'counted-qty', ' Store Name ', 'Counted_By', 'Supplier'],
        ['recount', '12', '25/11/2024', '3', 'Kemang', 'Sari', 'PT Kopi'],
      ],
    })
    expect(values(await readAll(file))).toEqual([
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '3', counted_by: 'Sari' },
    ])
  })

  it('reads merged header cells: the empty cells a merge leaves are ignored', async () => {
    const file = await workbook(
      'merged-header.xlsx',
      {
        stock_count: [
          ['count_date', 'store_name', 'left over', 'product_id', 'counted_qty', 'counted_by'],
          ['2024-11-25', 'Kemang', 'x', '12', '3', 'Sari'],
        ],
      },
      (book) => book.getWorksheet('stock_count')?.mergeCells('B1:C1'),
    )
    expect(values(await readAll(file))).toEqual([
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '3', counted_by: 'Sari' },
    ])
  })

  it('refuses a header that names a declared column twice, naming both cells, instead of dropping one', async () => {
    const csv = await textFile(
      'twice.csv',
      'count_date,store_name,product_id,counted_qty,counted_by,Counted Qty\n2024-11-25,Kemang,12,3,Sari,999\n',
    )
    expect(await fileError(csv)).toBe(
      'twice.csv, sheet "stock_count": column counted_qty is named twice in the header: "counted_qty" in column D ' +
        'and "Counted Qty" in column F; keep one, so no value is dropped',
    )
    const book = await workbook('twice.xlsx', {
      stock_count: [
        ['count_date', 'store_name', 'product_id', 'counted_qty', 'counted_qty', 'counted_by'],
        ['2024-11-25', 'Kemang', '12', '3', '999', 'Sari'],
      ],
    })
    expect(await fileError(book)).toMatch(
      /column counted_qty is named twice in the header: "counted_qty" in column D and "counted_qty" in column E/,
    )
  })

  it('ignores a column it does not know, however often the header repeats it (a merged cell repeats its text)', async () => {
    const csv = await textFile(
      'notes-twice.csv',
      'count_date,notes,store_name,notes,product_id,counted_qty,Notes\n2024-11-25,a,Kemang,b,12,3,c\n',
    )
    expect(values(await readAll(csv))).toEqual([
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '3', counted_by: null },
    ])
  })

  it('reads a missing optional column as null, without an error', async () => {
    const file = await workbook('no-counted-by.xlsx', {
      stock_count: [STOCK_HEADER.slice(0, 4), ['2024-11-25', 'Kemang', 12, 3]],
    })
    const [row] = await readAll(file)
    expect(row?.values.counted_by).toBeNull()
    expect(row?.raw.counted_by).toBeNull()
    expect(row?.errors).toEqual([])
  })

  it('reports each bad cell with its row, column and value, and still gives the good rows', async () => {
    const file = await workbook('bad-cells.xlsx', {
      stock_count: [
        STOCK_HEADER,
        ['2024-11-25', 'Kemang', 1, 5, 'Budi'],
        ['2024-11-25', 'Kemang', 2, 'abc', 'Budi'],
        ['2024-02-30', 'Kemang', 3, 5],
        ['2024-11-25', '   ', 4, '12 pcs'],
        ['11/25/2024', 'Kemang', 5, -3],
        [null, null, null, null, 'Budi'],
        ['2024-11-25', 'Kemang', 6, 7, { formula: 'VLOOKUP(A1,B:C,2)', result: { error: '#N/A' } }],
      ],
    })
    const rows = await readAll(file)
    expect(rows.map((row) => [row.rowNumber, row.naturalKey, row.errors])).toEqual([
      [2, '2024-11-25|Kemang|1', []],
      [3, '2024-11-25|Kemang|2', [{ column: 'counted_qty', value: 'abc', expected: 'an integer such as 12' }]],
      [
        4,
        'bad-cells.xlsx#4',
        [{ column: 'count_date', value: '2024-02-30', expected: expect.stringContaining('a date') }],
      ],
      [
        5,
        'bad-cells.xlsx#5',
        [
          { column: 'store_name', value: null, expected: 'a value' },
          { column: 'counted_qty', value: '12 pcs', expected: 'an integer such as 12' },
        ],
      ],
      [
        6,
        'bad-cells.xlsx#6',
        [{ column: 'count_date', value: '11/25/2024', expected: expect.stringContaining('day first') }],
      ],
      [
        7,
        'bad-cells.xlsx#7',
        [
          { column: 'count_date', value: null, expected: 'a value' },
          { column: 'store_name', value: null, expected: 'a value' },
          { column: 'product_id', value: null, expected: 'a value' },
          { column: 'counted_qty', value: null, expected: 'a value' },
        ],
      ],
      // exceljs' streaming reader loses a formula's error result: the formula is all there is to show.
      [8, '2024-11-25|Kemang|6', [{ column: 'counted_by', value: '=VLOOKUP(A1,B:C,2)', expected: 'text' }]],
    ])
    // The good cells of a bad row are kept; the bad ones are null, their text in raw.
    expect(rows[1]?.values).toMatchObject({ count_date: '2024-11-25', product_id: '2', counted_qty: null })
    expect(rows[1]?.raw.counted_qty).toBe('abc')
    // A negative count is the rules' business, not the reader's.
    expect(rows[4]?.values.counted_qty).toBe('-3')
  })

  it.each([['stock_count'], ['Stock Count'], ['stock_count '], ['STOCKCOUNT'], ['Stock-Count']])(
    'finds the sheet named %j among others',
    async (name) => {
      const file = await workbook(`named-${name.trim().replace(/\s/g, '_')}.xlsx`, {
        Notes: [
          ['count_date', 'store_name', 'product_id', 'counted_qty'],
          ['2024-01-01', 'Old', 9, 9],
        ],
        [name]: [STOCK_HEADER, ['2024-11-25', 'Kemang', 12, 3]],
        Summary: [['total'], [3]],
      })
      const rows = await readAll(file)
      expect(rows.map((row) => [row.sheet, row.values.store_name])).toEqual([[name, 'Kemang']])
    },
  )

  it('reads a renamed sheet: the first sheet whose header has every required column', async () => {
    const file = await workbook('renamed.xlsx', {
      Summary: [
        ['store', 'total'],
        ['Kemang', 3],
      ],
      'Hitung Stok': [
        ['Count Date', 'Store Name', 'Product ID', 'Counted Qty'],
        ['25/11/2024', 'Kemang', 12, 3],
      ],
      Copy: [STOCK_HEADER, ['2024-01-01', 'Old', 9, 9]],
    })
    const rows = await readAll(file)
    expect(rows.map((row) => [row.sheet, row.rowNumber, row.naturalKey])).toEqual([
      ['Hitung Stok', 2, '2024-11-25|Kemang|12'],
    ])
  })

  it('prefers the sheet with the right name over an earlier sheet with the right header', async () => {
    const file = await workbook('name-first.xlsx', {
      'Stock count (old)': [STOCK_HEADER, ['2023-01-01', 'Old', 9, 9]],
      'Stock Count': [STOCK_HEADER, ['2024-11-25', 'Kemang', 12, 3]],
    })
    expect((await readAll(file)).map((row) => row.values.store_name)).toEqual(['Kemang'])
  })

  it('reads a workbook whose list of sheets is stored after the sheets themselves', async () => {
    // Zip writers may store a workbook's parts in any order; exceljs' own writer sometimes puts
    // xl/workbook.xml (the sheet names) after the worksheets and the shared strings.
    const written = await workbook('parts-in-order.xlsx', {
      notes: [['a'], ['b']],
      stock_count: [STOCK_HEADER, ['2024-11-25', 'Kemang', 12, 3]],
    })
    const parts = await xlsxParts(written)
    const order = [
      ...Object.keys(parts).filter((name) => !/^xl\/(worksheets\/|workbook\.xml$|sharedStrings\.xml$)/.test(name)),
      'xl/sharedStrings.xml',
      ...Object.keys(parts).filter((name) => name.startsWith('xl/worksheets/')),
      'xl/workbook.xml',
    ]
    const file = path.join(folder, 'workbook-part-last.xlsx')
    await zipInOrder(
      file,
      order.map((name) => [name, parts[name] as Buffer]),
    )
    expect(values(await readAll(file))).toEqual([
      { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '3', counted_by: null },
    ])
  })

  it('can be stopped early and read again', async () => {
    const rows: Cells[] = [STOCK_HEADER]
    for (let product = 1; product <= 500; product++) rows.push(['2024-11-25', 'Kemang', product, 1])
    const file = await workbook('stop-early.xlsx', { stock_count: rows })
    const firstThree: string[] = []
    for await (const row of readSheetRows(file, stockCountSheet)) {
      firstThree.push(row.naturalKey)
      if (firstThree.length === 3) break
    }
    expect(firstThree).toEqual(['2024-11-25|Kemang|1', '2024-11-25|Kemang|2', '2024-11-25|Kemang|3'])
    expect(await readAll(file)).toHaveLength(500)
  })
})

describe('a store_branch sheet', () => {
  it('reads integers, names and optional timestamps', async () => {
    const file = await workbook('branches.xlsx', {
      'Store Branch': [
        ['Store ID', 'Store Name', 'Created At'],
        [1, 'Kemang', utc(2023, 1, 15, 8, 30)],
        ['2', ' Senopati ', '2023-02-01 09:00'],
        ['3.0', 'Blok M', ''],
        ['4', 'Cikini', 'kemarin'],
      ],
    })
    const rows = await readAll(file, storeBranchSheet)
    expect(rows.map((row) => [row.naturalKey, row.values, row.errors])).toEqual([
      ['1', { store_id: '1', store_name: 'Kemang', created_at: '2023-01-15 08:30:00' }, []],
      ['2', { store_id: '2', store_name: 'Senopati', created_at: '2023-02-01 09:00:00' }, []],
      ['3', { store_id: '3', store_name: 'Blok M', created_at: null }, []],
      [
        '4',
        { store_id: '4', store_name: 'Cikini', created_at: null },
        [{ column: 'created_at', value: 'kemarin', expected: 'a date and time such as 2024-11-25 14:30:00' }],
      ],
    ])
  })
})

describe('a CSV file', () => {
  it('is one sheet; a byte-order mark, CRLF line ends, quotes and spaces are read as Excel would', async () => {
    const file = await textFile(
      'stock.csv',
      '\uFEFFCount Date,Store Name,Product ID,Counted Qty,Counted By\r\n' +
        '25/11/2024, Kemang ,12,"1,234",Budi\r\n' +
        '2024-11-26,"Senopati, Lt 2",007,12.0,\r\n',
    )
    const rows = await readAll(file)
    expect(rows.map((row) => [row.sheet, row.rowNumber, row.values])).toEqual([
      [
        'stock_count',
        2,
        { count_date: '2024-11-25', store_name: 'Kemang', product_id: '12', counted_qty: '1234', counted_by: 'Budi' },
      ],
      [
        'stock_count',
        3,
        {
          count_date: '2024-11-26',
          store_name: 'Senopati, Lt 2',
          product_id: '7',
          counted_qty: '12',
          counted_by: null,
        },
      ],
    ])
  })

  it('numbers rows as a spreadsheet program does: blank lines count, a quoted line break does not', async () => {
    const file = await textFile(
      'blank-lines.csv',
      '\ncount_date,store_name,product_id,counted_qty,counted_by\n' +
        '2024-11-25,Kemang,1,5,"Budi\nand Sari"\n' +
        '\n' +
        ' , ,,\n' +
        '2024-11-25,Kemang,2,x\n',
    )
    const rows = await readAll(file)
    expect(rows.map((row) => [row.rowNumber, row.values.counted_by, row.errors])).toEqual([
      [3, 'Budi\nand Sari', []],
      [6, null, [{ column: 'counted_qty', value: 'x', expected: 'an integer such as 12' }]],
    ])
  })

  it('reads short rows (missing trailing cells) as empty cells', async () => {
    const file = await textFile(
      'short.csv',
      'count_date,store_name,product_id,counted_qty,counted_by\n2024-11-25,Kemang\n',
    )
    const [row] = await readAll(file)
    expect(row?.errors).toEqual([
      { column: 'product_id', value: null, expected: 'a value' },
      { column: 'counted_qty', value: null, expected: 'a value' },
    ])
  })

  it('reads a CSV saved by Excel in the Indonesian locale, with semicolons', async () => {
    const file = await textFile(
      'semicolons.csv',
      'count_date;store_name;product_id;counted_qty\n25/11/2024;Kemang, Jakarta Selatan;12;3\n',
    )
    expect(values(await readAll(file))).toEqual([
      {
        count_date: '2024-11-25',
        store_name: 'Kemang, Jakarta Selatan',
        product_id: '12',
        counted_qty: '3',
        counted_by: null,
      },
    ])
  })
})

describe('a file that cannot be read as the sheet', () => {
  it('without the sheet or any sheet with its columns names the sheets it has', async () => {
    const file = await workbook('no-sheet.xlsx', { Notes: [['remember to count']], Sheet2: [['a', 'b']] })
    expect(await fileError(file)).toBe(
      'no-sheet.xlsx: no sheet "stock_count", and no sheet whose header has its required columns ' +
        'count_date, store_name, product_id, counted_qty (sheets: "Notes", "Sheet2")',
    )
  })

  it('without a required column names the column and the header it found', async () => {
    const file = await workbook('stock.xlsx', {
      stock_count: [
        ['count_date', 'store_name', 'product_id', 'notes'],
        ['2024-11-25', 'Kemang', 12, 'x'],
      ],
    })
    expect(await fileError(file)).toBe(
      'stock.xlsx, sheet "stock_count": missing required column counted_qty (found: count_date, store_name, product_id, notes)',
    )
  })

  it('without several required columns, in a CSV, names them all', async () => {
    const file = await textFile('stock.csv', 'Tanggal,Toko,product_id\n2024-11-25,Kemang,12\n')
    expect(await fileError(file)).toBe(
      'stock.csv, sheet "stock_count": missing required columns count_date, store_name, counted_qty ' +
        '(found: Tanggal, Toko, product_id)',
    )
  })

  it('whose sheet has no header row says so', async () => {
    const file = await workbook('blank-sheet.xlsx', { stock_count: [[], [' ', null]] })
    expect(await fileError(file)).toBe(
      'blank-sheet.xlsx, sheet "stock_count": no header row, the sheet is empty ' +
        '(expected columns count_date, store_name, product_id, counted_qty, counted_by)',
    )
  })

  it('that is an empty CSV says the sheet is empty', async () => {
    const file = await textFile('empty.csv', '')
    expect(await fileError(file)).toBe(
      'empty.csv, sheet "stock_count": no header row, the sheet is empty ' +
        '(expected columns count_date, store_name, product_id, counted_qty, counted_by)',
    )
  })

  it('that is an empty .xlsx file says so', async () => {
    const file = await textFile('empty.xlsx', '')
    expect(await fileError(file)).toBe('empty.xlsx: the file is empty, expected an .xlsx workbook')
  })

  it.each([
    ['a text file named .xlsx', 'notes.xlsx', 'count_date,store_name\n2024-11-25,Kemang\n'],
    ['a truncated workbook', 'truncated.xlsx', Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000')],
  ])('that is %s says it is not a readable workbook', async (_case, name, content) => {
    const file = await textFile(name, content)
    expect(await fileError(file)).toMatch(
      new RegExp(`^${name.replace('.', '\\.')}: not a readable \\.xlsx workbook \\(.+\\)$`),
    )
  })

  it('that is missing says so, with its path', async () => {
    const file = path.join(folder, 'nowhere', 'stock.xlsx')
    expect(await fileError(file)).toBe(`stock.xlsx: file not found (${file})`)
  })

  it('that is a folder says so', async () => {
    const file = path.join(folder, 'folder.csv')
    await mkdir(file)
    expect(await fileError(file)).toBe(`folder.csv: not a file (${file})`)
  })

  it.each([
    ['stock.xls', 'stock.xls: an Excel 97-2003 workbook (.xls) cannot be read; save it as .xlsx or .csv'],
    ['stock.ods', 'stock.ods: unsupported file type ".ods", expected an .xlsx workbook or a .csv file'],
  ])('of another type (%s) names the types it reads', async (name, message) => {
    expect(await fileError(await textFile(name, 'x'))).toBe(message)
  })

  it('that is a CSV with an unclosed quote says where the quote opened', async () => {
    const file = await textFile('quote.csv', 'count_date,store_name,product_id,counted_qty\n2024-11-25,"Kemang,12,3\n')
    expect(await fileError(file)).toMatch(/^quote\.csv: not a readable CSV file \(Quote Not Closed: .*line 2\)$/)
  })
})

describe('a row error message', () => {
  it('names the file, sheet, row, column, value and expectation on one line', () => {
    const error = { column: 'counted_qty', value: 'abc', expected: 'an integer such as 12' }
    expect(describeSheetError('/data/in/stock.xlsx', 'stock_count', 7, error)).toBe(
      'stock.xlsx, sheet "stock_count", row 7, column counted_qty: "abc" is not an integer such as 12',
    )
  })

  it('stays on one line when the cell has a line break or quotes', () => {
    const error = { column: 'counted_qty', value: '12\n"about"', expected: 'an integer such as 12' }
    expect(describeSheetError('stock.csv', 'stock_count', 3, error)).toBe(
      'stock.csv, sheet "stock_count", row 3, column counted_qty: "12\\n\\"about\\"" is not an integer such as 12',
    )
  })

  it('says a required cell is empty', () => {
    const error = { column: 'store_name', value: null, expected: 'a value' }
    expect(describeSheetError('stock.csv', 'stock_count', 12, error)).toBe(
      'stock.csv, sheet "stock_count", row 12, column store_name: empty, expected a value',
    )
  })
})

describe('a large sheet', () => {
  const ROWS = 20_000

  it(`streams all ${ROWS} rows of a CSV`, async () => {
    const lines = ['count_date,store_name,product_id,counted_qty,counted_by']
    for (let index = 1; index <= ROWS; index++) lines.push(`25/11/2024,Kemang,${index},${index % 50},Budi`)
    const file = await textFile('large.csv', `${lines.join('\n')}\n`)
    let count = 0
    let quantity = 0
    let lastRow = 0
    for await (const row of readSheetRows(file, stockCountSheet)) {
      count += 1
      quantity += Number(row.values.counted_qty)
      lastRow = row.rowNumber
    }
    expect(count).toBe(ROWS)
    expect(lastRow).toBe(ROWS + 1)
    expect(quantity).toBe(expectedQuantity(ROWS))
  })

  // Building and reading 21,000 rows takes seconds on a busy machine: more than the unit config's default.
  it(`streams all ${ROWS} rows of a workbook, after a sheet it skips`, async () => {
    const file = path.join(folder, 'large.xlsx')
    // The streaming writer keeps memory flat while building the fixture, too.
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true })
    const notes = writer.addWorksheet('Notes')
    for (let index = 1; index <= 1000; index++) notes.addRow([`note ${index}`]).commit()
    await notes.commit()
    const sheet = writer.addWorksheet('Stock Count')
    sheet.addRow(STOCK_HEADER).commit()
    for (let index = 1; index <= ROWS; index++) {
      sheet.addRow([utc(2024, 11, 25), 'Kemang', index, index % 50, 'Budi']).commit()
    }
    await sheet.commit()
    await writer.commit()
    let count = 0
    let quantity = 0
    let lastRow = 0
    for await (const row of readSheetRows(file, stockCountSheet)) {
      count += 1
      quantity += Number(row.values.counted_qty)
      lastRow = row.rowNumber
      expect(row.errors).toEqual([])
    }
    expect(count).toBe(ROWS)
    expect(lastRow).toBe(ROWS + 1)
    expect(quantity).toBe(expectedQuantity(ROWS))
  }, 60_000)
})

function expectedQuantity(rows: number): number {
  let total = 0
  for (let index = 1; index <= rows; index++) total += index % 50
  return total
}

describe('a damaged workbook', () => {
  let good: Buffer
  beforeAll(async () => {
    const rows: Cells[] = [STOCK_HEADER]
    for (let index = 1; index <= 2000; index++) rows.push(['2024-11-25', 'Kemang', index, 3, 'Budi'])
    good = await readFile(await workbook('good.xlsx', { stock_count: rows }))
  })

  /** The workbook with `part` replaced by `text` (or removed), stored or deflated. */
  async function withPart(part: string, text: string | null, compression: 'STORE' | 'DEFLATE' = 'DEFLATE') {
    const zip = await JSZip.loadAsync(good)
    if (text === null) zip.remove(part)
    else zip.file(part, text)
    return zip.generateAsync({ type: 'nodebuffer', compression })
  }

  const sheetXml = async () => (await JSZip.loadAsync(good)).file('xl/worksheets/sheet1.xml')?.async('string') ?? ''

  it.each([
    ['its first half', 0.5],
    ['all but its last bytes', 0.99],
  ])('cut short (%s) is refused at once, before any row', async (_case, fraction) => {
    const file = await textFile('cut.xlsx', good.subarray(0, Math.floor(good.length * fraction)))
    const started = Date.now()
    expect(await fileError(file)).toBe(
      'cut.xlsx: not a readable .xlsx workbook (its zip directory is missing or damaged: the file is cut short or is not a workbook)',
    )
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it.each([
    ['xl/worksheets/sheet1.xml', 'worksheet'],
    ['xl/sharedStrings.xml', 'sst'],
    ['xl/workbook.xml', 'workbook'],
    ['xl/_rels/workbook.xml.rels', 'Relationships'],
  ])('whose part %s is cut short inside a whole zip is refused, naming the part', async (part, root) => {
    const whole = (await JSZip.loadAsync(good)).file(part)
    const xml = (await whole?.async('string')) ?? ''
    const file = await textFile('cut-part.xlsx', await withPart(part, xml.slice(0, Math.floor(xml.length * 0.6))))
    expect(await fileError(file)).toBe(
      `cut-part.xlsx: not a readable .xlsx workbook (its part ${part} is damaged: ` +
        `the XML ends before its root element <${root}> is closed: the part is cut short)`,
    )
  })

  it('whose styles are not XML is refused, naming the part', async () => {
    const file = await textFile('styles.xlsx', await withPart('xl/styles.xml', 'no styles here'))
    expect(await fileError(file)).toBe(
      'styles.xlsx: not a readable .xlsx workbook (its part xl/styles.xml is damaged: it is not an XML document)',
    )
  })

  it('with a changed byte in a stored part is refused by its checksum, not read as another name', async () => {
    const stored = await withPart('xl/worksheets/sheet1.xml', await sheetXml(), 'STORE')
    const at = stored.indexOf('Kemang')
    expect(at).toBeGreaterThan(0)
    stored[at] = 'X'.charCodeAt(0)
    const file = await textFile('flipped.xlsx', stored)
    expect(await fileError(file)).toMatch(
      /^flipped\.xlsx: not a readable \.xlsx workbook \(its part xl\/\w+\.xml is damaged: its checksum \(CRC-32\) does not match its content\)$/,
    )
  })

  it('with damaged compressed bytes is refused, naming the part', async () => {
    const damaged = Buffer.from(good)
    const sheetAt = damaged.indexOf('xl/worksheets/sheet1.xml') + 200
    for (let index = sheetAt; index < sheetAt + 64; index++) damaged[index] = (damaged[index] ?? 0) ^ 0x5a
    const file = await textFile('garbled.xlsx', damaged)
    expect(await fileError(file)).toMatch(
      /^garbled\.xlsx: not a readable \.xlsx workbook \(its part xl\/worksheets\/sheet1\.xml is damaged: /,
    )
  })

  it('that is an Excel 97-2003 or password-protected file (OLE, not a zip) says so', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)])
    expect(await fileError(await textFile('locked.xlsx', ole))).toBe(
      'locked.xlsx: not a readable .xlsx workbook (an Excel 97-2003 or password-protected workbook, not a zip: ' +
        'save it as .xlsx without a password, or as .csv)',
    )
  })

  it('with broken XML half-way through a sheet fails there, naming the sheet and the last row read', async () => {
    const xml = (await sheetXml()).replace('<row r="1500"', '<row r="1500" <<')
    const file = await textFile('broken-xml.xlsx', await withPart('xl/worksheets/sheet1.xml', xml))
    let rows = 0
    const error = await (async () => {
      try {
        for await (const _row of readSheetRows(file, stockCountSheet)) rows += 1
      } catch (caught) {
        return caught as Error
      }
    })()
    expect(error).toBeInstanceOf(BadInputError)
    expect(error?.message).toMatch(
      /^broken-xml\.xlsx, sheet "stock_count": not a readable \.xlsx workbook \(damaged (after row \d+|before any row could be read): XML error at line \d+, column \d+: .+\)$/,
    )
    expect(rows).toBeLessThan(1500)
  })
})

describe('a reading that stalls or is cancelled', () => {
  async function* never(): AsyncGenerator<number> {
    await new Promise(() => {})
    yield 1
  }

  async function* instant(count: number): AsyncGenerator<number> {
    for (let index = 1; index <= count; index++) yield index
  }

  it('fails when the source yields nothing for the bound, naming the file, and says so once', async () => {
    const stalls: string[] = []
    const reading = bounded(never(), 'stuck.xlsx', {
      stalledSeconds: 0.2,
      signal: new AbortController().signal,
      onStall: (error) => stalls.push(error.message),
    })
    const started = Date.now()
    await expect(reading.next()).rejects.toThrow(stalledError('stuck.xlsx', 0.2))
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(stalls).toEqual(['stuck.xlsx: reading stopped making progress (no row for 0.2 s): the file may be damaged'])
  })

  it('counts only the time spent waiting on the source, not a slow consumer', async () => {
    const seen: number[] = []
    for await (const value of bounded(instant(3), 'slow.csv', {
      stalledSeconds: 0.1,
      signal: new AbortController().signal,
    })) {
      seen.push(value)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(seen).toEqual([1, 2, 3])
  })

  it('stops at once when cancelled, even while the source is waiting', async () => {
    const cancel = new AbortController()
    const reading = bounded(never(), 'big.xlsx', { stalledSeconds: 60, signal: cancel.signal })
    const pending = reading.next()
    const reason = new Error('activity cancelled')
    setTimeout(() => cancel.abort(reason), 50)
    await expect(pending).rejects.toBe(reason)
  })

  it('stops a file being read when the activity is cancelled, and the file can be read again', async () => {
    const lines = [STOCK_HEADER.join(',')]
    for (let index = 1; index <= 5_000; index++) lines.push(`2024-11-25,Kemang,${index},3,Budi`)
    const file = await textFile('cancelled.csv', `${lines.join('\n')}\n`)
    const cancel = new AbortController()
    const reason = new Error('activity cancelled')
    let rows = 0
    await expect(
      (async () => {
        for await (const _row of readSheetRows(file, stockCountSheet, { signal: cancel.signal })) {
          if (++rows === 10) cancel.abort(reason)
        }
      })(),
    ).rejects.toBe(reason)
    expect(rows).toBe(10)
    expect((await readAll(file)).length).toBe(5_000)
  })
})

describe('a CSV whose text cannot arrive as typed', () => {
  it('saved as UTF-16 is refused as a file', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${STOCK_HEADER.join('\t')}\n`, 'utf16le')])
    expect(await fileError(await textFile('stock_count_utf16.csv', utf16))).toBe(
      'stock_count_utf16.csv: a UTF-16 text file, expected UTF-8; save it as "CSV UTF-8"',
    )
  })

  it('holds back a row with a NUL character or bytes of another encoding, and keeps the others', async () => {
    const csv = Buffer.concat([
      Buffer.from(`${STOCK_HEADER.join(',')}\n2024-11-25,Kemang,1,3,Sari\u0000Dewi\n2024-11-25,Caf`),
      Buffer.from([0xe9]), // é in Windows-1252
      Buffer.from(',2,3,Budi\n2024-11-25,Kemang,3,3,Budi\n'),
    ])
    const rows = await readAll(await textFile('stock_count_bytes.csv', csv))
    expect(rows.map((row) => row.errors)).toEqual([
      [{ column: 'counted_by', value: 'Sari\u2400Dewi', expected: NO_NUL }],
      [{ column: 'store_name', value: 'Caf\ufffd', expected: UTF8_TEXT }],
      [],
    ])
  })
})

describe('a million blank rows', () => {
  it('are skipped in seconds, with memory that does not grow with them', async () => {
    const file = path.join(folder, 'stock_count_blank.csv')
    const out = createWriteStream(file)
    out.write(`${STOCK_HEADER.join(',')}\n`)
    const block = ',,,,\n'.repeat(10_000)
    for (let index = 0; index < 100; index++) out.write(block)
    out.write('2024-11-25,Kemang,1,3,Budi\n')
    await new Promise((resolve) => out.end(resolve))
    const before = process.memoryUsage().heapUsed
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed)
    }, 20)
    const started = Date.now()
    try {
      const rows = await readAll(file)
      expect(rows.map((row) => row.rowNumber)).toEqual([1_000_002])
    } finally {
      clearInterval(sampler)
    }
    expect(Date.now() - started).toBeLessThan(30_000)
    // Garbage comes and goes; a reading that kept something per row would hold hundreds of MB.
    expect(peak - before).toBeLessThan(200 * 1024 * 1024)
  }, 60_000)
})
