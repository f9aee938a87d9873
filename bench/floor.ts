// The floors an extraction is measured against, on the same data in the same run: psql COPY
// out of the source piped into psql COPY into an empty table, all tables in parallel as the
// pipeline extracts them.
//   staging floor: the table is an empty staging table (docs/warehouse.md): the source columns, the
//     load metadata (constant defaults here, for the batch, the time, the source and the hash),
//     and the staging table's key and indexes, built after the COPY: the quicker of the two
//     ways to fill an empty indexed table (keeping them during the COPY took 2.4 to 2.9 s at
//     scale 100, against 1.8 to 1.9 s).
//   bare floor: the source columns only, no key, no index: what moving the bytes costs.
import { spawn } from 'node:child_process'
import { connect, SESSION_OPTIONS, type Sql } from '../lib/db.ts'
import { indexDefinitionOn } from '../lib/extract/first-load.ts'
import { POS_TABLES } from '../lib/extract/sources.ts'

export interface Floors {
  /** COPY into an empty staging table, then its key and indexes. */
  stagingSeconds: number
  /** COPY into an empty table of the source columns only. */
  bareSeconds: number
}

function psql(url: string, command: string, stdio: 'in' | 'out' | 'none') {
  return spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', command], {
    stdio: [stdio === 'in' ? 'pipe' : 'ignore', stdio === 'out' ? 'pipe' : 'ignore', 'inherit'],
    // The pipeline's session settings, so that the floor's COPY and index builds compare like with like.
    env: { ...process.env, PGOPTIONS: SESSION_OPTIONS },
  })
}

function finished(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql ${what} failed: ${code}`))))
  })
}

/** One table: COPY out piped into COPY in, then the statements that finish the table. */
async function copyTable(sourceUrl: string, warehouseUrl: string, table: string, columns: string, after: string[]) {
  const out = psql(sourceUrl, `copy public.${table} to stdout`, 'out')
  const into = psql(warehouseUrl, `copy bench_floor.${table} (${columns}) from stdin`, 'in')
  out.stdout?.pipe(into.stdin as NodeJS.WritableStream)
  await Promise.all([finished(out, `copy out of ${table}`), finished(into, `copy into ${table}`)])
  if (after.length > 0) await finished(psql(warehouseUrl, after.join('; '), 'none'), `indexes of ${table}`)
}

async function sourceColumns(sql: Sql, table: string): Promise<string> {
  const columns = await sql<{ name: string }[]>`
    select column_name as name from information_schema.columns
    where table_schema = 'staging' and table_name = ${table} and column_name not like '\\_%'
    order by ordinal_position`
  return columns.map((c) => `"${c.name}"`).join(', ')
}

/** The staging table's key and indexes, as statements on the floor's copy of it. */
async function stagingIndexes(sql: Sql, table: string): Promise<string[]> {
  const indexes = await sql<{ definition: string }[]>`
    select pg_get_indexdef(indexrelid) as definition from pg_index
    where indrelid = ${`staging.${table}`}::regclass order by indisprimary desc, indexrelid`
  return indexes.map(({ definition }) => indexDefinitionOn(definition, `bench_floor.${table}`))
}

async function measure(sql: Sql, sourceUrl: string, warehouseUrl: string, shape: 'staging' | 'bare') {
  await sql`drop schema if exists bench_floor cascade`
  await sql`create schema bench_floor`
  const plans = []
  for (const table of POS_TABLES) {
    const columns = await sourceColumns(sql, table)
    if (shape === 'bare') {
      await sql.unsafe(`create table bench_floor.${table} as select ${columns} from staging.${table} with no data`)
      plans.push({ table, columns, after: [] as string[] })
      continue
    }
    await sql.unsafe(
      `create table bench_floor.${table} (like staging.${table} including defaults including constraints)`,
    )
    await sql.unsafe(
      `alter table bench_floor.${table}
         alter column _batch_id set default 'run-full-00000000-000000.${table}',
         alter column _extracted_at set default now(),
         alter column _source set default 'pos',
         alter column _row_hash set default md5('')`,
    )
    plans.push({ table, columns, after: await stagingIndexes(sql, table) })
  }
  const started = performance.now()
  await Promise.all(plans.map((plan) => copyTable(sourceUrl, warehouseUrl, plan.table, plan.columns, plan.after)))
  const seconds = (performance.now() - started) / 1000
  await sql`drop schema bench_floor cascade`
  return seconds
}

export async function measureFloors(sourceUrl: string, warehouseUrl: string): Promise<Floors> {
  const sql = connect(warehouseUrl, { max: 1 })
  try {
    const stagingSeconds = await measure(sql, sourceUrl, warehouseUrl, 'staging')
    const bareSeconds = await measure(sql, sourceUrl, warehouseUrl, 'bare')
    return { stagingSeconds, bareSeconds }
  } finally {
    await sql.end()
  }
}
