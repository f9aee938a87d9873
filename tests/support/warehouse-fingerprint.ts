// What a pipeline run leaves behind, in a form two runs from the same sources can be compared
// by: every table of staging, clean, dq, warehouse and marts as a row count and a content
// checksum; the run's row accounting; and the run's quarantine objects in the bucket. What
// records how or when a row was written rather than what it holds is left out: the run and
// batch a row came from (they name the run), the time it was extracted or detected (for these,
// only whether it is set counts), identity numbers a retried insert may skip.
import { createHash } from 'node:crypto'
import type { Sql } from '../../lib/db.ts'
import type { ObjectStore } from '../../lib/object-store.ts'
import type { RowAccountingRecord } from '../../lib/run-summary.ts'

export const FINGERPRINT_SCHEMAS = ['staging', 'clean', 'dq', 'warehouse', 'marts']

type Treatment = 'omit' | 'presence'

/** Bookkeeping columns by name, in every schema. */
const ANY_SCHEMA: Record<string, Treatment> = {
  _run_id: 'omit',
  _replaced_in: 'omit',
  _batch_id: 'omit',
  _extracted_at: 'omit',
  _deleted_at: 'presence',
}

/** Bookkeeping columns of one schema (elsewhere the same names can be source columns). */
const BY_SCHEMA: Record<string, Record<string, Treatment>> = {
  clean: { extracted_at: 'omit' },
  dq: {
    run_id: 'omit',
    batch_id: 'omit',
    violation_id: 'omit',
    object_key: 'omit', // names the run; the objects themselves are compared in the bucket
    checksum: 'omit', // of an object whose lines name the run's batch: compared in the bucket
    detected_at: 'presence',
    created_at: 'presence',
    updated_at: 'presence',
    resolved_at: 'presence',
    // A quarantine batch is named after the run that held its rows back.
    quarantine_batch_id: 'omit',
    last_seen_run_id: 'omit',
    resolved_in_run: 'omit',
    workflow_id: 'omit',
    object_prefix: 'omit',
    closed_at: 'presence',
  },
}

function treatment(schema: string, column: string): Treatment | undefined {
  return BY_SCHEMA[schema]?.[column] ?? ANY_SCHEMA[column]
}

/**
 * Tables that record each run apart (a run's verdicts, rule results, quarantine index): with
 * `runId`, only that run's rows are compared, so a run that follows a failed one compares too.
 */
const RUN_RECORDS = new Set(['dq.verdicts', 'dq.rule_results', 'dq.quarantine_objects'])

export type TableFingerprint = Record<string, { rows: number; checksum: string }>

/** Row count and content checksum of every base table in `schemas` (of RUN_RECORDS, `runId`'s rows only). */
export async function tableFingerprint(
  sql: Sql,
  options: { runId?: string; schemas?: string[] } = {},
): Promise<TableFingerprint> {
  const schemas = options.schemas ?? FINGERPRINT_SCHEMAS
  const columns = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
    select c.table_schema, c.table_name, c.column_name
    from information_schema.columns as c
    join information_schema.tables as t using (table_schema, table_name)
    where c.table_schema in ${sql(schemas)} and t.table_type = 'BASE TABLE'
    order by c.table_schema, c.table_name, c.ordinal_position`
  const tables = new Map<string, string[]>()
  for (const { table_schema, table_name, column_name } of columns) {
    const name = `${table_schema}.${table_name}`
    const expressions = tables.get(name) ?? []
    tables.set(name, expressions)
    const quoted = `"${column_name.replaceAll('"', '""')}"`
    const how = treatment(table_schema, column_name)
    if (how === 'presence') expressions.push(`(${quoted} is not null)`)
    else if (how !== 'omit') expressions.push(quoted)
  }
  const fingerprint: TableFingerprint = {}
  for (const [name, expressions] of tables) {
    const [schema, table] = name.split('.') as [string, string]
    const row = `md5(row(${expressions.join(', ')})::text)`
    const ofRun = options.runId !== undefined && RUN_RECORDS.has(name)
    const [summary] = await sql.unsafe<{ rows: number; checksum: string }[]>(
      `select count(*)::int as rows, coalesce(md5(string_agg(${row}, '' order by ${row})), '') as checksum
       from "${schema}"."${table.replaceAll('"', '""')}" ${ofRun ? 'where run_id = $1' : ''}`,
      ofRun ? [options.runId as string] : [],
    )
    fingerprint[name] = summary ?? { rows: 0, checksum: '' }
  }
  return fingerprint
}

