// The floor an extraction is measured against, on the same data in the same run: psql COPY out
// of the source piped into psql COPY into an empty table shaped like the staging table, all
// tables in parallel as the pipeline extracts them.
import { spawn } from 'node:child_process'
import { connect } from '../lib/db.ts'
import { POS_TABLES } from '../lib/sources.ts'

function psqlPipe(sourceUrl: string, warehouseUrl: string, table: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = spawn('psql', [sourceUrl, '-qAtc', `copy public.${table} to stdout`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const into = spawn('psql', [warehouseUrl, '-qAtc', `copy bench_floor.${table} from stdin`], {
      stdio: ['pipe', 'ignore', 'inherit'],
    })
    out.stdout.pipe(into.stdin)
    into.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql copy of ${table} failed: ${code}`))))
    out.on('error', reject)
    into.on('error', reject)
  })
}

export async function measureFloor(sourceUrl: string, warehouseUrl: string): Promise<number> {
  const sql = connect(warehouseUrl, { max: 1 })
  try {
    await sql`drop schema if exists bench_floor cascade`
    await sql`create schema bench_floor`
    for (const table of POS_TABLES) {
      const columns = await sql<{ name: string }[]>`
        select column_name as name from information_schema.columns
        where table_schema = 'staging' and table_name = ${table} and column_name not like '\\_%'
        order by ordinal_position`
      await sql.unsafe(
        `create table bench_floor.${table} as select ${columns.map((c) => `"${c.name}"`).join(', ')}
         from staging.${table} with no data`,
      )
    }
    const started = performance.now()
    await Promise.all(POS_TABLES.map((table) => psqlPipe(sourceUrl, warehouseUrl, table)))
    const seconds = (performance.now() - started) / 1000
    await sql`drop schema bench_floor cascade`
    return seconds
  } finally {
    await sql.end()
  }
}
