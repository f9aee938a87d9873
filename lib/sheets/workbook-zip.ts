// Checks that an .xlsx file is a whole zip before exceljs streams it. exceljs' streaming reader
// never finishes on a truncated zip (its stream waits for bytes that never come), and it reads an
// XML part cut short as if it ended there (rows or shared strings silently missing), so a file
// cut short, damaged or no zip at all is refused here, before any row is read, naming the part.
import { open, stat } from 'node:fs/promises'
import zlib from 'node:zlib'
import unzipper from 'unzipper'
import { BadInputError } from '../errors.ts'

/** The parts exceljs' streaming reader needs before any worksheet: names, relations, strings, styles. */
export const LEADING_PARTS = ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml']
export const WORKSHEET = /^xl\/worksheets\/sheet\d+\.xml$/
const WORKSHEET_RELS = /^xl\/worksheets\/_rels\/sheet\d+\.xml\.rels$/

// An OLE compound file: an Excel 97-2003 workbook, or an .xlsx saved with a password.
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])

// Node 20.15 and later; on older versions the parts' sizes and XML are still checked.
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32

export function notAWorkbook(file: string, error: unknown): Error {
  if (error instanceof BadInputError) return error
  const detail = error instanceof Error ? error.message : String(error)
  return new BadInputError(`${file}: not a readable .xlsx workbook (${detail})`, {
    cause: error instanceof Error ? error : undefined,
  })
}

/**
 * The zip's entries, from its central directory at the end of the file, once every part the
 * reader uses has been checked: inside the file, inflating to its declared size and checksum,
 * and, for XML, a document that ends where its root element closes.
 */
export async function checkedWorkbookEntries(filePath: string, file: string): Promise<unzipper.File[]> {
  if (await startsWith(filePath, OLE_SIGNATURE)) {
    throw notAWorkbook(
      file,
      'an Excel 97-2003 or password-protected workbook, not a zip: save it as .xlsx without a password, or as .csv',
    )
  }
  let directory: unzipper.CentralDirectory
  try {
    directory = await unzipper.Open.file(filePath)
  } catch {
    throw notAWorkbook(file, 'its zip directory is missing or damaged: the file is cut short or is not a workbook')
  }
  const { size } = await stat(filePath)
  const entries = directory.files.filter((entry) => entry.type === 'File')
  const beyond = entries.find((entry) => entry.offsetToLocalFileHeader + entry.compressedSize > size)
  if (beyond) throw notAWorkbook(file, `its part ${beyond.path} lies past the end of the file: the file is cut short`)
  if (!entries.some((entry) => entry.path === 'xl/workbook.xml')) {
    throw notAWorkbook(file, 'a zip file without xl/workbook.xml')
  }
  for (const entry of entries.filter((candidate) => isReadPart(candidate.path))) {
    const problem = await partProblem(entry)
    if (problem) throw notAWorkbook(file, `its part ${entry.path} is damaged: ${problem}`)
  }
  return entries
}

function isReadPart(name: string): boolean {
  return LEADING_PARTS.includes(name) || WORKSHEET.test(name) || WORKSHEET_RELS.test(name)
}

async function startsWith(filePath: string, signature: Buffer): Promise<boolean> {
  const handle = await open(filePath, 'r')
  try {
    const head = Buffer.alloc(signature.length)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return bytesRead === signature.length && head.equals(signature)
  } finally {
    await handle.close()
  }
}

const HEAD_BYTES = 4096
const TAIL_BYTES = 256

/** What is wrong with one part, streamed (never whole in memory); null when it is whole. */
async function partProblem(entry: unzipper.File): Promise<string | null> {
  let length = 0
  let crc = 0
  let head = Buffer.alloc(0)
  let tail = Buffer.alloc(0)
  try {
    for await (const chunk of entry.stream() as AsyncIterable<Buffer>) {
      length += chunk.length
      if (crc32) crc = crc32(chunk, crc)
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)])
      tail = Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES)
    }
  } catch (error) {
    return `it does not inflate (${error instanceof Error ? error.message : String(error)})`
  }
  if (length !== entry.uncompressedSize)
    return `it holds ${length} bytes, its zip directory says ${entry.uncompressedSize}`
  if (crc32 && crc >>> 0 !== entry.crc32 >>> 0) return 'its checksum (CRC-32) does not match its content'
  const whole = length <= HEAD_BYTES
  return xmlEndProblem(head.toString('utf8'), (whole ? head : tail).toString('utf8'), whole)
}

/**
 * An XML document cut short (a part written by a program that stopped half-way) does not end
 * with its root element's end tag. Everything else about the XML is exceljs' parser's job.
 * `tail` is the document's end; `whole` says it is the whole document.
 */
export function xmlEndProblem(head: string, tail: string, whole: boolean): string | null {
  const root = /^(?:\uFEFF)?\s*(?:<\?[\s\S]*?\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.:-]*)/.exec(head)?.[1]
  if (!root) return 'it is not an XML document'
  const end = tail.trimEnd()
  if (end.endsWith(`</${root}>`)) return null
  // A root element with nothing in it may close itself: <sst/>.
  if (whole && new RegExp(`^[\\s\\S]*?<${root}\\b[^<>]*/>$`).test(end)) return null
  return `the XML ends before its root element <${root}> is closed: the part is cut short`
}
