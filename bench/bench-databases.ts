// The databases the benches share: one demo POS per scale, generated once and reused while its
// settings match, and a warehouse per scale.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { type Config, sourceAdminUrl, withDatabaseName } from '../lib/config.ts'
import { connect, ensureDatabase } from '../lib/db.ts'
import { projectRoot } from '../lib/paths.ts'
import { envFor } from './cli-environment.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')

export function benchConfig(base: Config, scale: number): Config {
  return {
    ...base,
    sourceUrl: withDatabaseName(base.sourceUrl, `paccafe_bench_s${scale}_pos`),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `paccafe_bench_s${scale}_wh`),
    s3: { ...base.s3, bucket: 'paccafe-bench' },
    sheets: { ...base.sheets, dir: path.join(base.dataDir, `bench-sheets-s${scale}`) },
  }
}

/** The demo POS at this scale, generated once and reused while its settings match. */
export async function prepareSource(config: Config, scale: number): Promise<void> {
  const admin = sourceAdminUrl(config)
  await ensureDatabase(admin)
  const sql = connect(admin, { max: 1 })
  try {
    const [generated] = await sql`select scale::float8 as scale from seed_truth.generator`.catch(() => [])
    if (generated?.scale === scale) return
  } finally {
    await sql.end()
  }
  console.error(`  generating the demo POS at scale ${scale}...`)
  await run(cli, ['seed', '--replace', '--scale', String(scale), '--sheets', 'none'], {
    env: envFor(config),
    maxBuffer: 1 << 24,
  })
}
