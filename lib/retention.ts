// Retention (docs/retention.md): what no later run, no batch still waiting for a person and no
// current row needs any more is expired once it is older than its configured age. Objects
// holding customer data (quarantined rows, failed loads) go soonest; nothing of a quarantine
// batch that is still open, or of a failed load not yet reloaded or discarded, ever goes.

import type { LifecycleConfig, LifecycleRule } from 'minio'
import type { RetentionAges } from './config.ts'
import type { Sql, TransactionSql } from './db.ts'
import { BadInputError } from './errors.ts'
import { loadTableName } from './extract/batch-names.ts'
import { describeStagingTable, naturalKeyExpression } from './extract/staging-catalog.ts'
import type { ObjectStore } from './object-store.ts'
import { quoteIdentifier as q, quoteLiteral } from './sql-text.ts'

export type RetentionKind =
  | 'quarantine objects'
  | 'failed-load objects'
  | 'verdicts'
  | 'violations'
  | 'clean rows'
  | 'staging load tables'
  | 'report objects'

export interface KindReport {
  kind: RetentionKind
  ageDays: number
  unit: 'objects' | 'rows' | 'tables'
  /** What was expired (or, in a dry run, would be). */
  expired: number
  /** The age in days of the oldest thing expired, null when nothing was. */
  oldestDays: number | null
  /** One line per thing old enough that was kept, and why. */
  kept: string[]
  /** What went with it, when there is more to say (the index rows of the objects). */
  note?: string
}

export type LifecycleOutcome =
  | { state: 'set'; rules: string[] }
  | { state: 'unsupported'; reason: string }
  | { state: 'not checked' }

export interface RetentionReport {
  dryRun: boolean
  kinds: KindReport[]
  lifecycle: LifecycleOutcome
}

/** The statuses of a quarantine batch whose rows still wait for a person. */
export const WAITING_BATCH_STATUSES = ['open', 'reprocessing', 'partly_reprocessed'] as const

/** Objects under these prefixes hold source rows, customer data among them. */
export const QUARANTINE_ROOT = 'quarantine/'
export const FAILED_ROOT = 'failed/'
/** Run reports: aggregates, rebuilt from the marts at will (paccafe report). */
export const REPORTS_ROOT = 'reports/'

/** The tag the command puts on a closed batch's objects, which the lifecycle rule matches. */
export const CLOSED_TAG = { Key: 'paccafe-retention', Value: 'closed' }

/**
 * Expires (or with dryRun only counts) every kind, one database transaction per kind. Refused
 * while a run holds the writer lock: a run reads and rewrites what retention deletes.
 */
export async function applyRetention(
  sql: Sql,
  store: ObjectStore,
  ages: RetentionAges,
  options: { dryRun: boolean },
): Promise<RetentionReport> {
  await assertNoRunWriting(sql)
  const kinds: KindReport[] = [
    await expireQuarantineObjects(sql, store, ages.quarantineDays, options.dryRun),
    await expireFailedLoadObjects(sql, store, ages.quarantineDays, options.dryRun),
    await expireVerdicts(sql, ages.verdictsDays, options.dryRun),
    await expireViolations(sql, ages.verdictsDays, options.dryRun),
    await expireCleanRows(sql, ages.cleanDays, options.dryRun),
    await expireLoadTables(sql, ages.stagingDays, options.dryRun),
    await expireReportObjects(sql, store, ages.reportsDays, options.dryRun),
  ]
  const lifecycle = options.dryRun
    ? ({ state: 'not checked' } as const)
    : await ensureLifecycleRules(sql, store, ages.quarantineDays)
  return { dryRun: options.dryRun, kinds, lifecycle }
}

/** Fails unless no run holds the writer lock; in a transaction, also keeps a run from taking it until commit. */
async function assertNoRunWriting(sql: Sql | TransactionSql): Promise<void> {
  const [writer] = await sql<{ run_id: string }[]>`
    select l.run_id from etl.publish_lock as l join etl.runs as r using (run_id) where r.status = 'running'`
  if (writer) {
    throw new BadInputError(
      `Run ${writer.run_id} is writing (it holds the writer lock): retention expires nothing while a run is on; try again when it has finished`,
    )
  }
}

