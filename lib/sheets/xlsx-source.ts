// Streams the sheets of an .xlsx workbook with exceljs' streaming reader: rows are parsed as the
// zip is read, so memory does not grow with the sheet. (A workbook that stores its shared strings
// after its sheets, as Excel does, has its sheets spooled to temporary files first: still not in
// memory.)
import { createReadStream } from 'node:fs'
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { BadInputError } from '../errors.ts'
import type { SourceRow, SourceSheet } from './source-sheet.ts'

// What we read of exceljs' streaming worksheet, whose published types omit the sheet name.
interface StreamedWorksheet {
  name: string
  [Symbol.asyncIterator](): AsyncIterator<{ number: number; values: unknown }>
}

interface StreamedWorkbookModel {
  sheets?: { name: string }[]
}

export async function* readWorkbookSheets(filePath: string, file: string): AsyncGenerator<SourceSheet> {
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
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(zipBytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // date cells are told from numbers by their number format
    hyperlinks: 'ignore', // a hyperlink cell then reads as its text
  })
  deferWorksheetsUntilWorkbookIsRead(reader)
  const unreadable = (error: unknown) => notAWorkbook(file, readError ?? error)
  try {
    for await (const worksheet of reader as AsyncIterable<unknown> as AsyncIterable<StreamedWorksheet>) {
      const model = (reader as { model?: StreamedWorkbookModel }).model
      yield {
        name: worksheet.name,
        // exceljs has read the workbook's list of sheets by the time it emits one.
        fileSheetNames: model?.sheets?.map((sheet) => sheet.name) ?? [worksheet.name],
        rows: worksheetRows(worksheet, unreadable),
      }
    }
  } catch (error) {
    throw unreadable(error)
  } finally {
    input.destroy()
    zipBytes.destroy()
  }
}

async function* worksheetRows(
  worksheet: StreamedWorksheet,
  unreadable: (error: unknown) => Error,
): AsyncGenerator<SourceRow> {
  try {
    for await (const row of worksheet) {
      // exceljs' row.values is indexed from 1, like spreadsheet columns.
      const values = Array.isArray(row.values) ? row.values : []
      yield { number: row.number, cells: values.slice(1) }
    }
  } catch (error) {
    throw unreadable(error)
  }
}

/**
 * exceljs' streaming reader parses a worksheet at once when the shared strings and the workbook's
 * relations came before it, even if xl/workbook.xml (the sheet names) has not come yet, and then
 * fails on the missing names. Zip writers may store the parts in any order, so until the workbook
 * part is read the relations are hidden from that check: the worksheet is then kept aside, as
 * exceljs does when the shared strings come late, and parsed once everything is known.
 */
function deferWorksheetsUntilWorkbookIsRead(reader: object): void {
  let relations: unknown
  Object.defineProperty(reader, 'workbookRels', {
    configurable: true,
    get: () => ((reader as { model?: unknown }).model ? relations : undefined),
    set: (value: unknown) => {
      relations = value
    },
  })
}

function notAWorkbook(file: string, error: unknown): Error {
  if (error instanceof BadInputError) return error
  const detail = error instanceof Error ? error.message : String(error)
  return new BadInputError(`${file}: not a readable .xlsx workbook (${detail})`, { cause: error })
}
