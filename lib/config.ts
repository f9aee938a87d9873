// One typed configuration object, read from the environment (and an optional .env) and
// validated once at start-up. Everything else receives it as an argument.
import { existsSync } from 'node:fs'
import path from 'node:path'
import Type from 'typebox'
import Value from 'typebox/value'
import { ConfigurationError } from './errors.ts'
import { projectRoot } from './paths.ts'

const PostgresUrl = (description: string, fallback: string) =>
  Type.String({ pattern: '^postgres(ql)?://[^/]+/[A-Za-z0-9_]+$', default: fallback, description })
// Retention ages in days (docs/retention.md): at least a day, at most ten years.
const RetentionDays = (fallback: number) => Type.Integer({ minimum: 1, maximum: 3650, default: fallback })
const HostPort = (fallback: string) => Type.String({ pattern: '^[A-Za-z0-9.\\-]+:[0-9]{1,5}$', default: fallback })

/** The environment variables the pipeline reads, with their defaults for a local machine. */
export const ConfigSchema = Type.Object({
  PACCAFE_SOURCE_URL: PostgresUrl(
    'the POS database to read, as a role that may only read',
    'postgres://paccafe_reader@127.0.0.1:5432/paccafe_pos',
  ),
  PACCAFE_WAREHOUSE_URL: PostgresUrl(
    "the pipeline's own database: staging, clean, dq, warehouse, marts, etl",
    'postgres://postgres@127.0.0.1:5432/paccafe_warehouse',
  ),
  PACCAFE_TEMPORAL_ADDRESS: HostPort('127.0.0.1:7233'),
  PACCAFE_TEMPORAL_NAMESPACE: Type.String({ minLength: 1, default: 'default' }),
  PACCAFE_TEMPORAL_UI_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8233' }),
  PACCAFE_TASK_QUEUE: Type.String({ minLength: 1, default: 'paccafe-pipeline' }),
  PACCAFE_S3_ENDPOINT: Type.String({ pattern: '^https?://[^/]+$', default: 'http://127.0.0.1:7070' }),
  PACCAFE_S3_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  PACCAFE_S3_ACCESS_KEY: Type.String({ minLength: 3, default: 'paccafe' }),
  PACCAFE_S3_SECRET_KEY: Type.String({ minLength: 8, default: 'paccafe-local-secret' }),
  PACCAFE_S3_BUCKET: Type.String({ pattern: '^[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]$', default: 'paccafe-quarantine' }),
  PACCAFE_TIMEZONE: Type.String({ minLength: 1, default: 'Asia/Jakarta' }),
  PACCAFE_INCREMENTAL_OVERLAP_MINUTES: Type.Integer({ minimum: 0, maximum: 10080, default: 60 }),
  PACCAFE_SHEETS_DIR: Type.String({ minLength: 1, default: '.data/sheets' }),
  PACCAFE_SHEETS_LANDING_PREFIX: Type.String({ pattern: '^[A-Za-z0-9._\\-/]*$', default: 'landing/' }),
  PACCAFE_EXTRACT_CHUNK_ROWS: Type.Integer({ minimum: 100, maximum: 10_000_000, default: 100_000 }),
  PACCAFE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  // Quarantine and failed-load objects hold customer data: kept a short time once closed.
  PACCAFE_RETENTION_QUARANTINE_DAYS: RetentionDays(30),
  PACCAFE_RETENTION_VERDICTS_DAYS: RetentionDays(90),
  PACCAFE_RETENTION_CLEAN_DAYS: RetentionDays(90),
  PACCAFE_RETENTION_STAGING_DAYS: RetentionDays(90),
  // A run's report is rebuilt from the marts at will; the bucket keeps a month of them.
  PACCAFE_RETENTION_REPORTS_DAYS: RetentionDays(30),
  // Notifications (docs/notifications.md): unset means off. The URL may hold a token, so it is
  // never printed, and the secret only signs the body.
  PACCAFE_WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  PACCAFE_WEBHOOK_ON_SUCCESS: Type.Boolean({ default: false }),
  PACCAFE_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  // Where the local services script keeps its binaries, data and logs.
  PACCAFE_TOOLS_DIR: Type.String({ minLength: 1, default: '.tools' }),
  PACCAFE_DATA_DIR: Type.String({ minLength: 1, default: '.data' }),
})

