// Structured logging for the CLI and services code. Activities and workflows use Temporal's
// own loggers, which carry run context. Connection strings are redacted before they are logged.
import pino from 'pino'

export type Logger = pino.Logger

export function createLogger(level = 'info', name = 'paccafe'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.secretKey', '*.secret', 'config.s3.secretKey'], censor: '***' },
  })
}
