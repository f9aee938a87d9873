// Copies a source table into a load table in key-ordered chunks, each chunk committed in its
// own transaction together with the batch's resume point (etl.batches.resume_after). A copy
// interrupted by a crash resumes after the last committed key, so every row is loaded once.
// Rows stream through COPY: Node never holds more than a stream buffer of them.
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type Sql, withDedicatedConnection } from './db.ts'
import { BadInputError } from './errors.ts'
import { quoteIdentifier as q, type StagingTable } from './staging-catalog.ts'

export interface ChunkedCopyOptions {
  sourceUrl: string
  warehouseUrl: string
  sourceSchema: string
  staging: StagingTable
  batchId: string
  loadTable: string
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

const literal = (value: string, type: string) => `'${value.replace(/'/g, "''")}'::${type}`

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

  const [state] = await warehouse<{ chunks: number; resume_after: string | null; load_exists: boolean }[]>`
    select chunks_copied as chunks, resume_after, to_regclass(${`staging.${loadTable}`}) is not null as load_exists
    from etl.batches where batch_id = ${batchId}`
  let resumeAfter = state && state.chunks > 0 && state.load_exists ? state.resume_after : null
  let chunks = resumeAfter === null ? 0 : (state?.chunks ?? 0)
  if (resumeAfter === null) {
    await warehouse.unsafe(`drop table if exists ${load}`)
    await warehouse.unsafe(
      `create unlogged table ${load} as select ${columns} from staging.${q(staging.table)} with no data`,
    )
    await warehouse`update etl.batches set chunks_copied = 0, resume_after = null where batch_id = ${batchId}`
  } else {
    await warehouse`update etl.batches set resumed_times = resumed_times + 1 where batch_id = ${batchId}`
  }
  const resumed = resumeAfter !== null

  let bytes = 0
  while (true) {
    const conditions = [options.where, resumeAfter === null ? null : `${q(key)} > ${literal(resumeAfter, keyType)}`]
      .filter((condition) => condition !== null)
      .join(' and ')
    const query =
      `select ${columns} from ${q(options.sourceSchema)}.${q(staging.table)}` +
      `${conditions ? ` where ${conditions}` : ''} order by ${q(key)} limit ${options.chunkRows}`
    const chunk = await copyOneChunk(options, query, load, columns, keyPosition, (n) => {
      bytes += n
    })
    if (chunk.rows === 0) break
    chunks += 1
    resumeAfter = chunk.lastKey
    options.onChunk({ chunks, resumeAfter, bytes })
    if (chunk.rows < options.chunkRows) break
  }
  return { chunks, resumed }
}

/**
 * One chunk: COPY out of the source, COPY into the load table and the new resume point, in one
 * warehouse transaction. Each side uses a connection of its own (see withDedicatedConnection).
 * The rows and the last key are read off the COPY text as it passes: one line per row (newlines
 * inside values are escaped), fields separated by tabs.
 */
async function copyOneChunk(
  options: ChunkedCopyOptions,
  query: string,
  load: string,
  columns: string,
  keyPosition: number,
  countBytes: (n: number) => void,
): Promise<{ rows: number; lastKey: string }> {
  let rows = 0
  let tail = ''
  let lastLine = ''
  const meter = new Transform({
    transform(data: Buffer, _encoding, callback) {
      countBytes(data.length)
      const text = tail + data.toString('utf8')
      const end = text.lastIndexOf('\n')
      if (end >= 0) {
        const complete = text.slice(0, end)
        for (let i = complete.indexOf('\n'); i !== -1; i = complete.indexOf('\n', i + 1)) rows++
        rows++
        lastLine = complete.slice(complete.lastIndexOf('\n') + 1)
        tail = text.slice(end + 1)
      } else {
        tail = text
      }
      callback(null, data)
    },
  })
  await withDedicatedConnection(options.sourceUrl, { name: 'paccafe-extract', readOnly: true }, (source) =>
    withDedicatedConnection(options.warehouseUrl, { name: 'paccafe-load' }, (target) =>
      target.begin(async (tx) => {
        const reader = await source.unsafe(`copy (${query}) to stdout`).readable()
        const writer = await tx.unsafe(`copy ${load} (${columns}) from stdin`).writable()
        await pipeline(reader, meter, writer)
        if (rows > 0) {
          await tx`
            update etl.batches set chunks_copied = chunks_copied + 1, resume_after = ${lastLine.split('\t')[keyPosition] ?? null}
            where batch_id = ${options.batchId}`
        }
      }),
    ),
  )
  return { rows, lastKey: lastLine.split('\t')[keyPosition] ?? '' }
}