export interface RetentionAges {
  /** Quarantine objects (and their index rows) and failed-load objects of closed batches and loads. */
  quarantineDays: number
  /** Superseded verdicts, resolved violations, warnings of rows changed since. */
  verdictsDays: number
  /** Clean rows of runs past. */
  cleanDays: number
  /** Load tables left in staging by runs that ended before merging them. */
  stagingDays: number
  /** Run reports (reports/run=<id>/) but the latest run's. */
  reportsDays: number
}

/** The webhook notifications are posted to; no url, no notifications. */
export interface WebhookConfig {
  url?: string
  /** Succeeded runs are posted only when opted in; failures and waiting batches always are. */
  onSuccess: boolean
  /** Signs each body (X-Paccafe-Signature: sha256=<HMAC>); never sent itself. */
  secret?: string
}

export type RawConfig = Type.Static<typeof ConfigSchema>

export interface Config {
  sourceUrl: string
  warehouseUrl: string
  temporal: { address: string; namespace: string; uiUrl: string; taskQueue: string }
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string; bucket: string }
  timezone: string
  incrementalOverlapMinutes: number
  /** Hand-kept sheets: a local folder, and a prefix in the bucket where staff drop files. */
  sheets: { dir: string; landingPrefix: string }
  /** Rows per committed chunk when copying a source table into staging. */
  extractChunkRows: number
  /** Ages in days past which `paccafe retention` expires what is no longer needed. */
  retention: RetentionAges
  webhook: WebhookConfig
  logLevel: string
  toolsDir: string
  dataDir: string
}

/** Reads `.env` (if present) without overriding variables already set in the environment. */
export function loadDotEnv(file = path.join(projectRoot, '.env')): void {
  if (existsSync(file)) process.loadEnvFile(file)
}

