// What went wrong when the pipeline could not reach or log in to one of its services
// (PostgreSQL, the S3 gateway, Temporal), said in one line: which service, which address (never
// a password or secret), and what to check. Used at start-up (lib/preflight.ts) and by the CLI
// for the same failures met later.
import { type Config, databaseName, redactUrl, userName } from './config.ts'
import { ServiceUnavailableError } from './errors.ts'

export type ServiceName = 'warehouse' | 'source' | 's3' | 'temporal'

export interface Service {
  name: ServiceName
  /** How people call it: "the warehouse database", "the S3 gateway". */
  label: string
  /** Where it is, safe to print. */
  address: string
  /** host:port, to recognize a socket error that names only that. */
  hostPort: string
  /** The variables that point at it. */
  variables: string[]
}

export function servicesOf(config: Config): Record<ServiceName, Service> {
  return {
    warehouse: postgresService('warehouse', 'the warehouse database', config.warehouseUrl, 'PACCAFE_WAREHOUSE_URL'),
    source: postgresService('source', 'the source (POS) database', config.sourceUrl, 'PACCAFE_SOURCE_URL'),
    s3: {
      name: 's3',
      label: 'the S3 gateway',
      address: config.s3.endpoint,
      hostPort: hostPortOfUrl(config.s3.endpoint),
      variables: ['PACCAFE_S3_ENDPOINT'],
    },
    temporal: {
      name: 'temporal',
      label: 'the Temporal server',
      address: config.temporal.address,
      hostPort: config.temporal.address,
      variables: ['PACCAFE_TEMPORAL_ADDRESS'],
    },
  }
}

function postgresService(name: ServiceName, label: string, url: string, variable: string): Service {
  return { name, label, address: redactUrl(url), hostPort: hostPortOfUrl(url, 5432), variables: [variable] }
}

function hostPortOfUrl(url: string, defaultPort?: number): string {
  const parsed = new URL(url)
  const port = parsed.port || String(defaultPort ?? (parsed.protocol === 'https:' ? 443 : 80))
  return `${parsed.hostname}:${port}`
}

/** Node's socket error codes, as people say them. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
  ETIMEDOUT: 'no answer',
  CONNECT_TIMEOUT: 'no answer',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  CONNECTION_CLOSED: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPROTO: 'TLS handshake failed',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: is the scheme (http/https) right?',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
}

/** S3 error codes that mean the access key or secret is wrong. */
const S3_CREDENTIAL_ERRORS = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'AccessDenied',
  'XAdminUserNotFound',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
])

interface ErrorLike {
  name?: string
  message?: string
  code?: string | number
  cause?: unknown
  errors?: unknown[]
}

const asErrorLike = (error: unknown): ErrorLike => (typeof error === 'object' && error !== null ? error : {})

/** A socket-level reason, from the error or the first error it aggregates (IPv4 and IPv6 tries). */
function socketReason(error: unknown): string | undefined {
  const e = asErrorLike(error)
  const code = typeof e.code === 'string' ? e.code : undefined
  if (code && SOCKET_ERRORS[code]) return SOCKET_ERRORS[code]
  for (const inner of e.errors ?? []) {
    const reason = socketReason(inner)
    if (reason) return reason
  }
  return undefined
}

function unreachable(service: Service, reason: string): string {
  const hint =
    service.name === 's3' || service.name === 'temporal'
      ? 'is it running? (paccafe services up)'
      : 'is PostgreSQL running there?'
  return `Cannot reach ${service.label} at ${service.address} (${reason}): ${hint} Check ${service.variables.join(' and ')}.`
}

/** A PostgreSQL error the server sent while the session was being opened. */
function postgresLoginFailure(service: Service, error: ErrorLike, url: string): string | undefined {
  const code = String(error.code ?? '')
  const where = service.hostPort
  const variable = service.variables[0]
  if (code === '3D000') {
    const remedy =
      service.name === 'source' ? 'seed the demo POS with paccafe seed' : 'create it with paccafe services up'
    return `${capitalize(service.label)} ${databaseName(url)} does not exist on ${where}: ${remedy}, or check ${variable}.`
  }
  if (code === '28P01') {
    return `PostgreSQL at ${where} refused the password of user ${userName(url)} for ${service.label} ${databaseName(url)}: check the password in ${variable}.`
  }
  if (code === '28000') {
    return `PostgreSQL at ${where} refused user ${userName(url)} for ${service.label} ${databaseName(url)} (${error.message}): check the user in ${variable} and the server's pg_hba.conf.`
  }
  if (code === '57P03' || code === '53300' || code.startsWith('08')) {
    return `${capitalize(service.label)} at ${service.address} refused the connection (${error.message}): try again shortly, or check ${variable}.`
  }
  return undefined
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** The error's S3 code, if it came from an S3 service (the minio client's S3Error). */
function s3Code(error: ErrorLike): string | undefined {
  if (error.name !== 'S3Error' && !('amzRequestid' in error)) return undefined
  return typeof error.code === 'string' ? error.code : 'S3Error'
}