async function inKindTransaction<T>(sql: Sql, dryRun: boolean, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    // Share row exclusive: a run's insert into the lock waits until this kind is done.
    await tx`lock table etl.publish_lock in share row exclusive mode`
    await assertNoRunWriting(tx)
    if (dryRun) await tx`set transaction read only`
    return work(tx)
  }) as Promise<T>
}

/** Days since a timestamp, as a float (extract gives numeric, which the driver hands over as text). */
const AGE = (timestamp: string) => `(extract(epoch from now() - ${timestamp}) / 86400)::float8`

// ---------------------------------------------------------------------------------------------
// Objects

interface RunPrefix {
  run_id: string
  /** The run's start, or null when etl.runs does not know it. */
  age_days: number | null
  run_status: string | null
  batch_status: string | null
  rows_waiting: number
}

/**
 * quarantine/run=<id>/: the NDJSON objects, manifests, rows.csv and corrected files of one run.
 * A run's prefix expires with its batch closed (reprocessed or discarded), or when the run opened
 * none (it failed, and the next run's batch holds its rows again), once the run is older than the
 * age. dq.quarantine_objects loses the same runs' rows, whether or not the objects were still there.
 */
async function expireQuarantineObjects(
  sql: Sql,
  store: ObjectStore,
  ageDays: number,
  dryRun: boolean,
): Promise<KindReport> {
  const keysByRun = await objectsByRun(store, QUARANTINE_ROOT)
  return inKindTransaction(sql, dryRun, async (tx) => {
    const runs = await tx<RunPrefix[]>`
      with prefixes as (
        select unnest(${[...keysByRun.keys()]}::text[]) as run_id
        union select run_id from dq.quarantine_objects
      )
      select p.run_id,
             (extract(epoch from now() - r.started_at) / 86400)::float8 as age_days,
             r.status as run_status, b.status as batch_status,
             (select count(distinct (v.table_name, v.natural_key))::int from dq.violations as v
              where v.quarantine_batch_id = b.batch_id and v.status = 'open') as rows_waiting
      from prefixes as p
      left join etl.runs as r on r.run_id = p.run_id
      left join dq.quarantine_batches as b on b.batch_id = p.run_id
      order by p.run_id`
    const kept: string[] = []
    const expiredRuns: RunPrefix[] = []
    for (const run of runs) {
      const age = run.age_days ?? newestObjectAge(keysByRun.get(run.run_id))
      if (age < ageDays || run.run_status === 'running') continue
      if (run.batch_status && (WAITING_BATCH_STATUSES as readonly string[]).includes(run.batch_status)) {
        kept.push(
          `batch ${run.run_id} is ${run.batch_status} (${run.rows_waiting} rows waiting, ${days(age)} old): kept until it is reprocessed or discarded`,
        )
        continue
      }
      expiredRuns.push({ ...run, age_days: age })
    }
    const expiredIds = expiredRuns.map((run) => run.run_id)
    const keys = expiredIds.flatMap((id) => (keysByRun.get(id) ?? []).map((object) => object.name))
    const [indexed] = await tx<{ rows: number }[]>`
      select count(*)::int as rows from dq.quarantine_objects where run_id = any(${expiredIds}::text[])`
    if (!dryRun) {
      await removeObjects(store, keys)
      await tx`delete from dq.quarantine_objects where run_id = any(${expiredIds}::text[])`
    }
    return {
      kind: 'quarantine objects',
      ageDays,
      unit: 'objects',
      expired: keys.length,
      oldestDays: oldest(expiredRuns.map((run) => run.age_days ?? 0)),
      kept,
      note: `${expiredRuns.length} runs, ${indexed?.rows ?? 0} rows of dq.quarantine_objects`,
    }
  })
}

/**
 * failed/run=<id>/table=<table>/...: a failed load's rows (or file) and its error.json, once the
 * load was reloaded or discarded and is older than the age. An open failed load is kept: its
 * objects are the only copy the reload reads. Its etl.failed_loads row stays, as the record.
 */
