// npm run bench -- <stage> [--scales 1,10,100,1000]   (stages: extract, models, reprocess, cli, report)
// Measures a stage of the pipeline at several scales beside a floor measured in the same run on
// the same data, and prints a table, one `bench ...` line per scale and mode, and a JSON file.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { Command } from 'commander'
import { type Config, loadConfig, loadDotEnv, sourceAdminUrl } from '../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../lib/db.ts'
import { measureModelsFloor } from '../lib/models-floor.ts'
import { projectRoot } from '../lib/paths.ts'
import { servicesUp } from '../local-services/services.ts'
import { GROUPING_MODELS } from '../seed/check-duplicates.ts'
import { generateSheets } from '../seed/generate-sheets.ts'
import { benchConfig, prepareSource } from './bench-databases.ts'
import { benchCli, type CliMeasurement, printCliTable } from './cli.ts'
import { envFor } from './cli-environment.ts'
import { measureFloors } from './floor.ts'
import { medianByRatio } from './median.ts'
import { benchReport, printReportTable, type ReportMeasurement } from './report.ts'
import { benchReprocess, printReprocessTable, type ReprocessMeasurement } from './reprocess.ts'

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
  /** extract: the bare floor (source columns only, no key, no index; see floor.ts) and the ratio to it. */
  bareFloorSeconds?: number
  bareRatio?: number
  peakRssMb: number
  /** extract: rows per second per table; models: seconds per model. */
  rowsPerSecond?: Record<string, number>
  secondsPerModel?: Record<string, number>
  /** models: seconds per floor table. */
  floorSecondsPerTable?: Record<string, number>
  /** models: validation between the clean models and the rest, not in `seconds` (the floor has none). */
  validationSeconds?: number
  /** models, full: the ratio of every repeated build; the measurement shown is the median's. */
  ratios?: number[]
}

/** Runs one bench/<script>.ts in a process of its own and reads the JSON line it prints. */
async function measureOnce<T>(config: Config, script: string, args: string[]): Promise<T> {
  const { stdout } = await run(tsx, [path.join(projectRoot, 'bench', `${script}.ts`), ...args], {
    env: envFor(config),
    maxBuffer: 1 << 24,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as T
}

interface ExtractOnce {
  seconds: number
  rows: Record<string, number>
  peakRssMb: number
}

interface ModelsOnce {
  seconds: number
  validationSeconds: number
  rows: number
  perModel: Record<string, number>
  peakRssMb: number
}

const extractOnce = (config: Config, mode: 'full' | 'incremental', runId?: string) =>
  measureOnce<ExtractOnce>(config, 'extract-once', runId ? [mode, runId] : [mode])

/** A fresh warehouse database for this scale. */
async function freshWarehouse(config: Config): Promise<void> {
  await dropDatabase(config.warehouseUrl)
  await ensureDatabase(config.warehouseUrl)
}

async function benchExtract(base: Config, scales: number[]): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (const scale of scales) {
    const config = benchConfig(base, scale)
    await prepareSource(config, scale)
    await freshWarehouse(config)
    const full = await extractOnce(config, 'full')
    const floors = await measureFloors(config.sourceUrl, config.warehouseUrl)
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
        floorSeconds: floors.stagingSeconds,
        ratio: measured.seconds / floors.stagingSeconds,
        bareFloorSeconds: floors.bareSeconds,
        bareRatio: measured.seconds / floors.bareSeconds,
        peakRssMb: measured.peakRssMb,
        rowsPerSecond: Object.fromEntries(
          Object.entries(measured.rows).map(([table, n]) => [table, Math.round(n / measured.seconds)]),
        ),
      })
    }
    for (const m of results.slice(-2)) printLine(m)
  }
  return results
}

/** The sheets of this POS (stock counts follow its products and days), as CSV files. */
async function prepareSheets(config: Config): Promise<void> {
  const sql = connect(sourceAdminUrl(config), { max: 1 })
  try {
    await generateSheets(sql, config.sheets.dir, { seed: 42, defectRate: 0.02, format: 'csv' })
  } finally {
    await sql.end()
  }
}

/** One full build and its floor, on a fresh warehouse: the pair a ratio is taken from. */
async function measureFullBuild(config: Config, scale: number, runId: string) {
  await freshWarehouse(config)
  await extractOnce(config, 'full', runId)
  const build = await measureOnce<ModelsOnce>(config, 'models-once', ['full', runId])
  const floor = await measureModelsFloor(config.warehouseUrl)
  if (floor.differences.length > 0) {
    throw new Error(
      `The models floor at scale ${scale} does not build the warehouse's tables, so it is no floor:\n  ${floor.differences.join('\n  ')}`,
    )
  }
  return { build, floor, ratio: build.seconds / floor.seconds }
}

/**
 * Each scale builds `repeat` times, each on a fresh warehouse beside its own floor, and reports
 * the build with the median ratio: on this machine a single build's ratio varies by a sixth
 * between runs of the same code. The incremental run follows the last build.
 */
