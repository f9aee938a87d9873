// The local services: the pinned Temporal CLI dev server and the pinned S3 gateway, built with
// `go install` into the project's tools folder, started as background processes with their
// data, logs and pid files under the data folder, and the pipeline's database. Used by
// `npm start`, by the tests and by .ci/run. Services the configuration points elsewhere (a
// real Temporal cluster, MinIO) are only checked, never started.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Config } from './config.ts'
import { ensureDatabase } from './db.ts'
import { ConfigurationError } from './errors.ts'
import { projectRoot } from './paths.ts'

export interface Tool {
  name: string
  module: string
  version: string
}

/** Pinned versions; later CLI tags carry a replace directive and cannot be go-installed. */
export const TOOLS: Tool[] = [
  { name: 'temporal', module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.5.1' },
  { name: 'versitygw', module: 'github.com/versity/versitygw/cmd/versitygw', version: 'v1.7.0' },
]

type Say = (line: string) => void

const toolPath = (config: Config, tool: Tool) => path.join(config.toolsDir, 'bin', tool.name)
const pidFile = (config: Config, name: string) => path.join(config.dataDir, 'run', `${name}.pid`)
const logFile = (config: Config, name: string) => path.join(config.dataDir, 'logs', `${name}.log`)

/** Builds the pinned tools that are missing (or of another version) into <tools>/bin, in parallel. */
export async function installTools(config: Config, say: Say): Promise<void> {
  const missing = TOOLS.filter((tool) => {
    const stamp = `${toolPath(config, tool)}.version`
    return (
      !existsSync(toolPath(config, tool)) || !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== tool.version
    )
  })
  if (missing.length === 0) return
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new ConfigurationError(
      `Go is needed to build ${missing.map((t) => `${t.name} ${t.version}`).join(' and ')}: install Go 1.22 or later, or run the stack with docker compose (see README)`,
    )
  }
  say(
    `Building ${missing.map((t) => `${t.name} ${t.version}`).join(' and ')} with go install (first time only, a few minutes)...`,
  )
  await Promise.all(missing.map((tool) => goInstall(config, tool)))
}

