// What every command starts with: the validated configuration. A bad setting, or a service
// that cannot be reached, ends the program with one clear line, not a stack trace.
import { type Config, loadConfig, loadDotEnv } from '../lib/config.ts'
import { PaccafeError } from '../lib/errors.ts'
import { recognizeServiceFailure } from '../lib/service-errors.ts'

export function configFromEnvironment(): Config {
  loadDotEnv()
  return loadConfig()
}

export function say(line: string): void {
  console.log(line)
}

/** The configuration, if it loads: a bad one was already reported as its own error. */
function configIfValid(): Config | undefined {
  try {
    return configFromEnvironment()
  } catch {
    return undefined
  }
}

/**
 * The one line an error is reported with, or undefined for an unexpected error (a bug), which
 * keeps its stack trace.
 */
export function oneLineReport(error: unknown, config = configIfValid()): string | undefined {
  if (error instanceof PaccafeError) return `paccafe: ${error.message}`
  const line = config ? recognizeServiceFailure(error, config) : undefined
  return line ? `paccafe: ${line}` : undefined
}

export function reportAndExit(error: unknown): never {
  const line = oneLineReport(error)
  if (line) {
    console.error(line)
    // The chain behind the line, for whoever debugs the service itself.
    if (process.env.PACCAFE_LOG_LEVEL === 'debug' || process.env.PACCAFE_LOG_LEVEL === 'trace')
      console.error((error as Error).cause ?? error)
  } else {
    console.error(error)
  }
  process.exit(1)
}