function s3Failure(service: Service, error: ErrorLike, config: Config): string | undefined {
  const code = s3Code(error)
  if (!code) return undefined
  if (S3_CREDENTIAL_ERRORS.has(code)) {
    return `${capitalize(service.label)} at ${service.address} refused access key ${config.s3.accessKey} (${code}): check PACCAFE_S3_ACCESS_KEY and PACCAFE_S3_SECRET_KEY, and that the key may use bucket ${config.s3.bucket}.`
  }
  return `${capitalize(service.label)} at ${service.address} refused a request on bucket ${config.s3.bucket} (${code}: ${error.message}): check PACCAFE_S3_BUCKET and PACCAFE_S3_REGION.`
}

/** Temporal's connection errors: the native worker's TransportError, the client's deadline, gRPC UNAVAILABLE. */
function temporalFailure(service: Service, error: ErrorLike, config: Config): string | undefined {
  const message = error.message ?? ''
  if (/Connection refused|ConnectionRefused/i.test(message)) return unreachable(service, 'connection refused')
  if (/dns error|failed to lookup address|Name or service not known/i.test(message))
    return unreachable(service, 'host name not found')
  if (/Failed to connect before the deadline|deadline exceeded/i.test(message)) return unreachable(service, 'no answer')
  if (error.name === 'TransportError' || error.code === 14) return unreachable(service, firstLine(message))
  if (/namespace .*not found/i.test(message)) {
    return `${capitalize(service.label)} at ${service.address} has no namespace ${config.temporal.namespace}: create it, or check PACCAFE_TEMPORAL_NAMESPACE.`
  }
  return undefined
}

const firstLine = (text: string) => text.split('\n')[0]?.trim() ?? text

/**
 * One line for a failure to reach or log in to `service`, or undefined when the error is not
 * one (a bug, a failed statement), which callers should let through as it is.
 */
export function describeServiceFailure(service: Service, error: unknown, config: Config): string | undefined {
  const e = asErrorLike(error)
  if (e instanceof ServiceUnavailableError) return e.message
  const reason = socketReason(error)
  if (reason) return unreachable(service, reason)
  if (service.name === 'warehouse' || service.name === 'source') {
    const url = service.name === 'warehouse' ? config.warehouseUrl : config.sourceUrl
    return postgresLoginFailure(service, e, url)
  }
  if (service.name === 's3') return s3Failure(service, e, config)
  return temporalFailure(service, e, config)
}

/** The service an error thrown anywhere came from, judged by its kind and the address it names. */
function serviceOfError(error: ErrorLike, services: Record<ServiceName, Service>): Service | undefined {
  if (s3Code(error)) return services.s3
  if (error.name === 'TransportError' || /Failed to connect before the deadline/.test(error.message ?? ''))
    return services.temporal
  const socket = error as { address?: string; port?: number }
  if (socket.address && socket.port) {
    // The error names the IP address a host name resolved to: the port alone may tell.
    const hostPort = `${socket.address}:${socket.port}`
    const all = Object.values(services)
    const samePort = all.filter((service) => service.hostPort.endsWith(`:${socket.port}`))
    return all.find((service) => service.hostPort === hostPort) ?? (samePort.length === 1 ? samePort[0] : undefined)
  }
  if (typeof error.code === 'string' && /^(3D000|28P01|28000)$/.test(error.code)) {
    // The server names the database or the user; the first service that matches is the one.
    return [services.warehouse, services.source].find(
      (service) =>
        error.message?.includes(`"${databaseName(service.address)}"`) ||
        error.message?.includes(`"${userName(service.address)}"`),
    )
  }
  return undefined
}

/**
 * One line for an error from one of the services, whichever step met it, or undefined. The
 * error's causes are looked at too (a library may wrap the socket error).
 */
export function recognizeServiceFailure(error: unknown, config: Config): string | undefined {
  const services = servicesOf(config)
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const e = asErrorLike(current)
    if (e instanceof ServiceUnavailableError) return e.message
    const service = serviceOfError(e, services)
    if (service) {
      const line = describeServiceFailure(service, current, config)
      if (line) return line
    }
    const reason = socketReason(current)
    const socket = current as { address?: string; port?: number }
    if (reason && socket.address && socket.port) {
      return `Cannot reach ${socket.address}:${socket.port} (${reason}): check PACCAFE_WAREHOUSE_URL, PACCAFE_SOURCE_URL, PACCAFE_S3_ENDPOINT and PACCAFE_TEMPORAL_ADDRESS.`
    }
    current = e.cause
  }
  return undefined
}