async function expireFailedLoadObjects(
  sql: Sql,
  store: ObjectStore,
  ageDays: number,
  dryRun: boolean,
): Promise<KindReport> {
  const present = new Set((await listObjects(store, FAILED_ROOT)).map((object) => object.name))
  return inKindTransaction(sql, dryRun, async (tx) => {
    const loads = await tx<{ failed_load_id: string; status: string; keys: string[]; age_days: number }[]>`
      select failed_load_id, status, array_remove(array[object_key, error_key], null) as keys,
             (extract(epoch from now() - created_at) / 86400)::float8 as age_days
      from etl.failed_loads
      where created_at < now() - make_interval(days => ${ageDays})
      order by failed_load_id`
    const kept = loads
      .filter((load) => load.status === 'open')
      .map(
        (load) =>
          `failed load ${load.failed_load_id} is open (${days(load.age_days)} old): kept until it is reloaded or discarded`,
      )
    const expired = loads.filter((load) => load.status !== 'open' && load.keys.some((key) => present.has(key)))
    const keys = expired.flatMap((load) => load.keys.filter((key) => present.has(key)))
    if (!dryRun) await removeObjects(store, keys)
    return {
      kind: 'failed-load objects',
      ageDays,
      unit: 'objects',
      expired: keys.length,
      oldestDays: oldest(expired.map((load) => load.age_days)),
      kept,
    }
  })
}

/**
 * reports/run=<id>/report.html: a run's report, once the run is older than the age. The newest
 * run's report stays however old (the one people open), as does a running run's. The run's
 * report_key is cleared once its object is gone, so that no summary names a missing object.
 */
async function expireReportObjects(
  sql: Sql,
  store: ObjectStore,
  ageDays: number,
  dryRun: boolean,
): Promise<KindReport> {
  const keysByRun = await objectsByRun(store, REPORTS_ROOT)
  return inKindTransaction(sql, dryRun, async (tx) => {
    const runs = await tx<{ run_id: string; age_days: number | null; run_status: string | null }[]>`
      select p.run_id, (extract(epoch from now() - r.started_at) / 86400)::float8 as age_days, r.status as run_status
      from unnest(${[...keysByRun.keys()]}::text[]) as p (run_id)
      left join etl.runs as r on r.run_id = p.run_id`
    const aged = runs
      .map((run) => ({ ...run, age: run.age_days ?? newestObjectAge(keysByRun.get(run.run_id)) }))
      .sort((a, b) => a.age - b.age || b.run_id.localeCompare(a.run_id))
    const [newest, ...older] = aged
    const kept =
      newest && newest.age >= ageDays
        ? [`report of run ${newest.run_id} (${days(newest.age)} old): kept, the latest run's report`]
        : []
    const expired = older.filter((run) => run.age >= ageDays && run.run_status !== 'running')
    const expiredIds = expired.map((run) => run.run_id)
    const keys = expiredIds.flatMap((id) => (keysByRun.get(id) ?? []).map((object) => object.name))
    if (!dryRun) {
      await removeObjects(store, keys)
      // Every old run whose report is gone loses its key, also one whose object an interrupted
      // retention deleted before it could clear the key: a second run converges.
      const expiredKeys = new Set(keys)
      const left = [...keysByRun.values()].flat().map((object) => object.name)
      await tx`
        update etl.runs set report_key = null, report_bytes = null
        where report_key is not null and status <> 'running'
          and started_at < now() - make_interval(days => ${ageDays})
          and report_key <> all(${left.filter((key) => !expiredKeys.has(key))}::text[])`
    }
    return {
      kind: 'report objects',
      ageDays,
      unit: 'objects',
      expired: keys.length,
      oldestDays: oldest(expired.map((run) => run.age)),
      kept,
    }
  })
}

/** The objects under root, by the run of their `<root>run=<id>/` prefix. */
async function objectsByRun(store: ObjectStore, root: string): Promise<Map<string, StoredObject[]>> {
  const byRun = new Map<string, StoredObject[]>()
  for (const object of await listObjects(store, root)) {
    const runId = /^run=([^/]+)\//.exec(object.name.slice(root.length))?.[1]
    if (runId) byRun.set(runId, [...(byRun.get(runId) ?? []), object])
  }
  return byRun
}

/** A prefix no run of this database knows is aged by its newest object. */
function newestObjectAge(objects: StoredObject[] | undefined): number {
  const newest = Math.max(...(objects ?? []).map((object) => object.lastModified.getTime()))
  return Number.isFinite(newest) ? (Date.now() - newest) / 86_400_000 : 0
}

