// PostgreSQL access through postgres.js. Values always travel as parameters of tagged
// templates; identifiers come from fixed lists or the driver's sql(identifier) helper.
import postgres from 'postgres'
import { databaseName } from './config.ts'
import { onCancellation } from './heartbeat.ts'

export type Sql = postgres.Sql
export type TransactionSql = postgres.TransactionSql

export interface ConnectOptions {
  /** Application name shown in pg_stat_activity. */
  name?: string
  max?: number
  /** Every transaction read-only: how the pipeline connects to a source it must never write. */
  readOnly?: boolean
  /** More session settings, on top of SESSION_SETTINGS. */
  settings?: Record<string, string>
}

/** Settings of every pipeline session (the benchmark's floors use them too, to compare like with like). */
export const SESSION_SETTINGS = {
  // JIT compiling a model's query took longer than running it, at every scale measured
  // (npm run bench -- models); the pipeline's set-based SQL does not gain.
  jit: 'off',
  // Joins of a million orders spill at the default; spilled batches of a skewed key (walk-in
  // orders have none) made one join many times slower. Two models build at once.
  work_mem: '128MB',
  // A first build sorts every row of a table per index (and a first load, per staging key):
  // at the default the indexes of a million-row table sort on disk.
  maintenance_work_mem: '256MB',
} as const

/**
 * Settings of the pipeline's sessions in its own database. PostgreSQL checks every few seconds
 * that the client of a running statement is still there, and abandons the statement of a worker
 * that died (otherwise it runs on, holding its locks, and the retry waits behind it). Not set
 * on the source, which may be a PostgreSQL older than 14 (it would refuse the connection); a
 * source backend notices a dead reader as soon as it sends it rows.
 */
export const WRITER_SESSION_SETTINGS = { client_connection_check_interval: '5s' } as const

/** The same settings as libpq's `options` (PGOPTIONS): for node-postgres and psql. */
export const SESSION_OPTIONS = Object.entries(SESSION_SETTINGS)
  .map(([name, value]) => `-c ${name}=${value}`)
  .join(' ')

const CONNECT_TIMEOUT_SECONDS = 10

export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 4,
    // An address that never answers fails a connection in seconds, not postgres.js' 30.
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    onnotice: () => {},
    connection: {
      application_name: options.name ?? 'paccafe',
      ...SESSION_SETTINGS,
      ...(options.readOnly ? { default_transaction_read_only: true } : WRITER_SESSION_SETTINGS),
      ...options.settings,
    },
    transform: { undefined: null },
  })
}

/** The URL of the maintenance database on the same server, to create or drop databases. */
function maintenanceUrl(url: string): string {
  const parsed = new URL(url)
  parsed.pathname = '/postgres'
  return parsed.toString()
}

/** Creates the database named in `url` when it does not exist. Returns true when created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url)
  const admin = connect(maintenanceUrl(url), { max: 1, name: 'paccafe-admin' })
  try {
    const [existing] = await admin`select 1 from pg_database where datname = ${name}`
    if (existing) return false
    try {
      await admin`create database ${admin(name)}`
    } catch (error) {
      // Two processes may race to create it; the loser sees duplicate_database.
      if ((error as { code?: string }).code !== '42P04') throw error
      return false
    }
    return true
  } finally {
    await admin.end()
  }
}

/** Drops the database named in `url` (tests only), ending its connections first. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url)
  const admin = connect(maintenanceUrl(url), { max: 1, name: 'paccafe-admin' })
  try {
    await admin`drop database if exists ${admin(name)} with (force)`
  } finally {
    await admin.end()
  }
}

/**
 * Runs `work` on a connection of its own, closed afterwards. A chunked COPY into staging uses
 * it: it holds a connection for the whole copy, which would starve the shared pool while the
 * other tables extract.
 */
export async function withDedicatedConnection<T>(
  url: string,
  options: { name: string; readOnly?: boolean },
  work: (sql: Sql) => Promise<T>,
): Promise<T> {
  const sql = connect(url, { ...options, max: 1 })
  try {
    return await work(sql)
  } finally {
    // The work is done (or failed) by now; a COPY cut short would only make a graceful end wait.
    await sql.end({ timeout: 0 })
  }
}

/**
 * Runs `work` on a connection of its own whose statement is cancelled in PostgreSQL
 * (pg_cancel_backend, sent through `pool`) when the activity is cancelled or times out, so a
 * retry never races a statement still running for an attempt given up on.
 */
export async function withCancellableSession<T>(
  url: string,
  pool: Sql,
  name: string,
  work: (sql: Sql) => Promise<T>,
): Promise<T> {
  return withDedicatedConnection(url, { name }, async (session) => {
    const [backend] = await session<{ pid: number }[]>`select pg_backend_pid() as pid`
    return onCancellation(
      () => pool`select pg_cancel_backend(${backend?.pid ?? 0})`,
      () => work(session),
    )
  })
}

/**
 * Refreshes the planner's statistics of a table after a write that changed a tenth of it or
 * more (autovacuum's rule, applied at once). A table just filled has none until autovacuum
 * comes, and the planner may then expect one row and pick nested loops over millions. ANALYZE
 * samples a bounded number of rows (300 per point of the statistics target), so even a large
 * table costs a fraction of a second. `statisticsTarget` sets the target until the transaction
 * ends, so pass a transaction's sql (outside one it would not reach the ANALYZE).
 */
export async function refreshStatistics(
  sql: Sql | TransactionSql,
  table: string,
  changedRows: number,
  options: { statisticsTarget?: number } = {},
): Promise<void> {
  if (changedRows === 0) return
  const [stats] = await sql<
    { rows: number }[]
  >`select reltuples::float8 as rows from pg_class where oid = ${table}::regclass`
  const known = stats?.rows ?? -1
  if (known >= 0 && changedRows < 0.1 * known) return
  if (options.statisticsTarget) {
    await sql`select set_config('default_statistics_target', ${String(options.statisticsTarget)}, true)`
  }
  await sql.unsafe(`analyze ${table}`)
}
