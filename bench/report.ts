// The run report's benchmark: the time to build one run's HTML (lib/report/) once a full run
// has built the marts at the scale, and the page's size. The scale is prepared as the models
// benchmark prepares it (the demo POS, its sheets as CSV, a full extraction and model build in
// processes of their own), on a warehouse of its own so that the two benches never share one.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { type Config, sourceAdminUrl, withDatabaseName } from '../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../lib/db.ts'
import { projectRoot } from '../lib/paths.ts'
import { buildRunReport } from '../lib/report/build-report.ts'
import { generateSheets } from '../seed/generate-sheets.ts'
import { benchConfig, prepareSource } from './bench-databases.ts'
import { envFor } from './cli-environment.ts'

const run = promisify(execFile)
const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx')

export interface ReportMeasurement {
  stage: 'report'
  scale: number
  runId: string
  /** The median of the builds. */
  seconds: number
  /** Every build's seconds, in order. */
  builds: number[]
  bytes: number
  sections: string[]
  /** The full run that built the marts (extraction, then the models), for scale. */
  prepareSeconds: number
}

function reportConfig(base: Config, scale: number): Config {
  return {
    ...benchConfig(base, scale),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `paccafe_bench_report_s${scale}_wh`),
    sheets: { ...base.sheets, dir: path.join(base.dataDir, `bench-report-sheets-s${scale}`) },
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0

/** One bench/<script>.ts in a process of its own, as the models bench runs them. */
async function runScript(config: Config, script: string, args: string[]): Promise<void> {
  await run(tsx, [path.join(projectRoot, 'bench', `${script}.ts`), ...args], {
    env: envFor(config),
    maxBuffer: 1 << 24,
  })
}

/** A fresh warehouse with one full run's marts: the demo POS and sheets, extracted and built. */
async function prepareScale(config: Config, scale: number, runId: string): Promise<number> {
  await prepareSource(config, scale)
  const source = connect(sourceAdminUrl(config), { max: 1 })
  try {
    await generateSheets(source, config.sheets.dir, { seed: 42, defectRate: 0.02, format: 'csv' })
  } finally {
    await source.end()
  }
  await dropDatabase(config.warehouseUrl)
  await ensureDatabase(config.warehouseUrl)
  const started = performance.now()
  await runScript(config, 'extract-once', ['full', runId])
  await runScript(config, 'models-once', ['full', runId])
  return (performance.now() - started) / 1000
}

export async function benchReport(base: Config, scales: number[], repeat: number): Promise<ReportMeasurement[]> {
  const results: ReportMeasurement[] = []
  for (const scale of scales) {
    const config = reportConfig(base, scale)
    const runId = `bench-report-${Date.now()}-full`
    const prepareSeconds = await prepareScale(config, scale, runId)
    const sql = connect(config.warehouseUrl, { name: 'paccafe-bench-report', max: 2 })
    try {
      const builds: number[] = []
      let page = { html: '', sections: [] as string[] }
      // A fixed stamp, so every build is the same page.
      const generatedAt = new Date()
      for (let n = 0; n < repeat; n++) {
        const started = performance.now()
        page = await buildRunReport(sql, runId, { timezone: config.timezone, generatedAt })
        builds.push((performance.now() - started) / 1000)
      }
      const measurement: ReportMeasurement = {
        stage: 'report',
        scale,
        runId,
        seconds: median(builds),
        builds,
        bytes: Buffer.byteLength(page.html),
        sections: page.sections,
        prepareSeconds,
      }
      results.push(measurement)
      console.log(`bench report scale=${scale} seconds=${measurement.seconds.toFixed(3)} bytes=${measurement.bytes}`)
      console.log(
        `  builds: ${builds.map((s) => s.toFixed(3)).join(', ')} s (the median is shown); sections: ${page.sections.join(', ')}; the full run before: ${prepareSeconds.toFixed(1)} s`,
      )
    } finally {
      await sql.end()
    }
  }
  return results
}

export function printReportTable(results: ReportMeasurement[]): void {
  console.log('')
  console.log(`${'scale'.padStart(6)} ${'seconds'.padStart(9)} ${'bytes'.padStart(11)}  builds (s)`)
  for (const m of results) {
    console.log(
      `${String(m.scale).padStart(6)} ${m.seconds.toFixed(3).padStart(9)} ${m.bytes.toLocaleString('en').padStart(11)}  ${m.builds.map((s) => s.toFixed(3)).join(', ')}`,
    )
  }
}