interface StoredObject {
  name: string
  lastModified: Date
}

async function listObjects(store: ObjectStore, prefix: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = []
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true)) {
    if (item.name) objects.push({ name: item.name, lastModified: item.lastModified })
  }
  return objects
}

async function removeObjects(store: ObjectStore, keys: string[]): Promise<void> {
  // S3 deletes at most 1,000 keys per request.
  for (let start = 0; start < keys.length; start += 1000) {
    const results = await store.client.removeObjects(store.bucket, keys.slice(start, start + 1000))
    const failed = results.find((result) => result?.Error)
    if (failed?.Error) {
      throw new Error(`The bucket refused to delete ${failed.Error.Key}: ${failed.Error.Code} ${failed.Error.Message}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

/** The tables that have both a staging mirror and rows in `table` (dq.verdicts, dq.violations). */
async function stagedTablesIn(tx: TransactionSql, table: 'dq.verdicts' | 'dq.violations'): Promise<string[]> {
  const rows = await tx.unsafe<{ table_name: string }[]>(
    `select distinct t.table_name from ${table} as t
     where to_regclass('staging.' || quote_ident(t.table_name)) is not null order by t.table_name`,
  )
  return rows.map((row) => row.table_name)
}

/** The keys of a table's rows that wait in a quarantine batch not yet closed: nothing of theirs expires. */
const waitingKeys = (table: string) => `
  select x.natural_key from dq.violations as x
  join dq.quarantine_batches as b on b.batch_id = x.quarantine_batch_id
  where x.table_name = ${quoteLiteral(table)} and x.status = 'open'
    and b.status in (${WAITING_BATCH_STATUSES.map((status) => `'${status}'`).join(', ')})`

/**
 * What expires of one kind of rows in one table: the candidates (each with its age and whether
 * its row waits in a quarantine batch), the table they are deleted from (aliased) and how a
 * row of it is one of the candidates (`e`).
 */
interface ExpiringRows {
  candidates: string
  from: string
  matches: string
  parameters: (string | number)[]
}

/**
 * One kind of rows, table by table: each table's candidates counted (those of waiting rows
 * apart) and deleted unless this is a dry run. `expiring` gets the table and its staging rows'
 * natural key expression (on alias `s`).
 */
async function expireRowsPerTable(
  tx: TransactionSql,
  dryRun: boolean,
  kind: RetentionKind,
  ageDays: number,
  tables: string[],
  expiring: (table: string, stagingKey: string) => ExpiringRows,
): Promise<KindReport> {
  const totals = { expired: 0, kept: 0, ages: [] as (number | null)[] }
  for (const table of tables) {
    const staging = await describeStagingTable(tx as unknown as Sql, table)
    const rows = expiring(table, naturalKeyExpression(staging.keyColumns, 's'))
    const [measured] = await tx.unsafe<{ expired: number; kept: number; oldest_days: number | null }[]>(
      `with candidates as (${rows.candidates})
       select count(*) filter (where not waiting)::int as expired,
              count(*) filter (where waiting)::int as kept,
              max(age_days) filter (where not waiting) as oldest_days
       from candidates`,
      rows.parameters,
    )
    if (!dryRun && measured && measured.expired > 0) {
      await tx.unsafe(
        `with expired as (${rows.candidates})
         delete from ${rows.from} using expired as e where ${rows.matches} and not e.waiting`,
        rows.parameters,
      )
    }
    totals.expired += measured?.expired ?? 0
    totals.kept += measured?.kept ?? 0
    totals.ages.push(measured?.oldest_days ?? null)
  }
  return rowsReport(kind, ageDays, totals)
}

/**
 * A verdict expires once its run is older than the age and its row has been staged again since:
 * the staging row's _batch_id names another batch. The current verdict of every staged row
 * stays (publishing, reconciliation and the models' floor read it through _batch_id).
 */
async function expireVerdicts(sql: Sql, ageDays: number, dryRun: boolean): Promise<KindReport> {
  return inKindTransaction(sql, dryRun, async (tx) =>
    expireRowsPerTable(tx, dryRun, 'verdicts', ageDays, await stagedTablesIn(tx, 'dq.verdicts'), (table, key) => ({
      candidates: `
        select v.batch_id, v.natural_key, ${AGE('r.started_at')} as age_days,
               v.natural_key in (${waitingKeys(table)}) as waiting
        from dq.verdicts as v
        join etl.runs as r on r.run_id = v.run_id
        where v.table_name = $1 and r.status <> 'running' and r.started_at < now() - make_interval(days => $2)
          and not exists (select 1 from staging.${q(table)} as s where ${key} = v.natural_key and s._batch_id = v.batch_id)`,
      from: 'dq.verdicts as v',
      matches: 'v.table_name = $1 and v.batch_id = e.batch_id and v.natural_key = e.natural_key',
      parameters: [table, ageDays],
    })),
  )
}

/**
 * A violation expires once resolved (reprocessed or discarded) longer ago than the age, its
 * batch closed; a warning (no batch) once older than the age with its row changed since (the
 * staging row's hash is another, and no correction is active on the row).
 */
async function expireViolations(sql: Sql, ageDays: number, dryRun: boolean): Promise<KindReport> {
  return inKindTransaction(sql, dryRun, async (tx) =>
    expireRowsPerTable(tx, dryRun, 'violations', ageDays, await stagedTablesIn(tx, 'dq.violations'), (table, key) => ({
      candidates: `
        select v.violation_id,
               ${AGE('coalesce(v.resolved_at, v.detected_at)')} as age_days,
               v.natural_key in (${waitingKeys(table)}) as waiting
        from dq.violations as v
        left join dq.quarantine_batches as b on b.batch_id = v.quarantine_batch_id
        where v.table_name = $1
          and (
            (v.status in ('reprocessed', 'discarded')
             and v.resolved_at < now() - make_interval(days => $2)
             and (b.batch_id is null or b.status in ('reprocessed', 'discarded')))
            or
            (v.status = 'open' and v.quarantine_batch_id is null
             and v.detected_at < now() - make_interval(days => $2)
             and not exists (select 1 from staging.${q(table)} as s where ${key} = v.natural_key and s._row_hash = v.row_hash)
             and not exists (select 1 from dq.corrections as k
                             where k.table_name = v.table_name and k.natural_key = v.natural_key and k.retired_at is null))
          )`,
      from: 'dq.violations as v',
      matches: 'v.violation_id = e.violation_id',
      parameters: [table, ageDays],
    })),
  )
}

/**
 * clean.* holds copies of the rows the last run staged, which only that run reads: a clean row
 * expires once the run of its staging row's batch is older than the age.
 */
async function expireCleanRows(sql: Sql, ageDays: number, dryRun: boolean): Promise<KindReport> {
  return inKindTransaction(sql, dryRun, async (tx) => {
    const tables = await tx<{ table_name: string }[]>`
      select c.table_name from information_schema.columns as c
      where c.table_schema = 'clean' and c.column_name = 'natural_key'
        and to_regclass('staging.' || quote_ident(c.table_name)) is not null
      order by c.table_name`
    return expireRowsPerTable(
      tx,
      dryRun,
      'clean rows',
      ageDays,
      tables.map((row) => row.table_name),
      (table, key) => ({
        candidates: `
        select c.natural_key, ${AGE('r.started_at')} as age_days,
               c.natural_key in (${waitingKeys(table)}) as waiting
        from clean.${q(table)} as c
        join staging.${q(table)} as s on ${key} = c.natural_key
        join etl.batches as b on b.batch_id = s._batch_id
        join etl.runs as r on r.run_id = b.run_id
        where r.status <> 'running' and r.started_at < now() - make_interval(days => $1)`,
        from: `clean.${q(table)} as c`,
        matches: 'c.natural_key = e.natural_key',
        parameters: [ageDays],
      }),
    )
  })
}

function rowsReport(
  kind: RetentionKind,
  ageDays: number,
  totals: { expired: number; kept: number; ages: (number | null)[] },
): KindReport {
  return {
    kind,
    ageDays,
    unit: 'rows',
    expired: totals.expired,
    oldestDays: oldest(totals.ages.filter((age): age is number => age !== null)),
    kept: totals.kept > 0 ? [`${totals.kept} rows of rows waiting in open quarantine batches: kept`] : [],
  }
}

/**
 * A batch still 'loading' when its run ended never reached the mirror; its load table is read by
 * nothing once the run is over (a failed load was archived from it, and a reload reads the bucket).
 */
async function expireLoadTables(sql: Sql, ageDays: number, dryRun: boolean): Promise<KindReport> {
  return inKindTransaction(sql, dryRun, async (tx) => {
    const batches = await tx<{ batch_id: string; table_name: string; age_days: number }[]>`
      select b.batch_id, b.table_name, (extract(epoch from now() - r.started_at) / 86400)::float8 as age_days
      from etl.batches as b join etl.runs as r using (run_id)
      where b.status = 'loading' and r.status <> 'running' and r.started_at < now() - make_interval(days => ${ageDays})`
    const present = new Set(
      (
        await tx<{ name: string }[]>`
          select c.relname as name from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
          where n.nspname = 'staging' and c.relkind = 'r' and c.relname like '\\_load\\_%'`
      ).map((row) => row.name),
    )
    const expired = batches
      .map((batch) => ({ ...batch, loadTable: loadTableName(batch.batch_id, batch.table_name) }))
      .filter((batch) => present.has(batch.loadTable))
    if (!dryRun) for (const batch of expired) await tx.unsafe(`drop table staging.${q(batch.loadTable)}`)
    return {
      kind: 'staging load tables',
      ageDays,
      unit: 'tables',
      expired: expired.length,
      oldestDays: oldest(expired.map((batch) => batch.age_days)),
      kept: [],
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Bucket lifecycle

/**
 * Where the S3 server has lifecycle rules, objects tagged closed under the quarantine and
 * failed-load prefixes expire after the age without the command. Only tagged objects: an age
 * rule on the whole prefix would delete an open batch's rows, so the command tags the objects
 * of closed batches and loads that are not old enough yet. Servers without lifecycle rules
 * (versitygw) answer NotImplemented; the command alone expires objects there.
 */
export async function ensureLifecycleRules(sql: Sql, store: ObjectStore, ageDays: number): Promise<LifecycleOutcome> {
  const rules = lifecycleRules(ageDays)
  try {
    await store.client.setBucketLifecycle(store.bucket, rules)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'NotImplemented' || code === 'MalformedXML' || code === 'InvalidRequest') {
      return { state: 'unsupported', reason: `${code}: ${(error as Error).message}` }
    }
    throw error
  }
  for (const key of await closedObjectKeys(sql, store)) {
    await store.client.setObjectTagging(store.bucket, key, { [CLOSED_TAG.Key]: CLOSED_TAG.Value })
  }
  return { state: 'set', rules: rules.Rule.map((rule) => rule.ID) }
}

export function lifecycleRules(ageDays: number) {
  return {
    Rule: [QUARANTINE_ROOT, FAILED_ROOT].map((prefix) => ({
      ID: `paccafe-retention-${prefix.replace('/', '')}-closed`,
      Status: 'Enabled',
      // One of Prefix, Tag or And: the prefix and the tag together.
      Filter: { And: { Prefix: prefix, Tags: [CLOSED_TAG] } } as LifecycleRule['Filter'],
      Expiration: { Days: ageDays },
    })),
  } satisfies LifecycleConfig
}

/** The objects of closed batches and of reloaded or discarded failed loads. */
async function closedObjectKeys(sql: Sql, store: ObjectStore): Promise<string[]> {
  const closed = await sql<{ prefix: string }[]>`
    select object_prefix as prefix from dq.quarantine_batches where status in ('reprocessed', 'discarded')`
  const loads = await sql<{ key: string }[]>`
    select unnest(array_remove(array[object_key, error_key], null)) as key
    from etl.failed_loads where status <> 'open'`
  const prefixes = closed.map((row) => row.prefix)
  const keys = new Set(loads.map((row) => row.key))
  const objects = [...(await listObjects(store, QUARANTINE_ROOT)), ...(await listObjects(store, FAILED_ROOT))]
  return objects
    .map((object) => object.name)
    .filter((name) => keys.has(name) || prefixes.some((prefix) => name.startsWith(prefix)))
}

// ---------------------------------------------------------------------------------------------

function oldest(ages: number[]): number | null {
  return ages.length === 0 ? null : Math.max(...ages.map(Number))
}

function days(age: number): string {
  return `${Math.floor(Number(age))} days`
}
