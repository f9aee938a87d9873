// The local services: the pinned Temporal dev server and S3 gateway as background processes,
// the pipeline's database, and the background worker. Used by `npm start`, the tests and
// .ci/run. Services the configuration points elsewhere (a real Temporal cluster, MinIO) are
// only checked, never started.
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../lib/config.ts'
import { ensureDatabase } from '../lib/db.ts'
import { ConfigurationError } from '../lib/errors.ts'
import { projectRoot } from '../lib/paths.ts'
import { PIPELINE_SEARCH_ATTRIBUTES, typeName } from '../lib/search-attributes.ts'
import { connectClient, registerSearchAttributes } from '../lib/temporal.ts'
import { installTools, type Say, TOOLS, type Tool, toolPath } from './pinned-tools.ts'
import { hostPort, isLocal, isPortOpen, logFile, pidFile, readPid, startDetached, waitUntil } from './processes.ts'

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
    // Registered from the start, so that the Web UI can filter runs before any worker has run.
    ...PIPELINE_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${typeName(key)}`]),
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

/** The search attributes of pipeline runs, registered in the namespace so that the Web UI can filter on them. */
async function ensureSearchAttributes(config: Config, say: Say): Promise<void> {
  const client = await connectClient(config)
  try {
    const added = await registerSearchAttributes(client.connection.operatorService, config.temporal.namespace)
    if (added.length > 0) say(`Registered the search attributes ${added.join(', ')}`)
  } finally {
    await client.connection.close()
  }
}

/** Creates the pipeline's database when missing. (Migrations run when a worker starts.) */
export async function ensureWarehouseDatabase(config: Config, say: Say): Promise<void> {
  if (await ensureDatabase(config.warehouseUrl)) say('Created the warehouse database')
}

export async function servicesUp(config: Config, say: Say): Promise<void> {
  await installTools(config, say)
  await startTemporal(config, say)
  await ensureSearchAttributes(config, say)
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
    // The worker drains first (workers/worker.ts: grace and force times, then closing), so it gets longer.
    const patienceMs = name === 'worker' ? 50_000 : 20_000
    await waitUntil(`${name} to stop`, async () => readPid(config, name) === undefined, patienceMs).catch(() => {
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
