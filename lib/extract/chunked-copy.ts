// Copies a source table into a load table shaped like its staging mirror, in key-ordered chunks
// that each commit the batch's resume point, so a copy interrupted by a crash loads every row once.
import { hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'
import { type Sql, withDedicatedConnection } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { quoteIdentifier as q, quoteLiteral } from '../sql-text.ts'
import { type CopyOutConnection, withCopyOutConnection } from './copy-out.ts'
import type { StagingTable } from './staging-catalog.ts'

export interface ChunkedCopyOptions {
  sourceUrl: string
  warehouseUrl: string
  sourceSchema: string
  staging: StagingTable
  batchId: string
  loadTable: string
  /** The _source of every row. */
  source: string
  /** SQL condition on the source rows (trusted: built by the caller from validated values). */
  where: string | null
  chunkRows: number
  /** Called after every committed chunk: activities heartbeat here. */
  onChunk: (progress: { chunks: number; resumeAfter: string; bytes: number }) => void
}

export interface ChunkedCopyResult {
  chunks: number
  resumed: boolean
}

const literal = (value: string, type: string) => `${quoteLiteral(value)}::${type}`

/**
 * Each chunk commits in its own transaction together with etl.batches.resume_after; a copy
 * interrupted by a crash resumes after the last committed key. Rows stream through COPY and get
 * their hash on the way; the batch's columns are the load table's defaults. Node never holds
 * more than a buffer of rows.
 */
export async function chunkedCopy(warehouse: Sql, options: ChunkedCopyOptions): Promise<ChunkedCopyResult> {
  const { staging, loadTable, batchId } = options
  if (staging.keyColumns.length !== 1) {
    throw new BadInputError(
      `Chunked copy of ${staging.table} needs a one-column key, not ${staging.keyColumns.join(', ')}`,
    )
  }
  const key = staging.keyColumns[0] as string
  const keyType = staging.sourceColumns.find((column) => column.name === key)?.type ?? 'text'
  const load = `staging.${q(loadTable)}`
  const columns = staging.sourceColumns.map((column) => q(column.name)).join(', ')
  const keyPosition = staging.sourceColumns.findIndex((column) => column.name === key)

  const [state] = await warehouse<
    { chunks: number; resume_after: string | null; load_exists: boolean; extracted_at: string }[]
  >`
    select chunks_copied as chunks, resume_after, to_regclass(${`staging.${loadTable}`}) is not null as load_exists,
           started_at::text as extracted_at
    from etl.batches where batch_id = ${batchId}`
  if (!state) throw new Error(`Batch ${batchId} is not recorded`)
  let resumeAfter = state.chunks > 0 && state.load_exists ? state.resume_after : null
  let chunks = resumeAfter === null ? 0 : state.chunks
  if (resumeAfter === null) {
    await warehouse.unsafe(`drop table if exists ${load}`)
    // Shaped like the mirror (and logged like it): on a first load it becomes the mirror.
    await warehouse.unsafe(
      `create table ${load} (like staging.${q(staging.table)} including defaults including constraints)`,
    )
    // The batch's columns are the same on every row: defaults, not text COPY must parse per row.
    await warehouse.unsafe(
      `alter table ${load}
         alter column _batch_id set default ${literal(batchId, 'text')},
         alter column _extracted_at set default ${literal(state.extracted_at, 'timestamptz')},
         alter column _source set default ${literal(options.source, 'text')}`,
    )
    await warehouse`update etl.batches set chunks_copied = 0, resume_after = null where batch_id = ${batchId}`
  } else {
    await warehouse`update etl.batches set resumed_times = resumed_times + 1 where batch_id = ${batchId}`
  }
  const resumed = resumeAfter !== null

  let bytes = 0
  const copyChunks = async (source: CopyOutConnection, target: Sql) => {
    while (true) {
      const conditions = [options.where, resumeAfter === null ? null : `${q(key)} > ${literal(resumeAfter, keyType)}`]
        .filter((condition) => condition !== null)
        .join(' and ')
      const query =
        `select ${columns} from ${q(options.sourceSchema)}.${q(staging.table)}` +
        `${conditions ? ` where ${conditions}` : ''} order by ${q(key)} limit ${options.chunkRows}`
      const chunk = await copyOneChunk(source, target, options, query, load, columns, keyPosition, (n) => {
        bytes += n
      })
      if (chunk.rows === 0) break
      chunks += 1
      resumeAfter = chunk.lastKey
      options.onChunk({ chunks, resumeAfter, bytes })
      if (chunk.rows < options.chunkRows) break
    }
  }
  // One connection on each side for every chunk: a COPY holds its connection for long.
  await withCopyOutConnection(options.sourceUrl, { name: 'paccafe-extract', readOnly: true }, (source) =>
    withDedicatedConnection(options.warehouseUrl, { name: 'paccafe-load' }, (target) => copyChunks(source, target)),
  )
  return { chunks, resumed }
}

/**
 * Appends to each row of the source's COPY text (a line; newlines inside values are escaped)
 * its _row_hash: an MD5 of the line, that is of the source columns as COPY writes them. Counts
 * the rows and keeps the last line, whose key is the chunk's resume point.
 */
class HashRows extends Transform {
  rows = 0
  lastLine = ''
  private tail = ''
  private pending = ''
  private readonly decoder = new StringDecoder('utf8')

  constructor(private readonly countBytes: (n: number) => void) {
    super()
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.countBytes(data.length)
    const text = this.tail + this.decoder.write(data)
    const end = text.lastIndexOf('\n')
    if (end < 0) {
      this.tail = text
      callback()
      return
    }
    this.tail = text.slice(end + 1)
    const lines = text.slice(0, end).split('\n')
    for (const line of lines) this.pending += `${line}\t${hash('md5', line)}\n`
    this.rows += lines.length
    this.lastLine = lines[lines.length - 1] as string
    // Fewer, larger CopyData messages to the load side than one per socket read.
    if (this.pending.length >= 262_144) {
      this.push(this.pending)
      this.pending = ''
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.tail + this.decoder.end()
    if (rest) {
      callback(new Error('COPY output ended in the middle of a row'))
      return
    }
    if (this.pending) this.push(this.pending)
    callback()
  }
}

/** One chunk: COPY out of the source, COPY into the load table and the new resume point, in one warehouse transaction. */
async function copyOneChunk(
  source: CopyOutConnection,
  target: Sql,
  options: ChunkedCopyOptions,
  query: string,
  load: string,
  columns: string,
  keyPosition: number,
  countBytes: (n: number) => void,
): Promise<{ rows: number; lastKey: string }> {
  const rows = new HashRows(countBytes)
  await target.begin(async (tx) => {
    const writer = await tx.unsafe(`copy ${load} (${columns}, _row_hash) from stdin`).writable()
    await source.copyOut(query, (reader) => pipeline(reader, rows, writer))
    if (rows.rows > 0) {
      await tx`
        update etl.batches set chunks_copied = chunks_copied + 1,
          resume_after = ${rows.lastLine.split('\t')[keyPosition] ?? null}
        where batch_id = ${options.batchId}`
    }
  })
  return { rows: rows.rows, lastKey: rows.lastLine.split('\t')[keyPosition] ?? '' }
}
