// Processes a fault test owns, so it can kill them: pipeline workers (`paccafe worker`), and an
// S3 gateway or a Temporal dev server of its own on free loopback ports. Every wait is bounded.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Config } from '../../lib/config.ts'
import { projectRoot } from '../../lib/paths.ts'
import { isPortOpen } from '../../local-services/processes.ts'

export interface OwnedProcess {
  child: ChildProcess
  /** Resolves when the process has exited. */
  exited: Promise<void>
  /** SIGKILL (no clean-up at all) by default; resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
  output(): string
}

function own(child: ChildProcess): OwnedProcess {
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    child.once('exit', () => resolve())
  })
  return {
    child,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
    output: () => output,
  }
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}`)
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The environment that makes `paccafe` use `config`. */
export function environmentOf(config: Config): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PACCAFE_SOURCE_URL: config.sourceUrl,
    PACCAFE_WAREHOUSE_URL: config.warehouseUrl,
    PACCAFE_TEMPORAL_ADDRESS: config.temporal.address,
    PACCAFE_TEMPORAL_NAMESPACE: config.temporal.namespace,
    PACCAFE_TASK_QUEUE: config.temporal.taskQueue,
    PACCAFE_S3_ENDPOINT: config.s3.endpoint,
    PACCAFE_S3_REGION: config.s3.region,
    PACCAFE_S3_ACCESS_KEY: config.s3.accessKey,
    PACCAFE_S3_SECRET_KEY: config.s3.secretKey,
    PACCAFE_S3_BUCKET: config.s3.bucket,
    PACCAFE_SHEETS_DIR: config.sheets.dir,
    PACCAFE_SHEETS_LANDING_PREFIX: config.sheets.landingPrefix,
    PACCAFE_EXTRACT_CHUNK_ROWS: String(config.extractChunkRows),
    PACCAFE_TIMEZONE: config.timezone,
    PACCAFE_LOG_LEVEL: 'info',
  }
}

/** A `paccafe worker` process for `config`, once it polls its task queue. */
export async function startWorkerProcess(config: Config): Promise<OwnedProcess> {
  const worker = own(
    spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'cli', 'paccafe.ts'), 'worker'], {
      cwd: projectRoot,
      env: environmentOf(config),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
  await until('the worker process to poll', () => {
    if (worker.child.exitCode !== null) throw new Error(`The worker exited at start-up:\n${worker.output()}`)
    return worker.output().includes('worker polling')
  })
  return worker
}

const tool = (name: string) => path.join(projectRoot, '.tools', 'bin', name)

/** An S3 gateway of the test's own, on `port`, keeping its objects in `dir` (so a restart finds them). */
export async function startS3Gateway(config: Config, port: number, dir: string): Promise<OwnedProcess> {
  mkdirSync(dir, { recursive: true })
  const gateway = own(
    spawn(tool('versitygw'), ['--port', `127.0.0.1:${port}`, '--region', config.s3.region, '--quiet', 'posix', dir], {
      env: { ...process.env, ROOT_ACCESS_KEY: config.s3.accessKey, ROOT_SECRET_KEY: config.s3.secretKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
  await until('the S3 gateway to listen', () => isPortOpen('127.0.0.1', port, 200), 30_000)
  return gateway
}

/** A Temporal dev server of the test's own, keeping its history in `dbFile` (so a restart finds it). */
export async function startTemporalServer(port: number, uiPort: number, dbFile: string): Promise<OwnedProcess> {
  const server = own(
    spawn(
      tool('temporal'),
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort)].concat([
        '--db-filename',
        dbFile,
        '--namespace',
        'default',
        '--log-level',
        'error',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  )
  await until('the Temporal dev server to listen', () => isPortOpen('127.0.0.1', port, 200), 60_000)
  return server
}

/**
 * Bytes that clients have sent to `port` on 127.0.0.1 and its listener has not read yet (from
 * /proc/net/tcp): with the listener stopped (SIGSTOP), more than 0 means a request is in flight.
 */
export function unreadBytesOnPort(port: number): number {
  const lines = readFileSync('/proc/net/tcp', 'utf8').trim().split('\n').slice(1)
  let unread = 0
  for (const line of lines) {
    const [, local, , state, queues] = line.trim().split(/\s+/)
    if (!local || !queues || state !== '01') continue // 01: ESTABLISHED
    if (Number.parseInt(local.split(':')[1] ?? '', 16) !== port) continue
    unread += Number.parseInt(queues.split(':')[1] ?? '0', 16)
  }
  return unread
}

/** Fails, with its output, when `process` has exited. */
export function expectRunning(process: OwnedProcess, what: string): void {
  const { exitCode, signalCode } = process.child
  if (exitCode === null && signalCode === null) return
  throw new Error(
    `${what} exited (${signalCode ?? `code ${exitCode}`}); its last output:\n${process.output().slice(-4000)}`,
  )
}
