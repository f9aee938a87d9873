// Streams rows into PostgreSQL with COPY: rows are produced one at a time by a (sync or async)
// generator and never gathered into an array, whatever the scale.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Sql, TransactionSql } from '../db.ts'

export type Cell = string | number | null

export async function copyRows(
  sql: Sql | TransactionSql,
  target: string,
  rows: Iterable<Cell[]> | AsyncIterable<Cell[]>,
): Promise<void> {
  const writer = await sql.unsafe(`copy ${target} from stdin`).writable()
  await pipeline(Readable.from(toCopyText(rows)), writer)
}

/** COPY text format, batched into chunks of about 64 KiB so the stream is not one write per row. */
async function* toCopyText(rows: Iterable<Cell[]> | AsyncIterable<Cell[]>): AsyncGenerator<string> {
  let chunk = ''
  for await (const row of rows) {
    chunk += `${row.map(copyValue).join('\t')}\n`
    if (chunk.length > 65_536) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk) yield chunk
}

function copyValue(value: Cell): string {
  if (value === null) return '\\N'
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}
