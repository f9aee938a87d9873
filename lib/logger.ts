// Structured logging. Worker processes route Temporal's logs (which carry workflow and
// activity context) through pino, as JSON lines at the configured level; the CLI prints plain
// text for people instead.
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import pino from 'pino'

export type Logger = pino.Logger

export function createLogger(level = 'info', name = 'paccafe'): Logger {
  return pino({
    name,
    level,
    // Belt and braces: no code logs secrets, and these paths are masked if one ever does.
    redact: { paths: ['*.password', '*.secretKey', '*.secret', '*.url'], censor: '***' },
  })
}

const TEMPORAL_LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
}

/** Sends the Temporal SDK's logs through pino. Call once, before any worker is created. */
export function installWorkerLogging(level: string): Logger {
  const logger = createLogger(level, 'paccafe-worker')
  Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVELS[level] ?? 'INFO', (entry) => {
      const method =
        entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error')
      logger[method](entry.meta ?? {}, entry.message)
    }),
  })
  return logger
}
