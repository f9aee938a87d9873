// What every command starts with: the validated configuration. A bad setting ends the
// program with one clear line, not a stack trace.
import { type Config, loadConfig, loadDotEnv } from '../lib/config.ts'
import { PaccafeError } from '../lib/errors.ts'

export function configFromEnvironment(): Config {
  loadDotEnv()
  return loadConfig()
}

export function say(line: string): void {
  console.log(line)
}

export function reportAndExit(error: unknown): never {
  if (error instanceof PaccafeError) {
    console.error(`paccafe: ${error.message}`)
  } else {
    console.error(error)
  }
  process.exit(1)
}
