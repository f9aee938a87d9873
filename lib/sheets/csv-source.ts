// Streams a CSV file as a one-sheet workbook with csv-parse. Each record is one spreadsheet row,
// blank lines included, so row numbers match what a spreadsheet program shows.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { parse } from 'csv-parse'
import { BadInputError } from '../errors.ts'
import { isBlankRow } from './headers.ts'
import type { SourceRow, SourceSheet } from './source-sheet.ts'

/** The CSV as one sheet; `abandon` aborted (a stalled or cancelled reading) closes the file at once. */
export async function* readCsvSheets(
  filePath: string,
  file: string,
  sheetName: string,
  abandon: AbortSignal,
): AsyncGenerator<SourceSheet> {
  const delimiter = await sniffDelimiter(filePath, file)
  yield { name: sheetName, fileSheetNames: [sheetName], rows: csvRows(filePath, file, delimiter, abandon) }
}

/** A record (one row) larger than this is refused, so a file without line breaks cannot fill the memory. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024

async function* csvRows(
  filePath: string,
  file: string,
  delimiter: string,
  abandon: AbortSignal,
): AsyncGenerator<SourceRow> {
  const input = createReadStream(filePath)
  const parser = parse({
    max_record_size: MAX_RECORD_BYTES,
    delimiter,
    bom: true,
    relax_column_count: true, // short and long rows are the reader's business, not a parse error
    relax_quotes: true, // a quote inside an unquoted cell (12" tray) is text
    skip_empty_lines: false, // keeps the row numbers right
  })
  input.on('error', (error) => parser.destroy(error))
  input.pipe(parser)
  const close = () => {
    input.destroy()
    parser.destroy()
  }
  abandon.addEventListener('abort', close, { once: true })
  let number = 0
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      number += 1
      yield { number, cells: record }
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new BadInputError(`${file}: not a readable CSV file (${detail})`, { cause: error })
  } finally {
    abandon.removeEventListener('abort', close)
    close()
  }
}

const SNIFF_BYTES = 64 * 1024
const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])]

/**
 * ',' unless the first non-blank line has more ';' (Excel's CSV in locales with a decimal comma,
 * Indonesian among them) or tabs. Counted outside double quotes.
 */
export async function sniffDelimiter(filePath: string, file = filePath): Promise<string> {
  const handle = await open(filePath, 'r')
  let text: string
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    const head = buffer.subarray(0, bytesRead)
    // Excel's "Unicode Text" and some exports are UTF-16: read as UTF-8, every cell would be garbage.
    if (UTF16_BOMS.some((bom) => head.subarray(0, 2).equals(bom))) {
      throw new BadInputError(`${file}: a UTF-16 text file, expected UTF-8; save it as "CSV UTF-8"`)
    }
    text = head.toString('utf8')
  } finally {
    await handle.close()
  }
  const line = text.split(/\r?\n/).find((candidate) => !isBlankRow(candidate.split(/[,;\t]/))) ?? ''
  const counts = { ',': 0, ';': 0, '\t': 0 }
  let quoted = false
  for (const character of line) {
    if (character === '"') quoted = !quoted
    else if (!quoted && character in counts) counts[character as keyof typeof counts] += 1
  }
  const [best] = Object.entries(counts).sort(([, a], [, b]) => b - a)
  return best && best[1] > counts[','] ? best[0] : ','
}
