// Streams the sheets of an .xlsx workbook with exceljs' streaming reader: rows are parsed as the
// zip is read, so memory does not grow with the sheet.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import archiver from 'archiver'
import ExcelJS from 'exceljs'
import type { SourceRow, SourceSheet } from './source-sheet.ts'
import { checkedWorkbookEntries, LEADING_PARTS, notAWorkbook, WORKSHEET } from './workbook-zip.ts'

// What we read of exceljs' streaming worksheet, whose published types omit the sheet name.
interface StreamedWorksheet {
  name: string
  [Symbol.asyncIterator](): AsyncIterator<{ number: number; values: unknown }>
}

interface StreamedWorkbookModel {
  sheets?: { name: string }[]
}

/** The workbook's sheets; `abandon` aborted (a stalled or cancelled reading) closes the file at once. */
export async function* readWorkbookSheets(
  filePath: string,
  file: string,
  abandon: AbortSignal,
): AsyncGenerator<SourceSheet> {
  const ordered = await withPartsInReadingOrder(filePath, file)
  try {
    yield* streamWorkbookSheets(ordered.path, file, abandon)
  } finally {
    await ordered.cleanUp()
  }
}

/**
 * Zip writers store a workbook's parts in any order (Excel puts the shared strings after the
 * sheets; exceljs' own writer sometimes puts xl/workbook.xml last). exceljs' streaming reader
 * then spools the early sheets to temporary files, and that path loses entries now and then
 * (the zip stream ends after the first spooled sheet). A workbook whose leading parts come after
 * a worksheet is therefore copied once, entry by entry (streamed, never whole in memory), into a
 * temporary zip in reading order.
 */
async function withPartsInReadingOrder(
  filePath: string,
  file: string,
): Promise<{ path: string; cleanUp: () => Promise<void> }> {
  const asIs = { path: filePath, cleanUp: async () => {} }
  const entries = await checkedWorkbookEntries(filePath, file)
  const firstSheet = entries.findIndex((entry) => WORKSHEET.test(entry.path))
  const lastLeading = Math.max(...LEADING_PARTS.map((part) => entries.findIndex((entry) => entry.path === part)))
  if (firstSheet < 0 || lastLeading < firstSheet) return asIs
  const folder = await mkdtemp(path.join(tmpdir(), 'paccafe-xlsx-'))
  const cleanUp = () => rm(folder, { recursive: true, force: true })
  try {
    const ordered = path.join(folder, path.basename(file))
    const rank = (name: string) => (LEADING_PARTS.includes(name) ? 0 : WORKSHEET.test(name) ? 2 : 1)
    const archive = archiver('zip')
    const written = new Promise<void>((resolve, reject) => {
      archive.on('error', reject)
      archive.pipe(createWriteStream(ordered)).on('close', resolve).on('error', reject)
    })
    for (const entry of [...entries].sort((a, b) => rank(a.path) - rank(b.path))) {
      archive.append(entry.stream(), { name: entry.path })
    }
    await archive.finalize()
    await written
    return { path: ordered, cleanUp }
  } catch (error) {
    await cleanUp()
    throw notAWorkbook(file, error)
  }
}

async function* streamWorkbookSheets(
  filePath: string,
  file: string,
  abandon: AbortSignal,
): AsyncGenerator<SourceSheet> {
  // exceljs pipes the stream it is given into the unzipper without watching it for errors: a read
  // error would leave the unzipper waiting forever. Ending the stream it reads instead makes the
  // unzipper fail on a truncated file, and the read error is reported in its place.
  const input = createReadStream(filePath)
  const zipBytes = new PassThrough()
  let readError: Error | undefined
  input.on('error', (error) => {
    readError = error
    zipBytes.end()
  })
  input.pipe(zipBytes)
  const close = () => {
    input.destroy()
    zipBytes.destroy()
  }
  abandon.addEventListener('abort', close, { once: true })
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(zipBytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // date cells are told from numbers by their number format
    hyperlinks: 'ignore', // a hyperlink cell then reads as its text
  })
  const unreadable = (error: unknown) => notAWorkbook(file, readError ?? error)
  try {
    for await (const worksheet of reader as AsyncIterable<unknown> as AsyncIterable<StreamedWorksheet>) {
      const model = (reader as { model?: StreamedWorkbookModel }).model
      yield {
        name: worksheet.name,
        // exceljs has read the workbook's list of sheets by the time it emits one.
        fileSheetNames: model?.sheets?.map((sheet) => sheet.name) ?? [worksheet.name],
        rows: worksheetRows(worksheet, (error, after) =>
          notAWorkbook(`${file}, sheet "${worksheet.name}"`, readError ?? damagedAfter(after, error)),
        ),
      }
    }
  } catch (error) {
    throw unreadable(error)
  } finally {
    abandon.removeEventListener('abort', close)
    close()
  }
}

async function* worksheetRows(
  worksheet: StreamedWorksheet,
  unreadable: (error: unknown, afterRow: number) => Error,
): AsyncGenerator<SourceRow> {
  let last = 0
  try {
    for await (const row of worksheet) {
      last = row.number
      // exceljs' row.values is indexed from 1, like spreadsheet columns.
      const values = Array.isArray(row.values) ? row.values : []
      yield { number: row.number, cells: values.slice(1) }
    }
  } catch (error) {
    throw unreadable(error, last)
  }
}

/** 'damaged after row 1013: XML error at line 2, column 197571: disallowed character.' */
export function damagedAfter(row: number, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error)
  // saxes, exceljs' XML parser, says where as 'line:column: problem'.
  const xml = /^(\d+):(\d+): (.*)$/s.exec(detail)
  const what = xml ? `XML error at line ${xml[1]}, column ${xml[2]}: ${xml[3]}` : detail
  return `${row > 0 ? `damaged after row ${row}` : 'damaged before any row could be read'}: ${what}`
}