function goInstall(config: Config, tool: Tool): Promise<void> {
  const binary = toolPath(config, tool)
  return new Promise((resolve, reject) => {
    const build = spawn('go', ['install', `${tool.module}@${tool.version}`], {
      env: { ...process.env, GOBIN: path.dirname(binary) },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    build.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    build.on('error', reject)
    build.on('close', (code) => {
      if (code !== 0) return reject(new Error(`go install ${tool.module}@${tool.version} failed:\n${stderr}`))
      writeFileSync(`${binary}.version`, `${tool.version}\n`)
      resolve()
    })
  })
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':')
  return { host: host ?? '127.0.0.1', port: Number(port) }
}

const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1'].includes(host)

export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${log ? ` (see ${log})` : ''}`)
}

/** The pid in <data>/run/<name>.pid, if that process still runs and is still ours. */
function readPid(config: Config, name: string): number | undefined {
  const file = pidFile(config, name)
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8'))
  try {
    process.kill(pid, 0)
    // A pid can be reused after a reboot: only a process started from this project counts.
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (!commandLine.includes(name === 'worker' ? 'paccafe.ts' : name)) throw new Error('not ours')
    return pid
  } catch {
    rmSync(file, { force: true })
    return undefined
  }
}

/** Starts `command` detached from this process, logging to <data>/logs/<name>.log. */
function startDetached(config: Config, name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): void {
  mkdirSync(path.dirname(pidFile(config, name)), { recursive: true })
  mkdirSync(path.dirname(logFile(config, name)), { recursive: true })
  const out = openSync(logFile(config, name), 'a')
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: projectRoot,
    env: env ?? process.env,
  })
  closeSync(out) // the child has its own copy
  if (child.pid === undefined) throw new Error(`Could not start ${name}`)
  writeFileSync(pidFile(config, name), String(child.pid))
  child.unref()
}

export async function startTemporal(config: Config, say: Say): Promise<void> {
  const grpc = hostPort(config.temporal.address)
  const ui = new URL(config.temporal.uiUrl)
  if (await isPortOpen(grpc.host, grpc.port)) return say(`Temporal is already reachable at ${config.temporal.address}`)
  if (!isLocal(grpc.host)) throw new ConfigurationError(`Temporal is not reachable at ${config.temporal.address}`)
  const dataDir = path.join(config.dataDir, 'temporal')
  mkdirSync(dataDir, { recursive: true })
  startDetached(config, 'temporal', toolPath(config, TOOLS[0] as Tool), [
    'server',
    'start-dev',
    '--ip',
    grpc.host,
    '--port',
    String(grpc.port),
    '--ui-port',
    ui.port || '8233',
    '--db-filename',
    path.join(dataDir, 'temporal.sqlite'),
    '--namespace',
    config.temporal.namespace,
    '--log-level',
    'warn',
  ])
  await waitUntil('Temporal dev server', () => isPortOpen(grpc.host, grpc.port), 60_000, logFile(config, 'temporal'))
  say(`Temporal dev server started: gRPC ${config.temporal.address}, Web UI ${config.temporal.uiUrl}`)
}

export async function startS3Gateway(config: Config, say: Say): Promise<void> {
  const endpoint = new URL(config.s3.endpoint)
  const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80))
  if (await isPortOpen(endpoint.hostname, port))
    return say(`Object store is already reachable at ${config.s3.endpoint}`)
  if (!isLocal(endpoint.hostname))
    throw new ConfigurationError(`Object store is not reachable at ${config.s3.endpoint}`)
  const root = path.join(config.dataDir, 's3')
  mkdirSync(root, { recursive: true })
  // Credentials go through the environment, not the command line that `ps` shows.
  const env = { ...process.env, ROOT_ACCESS_KEY: config.s3.accessKey, ROOT_SECRET_KEY: config.s3.secretKey }
  startDetached(
    config,
    'versitygw',
    toolPath(config, TOOLS[1] as Tool),
    ['--port', `${endpoint.hostname}:${port}`, '--region', config.s3.region, '--quiet', 'posix', root],
    env,
  )
  await waitUntil('S3 gateway', () => isPortOpen(endpoint.hostname, port), 30_000, logFile(config, 'versitygw'))
  say(`S3 gateway (versitygw) started at ${config.s3.endpoint}, data in ${root}`)
}

/** Creates the pipeline's database when missing. (Migrations run when a worker starts.) */
export async function ensureWarehouseDatabase(config: Config, say: Say): Promise<void> {
  if (await ensureDatabase(config.warehouseUrl)) say('Created the warehouse database')
}

export async function servicesUp(config: Config, say: Say): Promise<void> {
  await installTools(config, say)
  await startTemporal(config, say)
  await startS3Gateway(config, say)
  await ensureWarehouseDatabase(config, say)
}

/** Starts the long-running worker in the background (so schedules fire), unless one runs. */
export async function startBackgroundWorker(config: Config, say: Say): Promise<void> {
  if (readPid(config, 'worker')) return say('A background worker is already running')
  startDetached(config, 'worker', process.execPath, [
    '--import',
    'tsx',
    path.join(projectRoot, 'cli', 'paccafe.ts'),
    'worker',
  ])
  say(`Background worker started (log: ${logFile(config, 'worker')})`)
}

/** Stops what this script started (worker, S3 gateway, Temporal), newest first. */
export async function servicesDown(config: Config, say: Say): Promise<void> {
  for (const name of ['worker', 'versitygw', 'temporal']) {
    const pid = readPid(config, name)
    if (!pid) continue
    try {
      process.kill(-pid, 'SIGTERM')
    } catch {
      process.kill(pid, 'SIGTERM')
    }
    await waitUntil(`${name} to stop`, async () => readPid(config, name) === undefined, 20_000).catch(() => {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    })
    rmSync(pidFile(config, name), { force: true })
    say(`Stopped ${name}`)
  }
}
