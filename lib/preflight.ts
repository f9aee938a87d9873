// Start-up checks: before a worker or a command begins, each service it needs is reached and
// logged in to once, within a bounded time, so that a wrong address or credential stops it at
// once with one line (lib/service-errors.ts) instead of a stack trace or a long hang.
import net from 'node:net'
import type { Config } from './config.ts'
import { connect } from './db.ts'
import { ServiceUnavailableError } from './errors.ts'
import type { ObjectStore } from './object-store.ts'
import { describeServiceFailure, type ServiceName, servicesOf } from './service-errors.ts'

/** How long one check may wait for its service. */
export const PREFLIGHT_TIMEOUT_MS = 5_000

class TimedOut extends Error {
  readonly code = 'ETIMEDOUT'
}

/** `work`, or a TimedOut failure once `ms` have passed (the work itself is left to end on its own). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what}: no answer`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs one check; a failure to reach or log in becomes a one-line ServiceUnavailableError. */
async function check(config: Config, name: ServiceName, work: () => Promise<unknown>, timeoutMs: number) {
  const service = servicesOf(config)[name]
  try {
    await withTimeout(work(), timeoutMs, service.label)
  } catch (error) {
    const line = describeServiceFailure(service, error, config)
    if (line) throw new ServiceUnavailableError(line, { cause: error })
    throw error
  }
}

/** Opens one session to the database and runs a trivial statement in it. */
async function pingDatabase(url: string, readOnly: boolean): Promise<void> {
  const sql = connect(url, { name: 'paccafe-preflight', max: 1, readOnly })
  try {
    await sql`select 1`
  } finally {
    await sql.end({ timeout: 0 })
  }
}

/** Opens a TCP connection: says at once whether anything listens, which gRPC clients only say after retrying. */
function tcpConnect(hostPort: string): Promise<void> {
  const separator = hostPort.lastIndexOf(':')
  const host = hostPort.slice(0, separator)
  const port = Number(hostPort.slice(separator + 1))
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.once('error', (error) => {
      socket.destroy()
      reject(error)
    })
  })
}

export interface PreflightOptions {
  timeoutMs?: number
  /** The store to prepare (its bucket is created when missing); one is made from the config otherwise. */
  store?: ObjectStore
}

const CHECKS: Record<ServiceName, (config: Config, options: PreflightOptions) => Promise<unknown>> = {
  warehouse: (config) => pingDatabase(config.warehouseUrl, false),
  source: (config) => pingDatabase(config.sourceUrl, true),
  // The bucket check is an authenticated request, so it also proves the credentials.
  // Loaded only here: the S3 client is a large import that commands without S3 need not pay for.
  s3: async (config, options) => {
    const { createObjectStore, ensureBucket } = await import('./object-store.ts')
    return ensureBucket(options.store ?? createObjectStore(config.s3), config.s3.region)
  },
  temporal: (config) => tcpConnect(config.temporal.address),
}

/**
 * Checks the services in parallel, and throws the failure of the first in `services` order that
 * failed, so the line names the most basic problem.
 */
export async function preflight(config: Config, services: ServiceName[], options: PreflightOptions = {}) {
  const timeoutMs = options.timeoutMs ?? PREFLIGHT_TIMEOUT_MS
  const results = await Promise.allSettled(
    services.map((name) => check(config, name, () => CHECKS[name](config, options), timeoutMs)),
  )
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed) throw failed.reason
}

/**
 * Runs `connect` (a Temporal connection), turning its failure to reach the server into a
 * one-line ServiceUnavailableError, within a bounded time.
 */
export async function connectTemporal<T>(
  config: Config,
  connectTo: () => Promise<T>,
  timeoutMs = PREFLIGHT_TIMEOUT_MS,
) {
  await preflight(config, ['temporal'], { timeoutMs })
  const service = servicesOf(config).temporal
  try {
    return await withTimeout(connectTo(), timeoutMs * 2, service.label)
  } catch (error) {
    const line = describeServiceFailure(service, error, config)
    if (line) throw new ServiceUnavailableError(line, { cause: error })
    throw error
  }
}