async function benchModels(base: Config, scales: number[], repeat: number): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (const scale of scales) {
    const config = benchConfig(base, scale)
    await prepareSource(config, scale)
    await prepareSheets(config)
    const stamp = Date.now()
    const builds = []
    for (let n = 1; n <= repeat; n++)
      builds.push(await measureFullBuild(config, scale, `bench-models-${stamp}-full-${n}`))
    const ratios = builds.map((b) => b.ratio)
    const { build: full, floor } = medianByRatio(builds)
    await run(cli, ['simulate', '--days', '1'], { env: envFor(config) })
    const incrementalRun = `bench-models-${stamp}-incremental`
    await extractOnce(config, 'incremental', incrementalRun)
    const incremental = await measureOnce<ModelsOnce>(config, 'models-once', ['incremental', incrementalRun])
    for (const [mode, measured] of [
      ['full', full],
      ['incremental', incremental],
    ] as const) {
      results.push({
        stage: 'models',
        scale,
        mode,
        rows: measured.rows,
        seconds: measured.seconds,
        floorSeconds: floor.seconds,
        ratio: measured.seconds / floor.seconds,
        peakRssMb: measured.peakRssMb,
        secondsPerModel: measured.perModel,
        floorSecondsPerTable: floor.secondsPerTable,
        validationSeconds: measured.validationSeconds,
        ...(mode === 'full' ? { ratios } : {}),
      })
    }
    for (const m of results.slice(-2)) printLine(m)
    if (repeat > 1)
      console.log(
        `  full build ratios over ${repeat} builds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; the median is shown`,
      )
    console.log(
      `  incremental after one simulated day: ${((incremental.seconds / full.seconds) * 100).toFixed(1)}% of the full build`,
    )
    // Duplicate grouping's models and the record of what it changed, beside the full build they
    // are part of (target: under a tenth).
    const grouping = [...GROUPING_MODELS, 'warehouse.customer_master_changes'].reduce(
      (sum, model) => sum + (full.perModel[model] ?? 0),
      0,
    )
    console.log(
      `bench duplicates scale=${scale} grouping_seconds=${grouping.toFixed(3)} full_build_seconds=${full.seconds.toFixed(3)} ` +
        `share=${(grouping / full.seconds).toFixed(3)}`,
    )
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
    `${'scale'.padStart(6)} ${'mode'.padEnd(12)} ${'rows'.padStart(10)} ${'seconds'.padStart(9)} ${'floor s'.padStart(9)} ${'ratio'.padStart(6)} ${'peak MB'.padStart(8)}  ${results[0]?.stage === 'models' ? 'slowest models (s)' : 'bare floor; rows/s per table'}`,
  )
  for (const m of results) {
    const bare = m.bareFloorSeconds
      ? `bare floor ${m.bareFloorSeconds.toFixed(2)} s (ratio ${m.bareRatio?.toFixed(2)}); rows/s: `
      : ''
    const perTable = Object.entries(m.rowsPerSecond ?? {})
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')
    const slowest = Object.entries(m.secondsPerModel ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([model, seconds]) => `${model} ${seconds.toFixed(2)}`)
      .join(', ')
    console.log(
      `${String(m.scale).padStart(6)} ${m.mode.padEnd(12)} ${String(m.rows).padStart(10)} ${m.seconds.toFixed(2).padStart(9)} ${m.floorSeconds.toFixed(2).padStart(9)} ${m.ratio.toFixed(2).padStart(6)} ${m.peakRssMb.toFixed(0).padStart(8)}  ${perTable ? bare + perTable : slowest}`,
    )
  }
}

const program = new Command()
  .name('bench')
  .argument('<stage>', 'the stage to measure: extract, models, reprocess, cli or report')
  .option('--scales <list>', 'comma-separated scales', '1,10,100,1000')
  .option(
    '--repeat <n>',
    'models: full builds per scale, each beside its own floor; reprocess: measurements per scale, each on fresh databases; the median ratio is shown; report: builds of the HTML, the median shown (3)',
  )
  .action(async (stage: string, options: { scales: string; repeat?: string }) => {
    const stages = {
      extract: benchExtract,
      models: benchModels,
      reprocess: benchReprocess,
      cli: benchCli,
      report: benchReport,
    } as const
    if (!(stage in stages)) throw new Error(`Unknown stage ${stage}; stages: ${Object.keys(stages).join(', ')}`)
    if (options.repeat !== undefined && stage === 'extract')
      throw new Error('--repeat applies to models, reprocess, cli and report')
    const repeat = Number(options.repeat ?? 3)
    if (!Number.isInteger(repeat) || repeat < 1)
      throw new Error(`--repeat must be a whole number of 1 or more, not ${options.repeat}`)
    loadDotEnv()
    const base = loadConfig()
    await servicesUp(base, (line) => console.error(`  ${line}`))
    // The CLI's figure is at the cafe's real size unless scales are given.
    const scalesGiven = program.getOptionValueSource('scales') === 'cli'
    const scales = (stage === 'cli' && !scalesGiven ? '1' : options.scales).split(',').map(Number)
    const results = await stages[stage as keyof typeof stages](base, scales, repeat)
    if (stage === 'reprocess') printReprocessTable(results as ReprocessMeasurement[])
    else if (stage === 'cli') printCliTable(results as CliMeasurement[])
    else if (stage === 'report') printReportTable(results as ReportMeasurement[])
    else printTable(results as Measurement[])
    const file = path.join(projectRoot, 'bench', 'results', `${stage}.json`)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, `${JSON.stringify({ stage, measuredAt: new Date().toISOString(), results }, null, 2)}\n`)
    console.log(`\nResults written to ${path.relative(projectRoot, file)}`)
  })

program.parseAsync(process.argv).catch((error) => {
  console.error(error)
  process.exit(1)
})