export type AccountingRow = RowAccountingRecord

/** The run's row accounting, table by table. */
export async function rowAccounting(sql: Sql, runId: string): Promise<AccountingRow[]> {
  return sql<AccountingRow[]>`
    select table_name, rows_extracted, rows_published, rows_rejected, rows_deleted, difference
    from etl.row_accounting where run_id = ${runId} order by table_name`
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function readObject(store: ObjectStore, key: string): Promise<Buffer> {
  const stream = await store.client.getObject(store.bucket, key)
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const REPORTS_PREFIX = 'reports/'

/**
 * The bucket's objects (the run reports left out), keyed with the run id replaced by `<run>`: an md5 of each object's
 * content (the run id replaced there too). A manifest entry whose object is missing or whose
 * bytes do not match its recorded SHA-256, and an object recorded in dq.quarantine_objects
 * that is not in the bucket as recorded, are listed under `problems`.
 */
export async function quarantineFingerprint(
  sql: Sql,
  store: ObjectStore,
  runId: string,
  options: { otherRuns?: 'ignore' } = {},
): Promise<{ objects: Record<string, string>; problems: string[] }> {
  const normal = (text: string) => text.replaceAll(runId, '<run>')
  const contents = new Map<string, Buffer>()
  for await (const item of store.client.listObjectsV2(store.bucket, '', true)) {
    if (!item.name || (options.otherRuns === 'ignore' && !item.name.includes(runId))) continue
    // A run's report is a view of the marts with its times in it, not data the run kept.
    if (item.name.startsWith(REPORTS_PREFIX)) continue
    contents.set(item.name, await readObject(store, item.name))
  }
  const objects: Record<string, string> = {}
  const problems: string[] = []
  for (const [key, bytes] of [...contents].sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.endsWith('/manifest.json')) {
      objects[normal(key)] = md5(normal(bytes.toString('utf8')))
      continue
    }
    const manifest = JSON.parse(bytes.toString('utf8')) as { objects: { object_key: string; sha256: string }[] }
    for (const entry of manifest.objects) {
      const object = contents.get(entry.object_key)
      if (!object) problems.push(`${key} lists ${entry.object_key}, which is not in the bucket`)
      else if (sha256(object) !== entry.sha256) problems.push(`${entry.object_key} differs from its manifest entry`)
    }
    const withoutHashes = manifest.objects.map(({ sha256: _, ...entry }) => entry)
    objects[normal(key)] = md5(normal(JSON.stringify({ ...manifest, objects: withoutHashes })))
  }
  const recorded = await sql<{ object_key: string; checksum: string }[]>`
    select object_key, checksum from dq.quarantine_objects where run_id = ${runId}`
  for (const { object_key, checksum } of recorded) {
    const object = contents.get(object_key)
    if (!object) problems.push(`dq.quarantine_objects records ${object_key}, which is not in the bucket`)
    else if (sha256(object) !== checksum) problems.push(`${object_key} differs from dq.quarantine_objects`)
  }
  return { objects, problems }
}

export interface RunSnapshot {
  tables: TableFingerprint
  accounting: AccountingRow[]
  quarantine: Record<string, string>
}

/**
 * Everything a run from the same sources must leave the same. With `otherRuns: 'ignore'` the
 * quarantine objects of other runs (a failed run before it) are left out.
 */
export async function runSnapshot(
  sql: Sql,
  store: ObjectStore,
  runId: string,
  options: { otherRuns?: 'ignore' } = {},
): Promise<{ snapshot: RunSnapshot; problems: string[] }> {
  const quarantine = await quarantineFingerprint(sql, store, runId, options)
  return {
    snapshot: {
      tables: await tableFingerprint(sql, { runId }),
      accounting: await rowAccounting(sql, runId),
      quarantine: quarantine.objects,
    },
    problems: quarantine.problems,
  }
}

/** The tables whose fingerprint differs, for a failure message that names them. */
export function differingTables(actual: TableFingerprint, expected: TableFingerprint): string[] {
  const names = new Set([...Object.keys(actual), ...Object.keys(expected)])
  return [...names]
    .filter((name) => JSON.stringify(actual[name]) !== JSON.stringify(expected[name]))
    .map(
      (name) =>
        `${name}: ${JSON.stringify(actual[name] ?? 'missing')} vs ${JSON.stringify(expected[name] ?? 'missing')}`,
    )
    .sort()
}
