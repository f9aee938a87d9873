// The CLI benchmark: `paccafe run` as a person or a script types it, timed from the command's
// start to its exit after printing the summary, with a worker process already polling (as the
// background worker of `paccafe services up --with-worker` does), on the scale's demo POS and
// sheets (XLSX, as `paccafe seed` writes them) and a warehouse of its own.
//
// The compiled CLI is built before each of its runs (what `paccafe build` and `npm start` do)
// and measured through bin/paccafe, beside the same command run from the sources through tsx. Each measurement is
// split, from the workflow's start and close times in Temporal, into: the CLI's start until the
// workflow starts, the workflow itself, and its close until the CLI exits (result, summary).
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { compileCli } from '../cli/compile.ts'
import { type Config, sourceAdminUrl, withDatabaseName } from '../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../lib/db.ts'
import { projectRoot } from '../lib/paths.ts'
import { connectClient, workflowPollerCount } from '../lib/temporal.ts'
import { generateSheets } from '../seed/generate-sheets.ts'
import { benchConfig, prepareSource } from './bench-databases.ts'
import { envFor } from './cli-environment.ts'

const TASK_QUEUE = 'paccafe-bench-cli'
const bin = path.join(projectRoot, 'bin', 'paccafe')
const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx')

/** One `paccafe run`, split by the workflow's own start and close. */
export interface CliRun {
  seconds: number
  /** From the command's start to the workflow's start: starting the CLI, connecting, preflight. */
  startSeconds: number
  workflowSeconds: number
  /** From the workflow's close to the command's exit: its result, the summary read and printed. */
  endSeconds: number
}

export interface CliMeasurement {
  stage: 'cli'
  scale: number
  /** The median of the compiled CLI's runs (bin/paccafe). */
  seconds: number
  runs: CliRun[]
  /** The same command from the sources through tsx, for comparison. */
  tsxRuns: CliRun[]
  tsxSeconds: number
}

function cliConfig(base: Config, scale: number): Config {
  const shared = benchConfig(base, scale)
  return {
    ...shared,
    warehouseUrl: withDatabaseName(base.warehouseUrl, `paccafe_bench_cli_s${scale}_wh`),
    temporal: { ...base.temporal, taskQueue: TASK_QUEUE },
    sheets: { ...base.sheets, dir: path.join(base.dataDir, `bench-cli-sheets-s${scale}`) },
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0

/** Runs `paccafe run` once and times it; the workflow's start and close come from Temporal. */
async function timeRun(client: Client, config: Config, command: string, args: string[]): Promise<CliRun> {
  const started = Date.now()
  const child = spawn(command, [...args, 'run', '--mode', 'full'], { env: envFor(config), stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const ended = Date.now()
  if (code !== 0) throw new Error(`paccafe run exited with ${code}:\n${stdout}\n${stderr}`)
  const workflowId = /Started (\S+)/.exec(stdout)?.[1]
  if (!workflowId || !stdout.includes('Published (extracted = published + rejected)'))
    throw new Error(`paccafe run printed no summary:\n${stdout}`)
  const description = await client.workflow.getHandle(workflowId).describe()
  const workflowStart = description.startTime.getTime()
  const workflowClose = description.closeTime?.getTime() ?? ended
  return {
    seconds: (ended - started) / 1000,
    startSeconds: (workflowStart - started) / 1000,
    workflowSeconds: (workflowClose - workflowStart) / 1000,
    endSeconds: (ended - workflowClose) / 1000,
  }
}

async function startWorker(config: Config, client: Client): Promise<ChildProcess> {
  const log = path.join(config.dataDir, 'logs', 'bench-cli-worker.log')
  await mkdir(path.dirname(log), { recursive: true })
  const out = createWriteStream(log)
  const worker = spawn(bin, ['worker'], { env: envFor(config), stdio: ['ignore', 'pipe', 'pipe'] })
  worker.stdout?.pipe(out)
  worker.stderr?.pipe(out)
  const deadline = Date.now() + 180_000
  while ((await workflowPollerCount(client, TASK_QUEUE)) === 0) {
    if (worker.exitCode !== null) throw new Error(`The bench's worker exited at start-up: see ${log}`)
    if (Date.now() > deadline) throw new Error(`The bench's worker polls nothing after 180 s: see ${log}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return worker
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null) return
  const exited = new Promise((resolve) => worker.on('exit', resolve))
  worker.kill('SIGTERM')
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))])
  if (worker.exitCode === null) worker.kill('SIGKILL')
}

export async function benchCli(base: Config, scales: number[], repeat: number): Promise<CliMeasurement[]> {
  const results: CliMeasurement[] = []
  for (const scale of scales) {
    const config = cliConfig(base, scale)
    await prepareSource(config, scale)
    const source = connect(sourceAdminUrl(config), { max: 1 })
    try {
      await generateSheets(source, config.sheets.dir, { seed: 42, defectRate: 0.05, format: 'xlsx' })
    } finally {
      await source.end()
    }
    await dropDatabase(config.warehouseUrl)
    await ensureDatabase(config.warehouseUrl)
    const client = await connectClient(config)
    const worker = await startWorker(config, client)
    try {
      // The first run is the warehouse's first load; a person's `paccafe run` is a later one.
      await timeRun(client, config, bin, [])
      const runs: CliRun[] = []
      const tsxRuns: CliRun[] = []
      for (let n = 0; n < repeat; n++) {
        // Built again first: bin/paccafe would run the sources if one changed since (a shared tree).
        await compileCli()
        runs.push(await timeRun(client, config, bin, []))
        tsxRuns.push(await timeRun(client, config, tsx, [path.join(projectRoot, 'cli', 'paccafe.ts')]))
      }
      const measurement: CliMeasurement = {
        stage: 'cli',
        scale,
        seconds: median(runs.map((r) => r.seconds)),
        runs,
        tsxRuns,
        tsxSeconds: median(tsxRuns.map((r) => r.seconds)),
      }
      results.push(measurement)
      const parts = (list: CliRun[], key: keyof CliRun) => median(list.map((r) => r[key])).toFixed(2)
      console.log(
        `bench cli scale=${scale} seconds=${measurement.seconds.toFixed(2)} start_seconds=${parts(runs, 'startSeconds')} ` +
          `workflow_seconds=${parts(runs, 'workflowSeconds')} end_seconds=${parts(runs, 'endSeconds')} ` +
          `tsx_seconds=${measurement.tsxSeconds.toFixed(2)}`,
      )
    } finally {
      await stopWorker(worker)
      await client.connection.close()
      await dropDatabase(config.warehouseUrl)
      await rm(config.sheets.dir, { recursive: true, force: true })
    }
  }
  return results
}

export function printCliTable(results: CliMeasurement[]): void {
  console.log('')
  console.log(
    `${'scale'.padStart(6)} ${'cli'.padEnd(9)} ${'seconds'.padStart(8)} ${'start'.padStart(7)} ${'workflow'.padStart(9)} ${'end'.padStart(6)}   (every run: seconds = start + workflow + end)`,
  )
  for (const m of results) {
    for (const [name, runs] of [
      ['compiled', m.runs],
      ['tsx', m.tsxRuns],
    ] as const) {
      for (const r of runs) {
        console.log(
          `${String(m.scale).padStart(6)} ${name.padEnd(9)} ${r.seconds.toFixed(2).padStart(8)} ${r.startSeconds.toFixed(2).padStart(7)} ${r.workflowSeconds.toFixed(2).padStart(9)} ${r.endSeconds.toFixed(2).padStart(6)}`,
        )
      }
    }
  }
}
