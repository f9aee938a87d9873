// npm run bench -- <stage> [--scales 1,10,100,1000]
// Measures a stage of the pipeline at several scales beside a floor measured in the same run on
// the same data, and prints a table, one `bench ...` line per scale and mode, and a JSON file.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { Command } from 'commander'
import { type Config, loadConfig, loadDotEnv, sourceAdminUrl, withDatabaseName } from '../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../lib/db.ts'
import { projectRoot } from '../lib/paths.ts'
import { servicesUp } from '../lib/services.ts'
import { measureFloor } from './floor.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')
const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx')

interface Measurement {
  stage: string
  scale: number
  mode: 'full' | 'incremental'
  rows: number
  seconds: number
  floorSeconds: number
  ratio: number
  peakRssMb: number
  rowsPerSecond: Record<string, number>
}

function benchConfig(base: Config, scale: number): Config {
  return {
    ...base,
    sourceUrl: withDatabaseName(base.sourceUrl, `paccafe_bench_s${scale}_pos`),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `paccafe_bench_s${scale}_wh`),
    s3: { ...base.s3, bucket: 'paccafe-bench' },
  }
}

function envFor(config: Config): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PACCAFE_SOURCE_URL: config.sourceUrl,
    PACCAFE_WAREHOUSE_URL: config.warehouseUrl,
    PACCAFE_S3_BUCKET: config.s3.bucket,
    PACCAFE_LOG_LEVEL: 'error',
  }
}

/** The demo POS at this scale, generated once and reused while its settings match. */
async function prepareSource(config: Config, scale: number): Promise<void> {
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

async function extractOnce(config: Config, mode: 'full' | 'incremental') {
  const { stdout } = await run(tsx, [path.join(projectRoot, 'bench', 'extract-once.ts'), mode], {
    env: envFor(config),
    maxBuffer: 1 << 24,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
    seconds: number
    rows: Record<string, number>
    peakRssMb: number
  }
}

async function benchExtract(base: Config, scales: number[]): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (const scale of scales) {
    const config = benchConfig(base, scale)
    await prepareSource(config, scale)
    await dropDatabase(config.warehouseUrl)
    await ensureDatabase(config.warehouseUrl)
    const full = await extractOnce(config, 'full')
    const floorSeconds = await measureFloor(config.sourceUrl, config.warehouseUrl)
    await run(cli, ['simulate', '--days', '1'], { env: envFor(config) })
    const incremental = await extractOnce(config, 'incremental')
    for (const [mode, measured] of [
      ['full', full],
      ['incremental', incremental],
    ] as const) {
      const rows = Object.values(measured.rows).reduce((sum, n) => sum + n, 0)
      results.push({
        stage: 'extract',
        scale,
        mode,
        rows,
        seconds: measured.seconds,
        floorSeconds,
        ratio: measured.seconds / floorSeconds,
        peakRssMb: measured.peakRssMb,
        rowsPerSecond: Object.fromEntries(
          Object.entries(measured.rows).map(([table, n]) => [table, Math.round(n / measured.seconds)]),
        ),
      })
    }
    const last = results.slice(-2)
    for (const m of last) printLine(m)
  }
  return results
}

function printLine(m: Measurement): void {
  console.log(
    `bench ${m.stage} scale=${m.scale} mode=${m.mode} rows=${m.rows} seconds=${m.seconds.toFixed(3)} ` +
      `floor_seconds=${m.floorSeconds.toFixed(3)} ratio=${m.ratio.toFixed(2)} peak_rss_mb=${m.peakRssMb.toFixed(0)}`,
  )
}

function printTable(results: Measurement[]): void {
  console.log('')
  console.log(
    `${'scale'.padStart(6)} ${'mode'.padEnd(12)} ${'rows'.padStart(10)} ${'seconds'.padStart(9)} ${'floor s'.padStart(9)} ${'ratio'.padStart(6)} ${'peak MB'.padStart(8)}  rows/s per table`,
  )
  for (const m of results) {
    const perTable = Object.entries(m.rowsPerSecond)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')
    console.log(
      `${String(m.scale).padStart(6)} ${m.mode.padEnd(12)} ${String(m.rows).padStart(10)} ${m.seconds.toFixed(2).padStart(9)} ${m.floorSeconds.toFixed(2).padStart(9)} ${m.ratio.toFixed(2).padStart(6)} ${m.peakRssMb.toFixed(0).padStart(8)}  ${perTable}`,
    )
  }
}

const program = new Command()
  .name('bench')
  .argument('<stage>', 'the stage to measure: extract')
  .option('--scales <list>', 'comma-separated scales', '1,10,100,1000')
  .action(async (stage: string, options: { scales: string }) => {
    if (stage !== 'extract') throw new Error(`Unknown stage ${stage}; stages: extract`)
    loadDotEnv()
    const base = loadConfig()
    await servicesUp(base, (line) => console.error(`  ${line}`))
    const scales = options.scales.split(',').map(Number)
    const results = await benchExtract(base, scales)
    printTable(results)
    const file = path.join(projectRoot, 'bench', 'results', `${stage}.json`)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, `${JSON.stringify({ stage, measuredAt: new Date().toISOString(), results }, null, 2)}\n`)
    console.log(`\nResults written to ${path.relative(projectRoot, file)}`)
  })

program.parseAsync(process.argv).catch((error) => {
  console.error(error)
  process.exit(1)
})