/**
 * Validates the environment into a Config. A wrong or missing setting throws a
 * ConfigurationError whose message is one line: the variable, the value and what was expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  assertWholeDays(raw)
  const withDefaults = Value.Default(ConfigSchema, raw)
  const converted = Value.Convert(ConfigSchema, withDefaults) as Record<string, unknown>
  const firstError = Value.Errors(ConfigSchema, converted)[0]
  if (firstError) {
    const variable = firstError.instancePath.replace(/^\//, '')
    const value = env[variable]
    const shown = isSecret(variable) ? '(hidden)' : JSON.stringify(value ?? null)
    throw new ConfigurationError(
      `Invalid configuration: ${variable}=${shown}: expected ${describeExpectation(variable)}`,
    )
  }
  const c = converted as RawConfig
  assertTimezone(c.PACCAFE_TIMEZONE)
  if (c.PACCAFE_WEBHOOK_URL) assertWebhookUrl(c.PACCAFE_WEBHOOK_URL)
  return {
    sourceUrl: c.PACCAFE_SOURCE_URL,
    warehouseUrl: c.PACCAFE_WAREHOUSE_URL,
    temporal: {
      address: c.PACCAFE_TEMPORAL_ADDRESS,
      namespace: c.PACCAFE_TEMPORAL_NAMESPACE,
      uiUrl: c.PACCAFE_TEMPORAL_UI_URL.replace(/\/$/, ''),
      taskQueue: c.PACCAFE_TASK_QUEUE,
    },
    s3: {
      endpoint: c.PACCAFE_S3_ENDPOINT,
      region: c.PACCAFE_S3_REGION,
      accessKey: c.PACCAFE_S3_ACCESS_KEY,
      secretKey: c.PACCAFE_S3_SECRET_KEY,
      bucket: c.PACCAFE_S3_BUCKET,
    },
    timezone: c.PACCAFE_TIMEZONE,
    incrementalOverlapMinutes: c.PACCAFE_INCREMENTAL_OVERLAP_MINUTES,
    extractChunkRows: c.PACCAFE_EXTRACT_CHUNK_ROWS,
    sheets: { dir: path.resolve(projectRoot, c.PACCAFE_SHEETS_DIR), landingPrefix: c.PACCAFE_SHEETS_LANDING_PREFIX },
    retention: {
      quarantineDays: c.PACCAFE_RETENTION_QUARANTINE_DAYS,
      verdictsDays: c.PACCAFE_RETENTION_VERDICTS_DAYS,
      cleanDays: c.PACCAFE_RETENTION_CLEAN_DAYS,
      stagingDays: c.PACCAFE_RETENTION_STAGING_DAYS,
      reportsDays: c.PACCAFE_RETENTION_REPORTS_DAYS,
    },
    webhook: {
      url: c.PACCAFE_WEBHOOK_URL,
      onSuccess: c.PACCAFE_WEBHOOK_ON_SUCCESS,
      secret: c.PACCAFE_WEBHOOK_SECRET,
    },
    logLevel: c.PACCAFE_LOG_LEVEL,
    toolsDir: path.resolve(projectRoot, c.PACCAFE_TOOLS_DIR),
    dataDir: path.resolve(projectRoot, c.PACCAFE_DATA_DIR),
  }
}

function describeExpectation(variable: string): string {
  const schema = (ConfigSchema.properties as unknown as Record<string, Record<string, unknown>>)[variable]
  if (!schema) return 'a known setting'
  if (variable.endsWith('_URL') && String(schema.pattern ?? '').startsWith('^postgres'))
    return 'a PostgreSQL URL such as postgres://user@host:5432/database'
  if (variable === 'PACCAFE_WEBHOOK_URL') return WEBHOOK_URL_EXPECTED
  if (schema.type === 'boolean') return 'true or false'
  if (schema.type === 'integer') return `an integer from ${schema.minimum} to ${schema.maximum}`
  if (schema.anyOf) return `one of ${(schema.anyOf as { const: string }[]).map((s) => s.const).join(', ')}`
  if (schema.pattern) return `a value matching ${schema.pattern}`
  if (schema.minLength) return `a string of at least ${schema.minLength} characters`
  return 'a valid value'
}

/** Conversion would round 2.5 days down to 2: an age is given in whole days or refused. */
function assertWholeDays(raw: Record<string, unknown>): void {
  for (const [variable, value] of Object.entries(raw)) {
    if (!variable.startsWith('PACCAFE_RETENTION_') || /^[0-9]+$/.test(String(value))) continue
    throw new ConfigurationError(
      `Invalid configuration: ${variable}=${JSON.stringify(value)}: expected ${describeExpectation(variable)} (whole days)`,
    )
  }
}

/** A webhook URL may carry its token (in the path, query or user info): it is never shown. */
function isSecret(variable: string): boolean {
  return variable.includes('SECRET') || variable === 'PACCAFE_WEBHOOK_URL'
}

const WEBHOOK_URL_EXPECTED = 'an http(s) URL such as https://hooks.example.com/paccafe'

/** The pattern lets through what is not a URL at all (`http://`, `http://a b`). */
function assertWebhookUrl(url: string): void {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (parsed?.hostname && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return
  throw new ConfigurationError(`Invalid configuration: PACCAFE_WEBHOOK_URL=(hidden): expected ${WEBHOOK_URL_EXPECTED}`)
}

function assertTimezone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
  } catch {
    throw new ConfigurationError(
      `Invalid configuration: PACCAFE_TIMEZONE=${JSON.stringify(zone)}: expected an IANA time zone such as Asia/Jakarta`,
    )
  }
}

/** The same server and user, another database: tests and benchmarks get databases of their own. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

/** The database name at the end of a PostgreSQL URL. */
export function databaseName(url: string): string {
  return new URL(url).pathname.replace(/^\//, '')
}

/**
 * The demo commands (seed, simulate) write the demo POS: they connect to the source database as
 * the warehouse URL's user, an owner, since the source URL's reader role cannot write.
 */
export function sourceAdminUrl(config: Config): string {
  const source = new URL(config.sourceUrl)
  const owner = new URL(config.warehouseUrl)
  source.username = owner.username
  source.password = owner.password
  return source.toString()
}

/** The user name in a PostgreSQL URL. */
export function userName(url: string): string {
  return decodeURIComponent(new URL(url).username)
}

/** A URL safe to print: the password, if any, is masked. */
export function redactUrl(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}
