// COPY ... TO STDOUT from a source database, through node-postgres and pg-copy-streams: postgres.js
// hands COPY output over one chunk per row, a cost that outweighs the copy itself on a large table.
import type { Readable } from 'node:stream'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { SESSION_OPTIONS } from '../db.ts'

export interface CopyOutConnection {
  /** Runs `COPY (query) TO STDOUT` and hands its text stream to `consume`. */
  copyOut<T>(query: string, consume: (data: Readable) => Promise<T>): Promise<T>
}

export interface CopyOutOptions {
  /** Application name shown in pg_stat_activity. */
  name: string
  /** Every transaction read-only: how the pipeline connects to a source it must never write. */
  readOnly: boolean
}

/**
 * Runs `work` on a COPY connection of its own, closed afterwards (at once if the work failed).
 * pg-copy-streams hands over what each socket read brings, and leaves the connection usable
 * after a COPY, so one connection serves every chunk.
 */
export async function withCopyOutConnection<T>(
  url: string,
  options: CopyOutOptions,
  work: (connection: CopyOutConnection) => Promise<T>,
): Promise<T> {
  const settings = [SESSION_OPTIONS, ...(options.readOnly ? ['-c default_transaction_read_only=on'] : [])]
  const client = new pg.Client({ connectionString: url, application_name: options.name, options: settings.join(' ') })
  // An error in a COPY reaches its stream, and through it `work`; one on the idle connection
  // would reach the next COPY. Without a listener node-postgres would throw it at the process.
  client.on('error', () => {})
  await client.connect()
  try {
    return await work({
      copyOut: (query, consume) => consume(client.query(copyTo(`copy (${query}) to stdout`))),
    })
  } finally {
    // With a COPY still running (the work failed), end() drops the socket instead of waiting.
    await client.end()
  }
}
