// What every command starts with: the validated configuration; and how every command ends: a
// bad setting, a failed run or a service that cannot be reached ends the program with one clear
// line and its exit code (cli/exit-codes.ts), not a stack trace.
import type { Command, CommanderError } from 'commander'
import { type Config, loadConfig, loadDotEnv } from '../lib/config.ts'
import { PaccafeError } from '../lib/errors.ts'
import { recognizeServiceFailure } from '../lib/service-errors.ts'
import { EXIT, exitCodeFor } from './exit-codes.ts'

export function configFromEnvironment(): Config {
  loadDotEnv()
  return loadConfig()
}

export function say(line: string): void {
  console.log(line)
}

/** A notice for people: on stderr, so that stdout stays one JSON document under --json. */
export function notice(line: string): void {
  console.error(line)
}

/** Prints one JSON document on stdout, the whole output of a command's --json. */
export function sayJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2))
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
  process.exit(exitCodeFor(error, line && !(error instanceof PaccafeError) ? line : undefined))
}

/**
 * Commander's own errors (an unknown option, a missing argument) as one line in the CLI's
 * style, exiting with the bad-input code; --help and --version exit 0.
 */
export function exitOnCommanderError(command: Command): void {
  command.configureOutput({
    outputError: (text, write) => write(`paccafe: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`),
  })
  command.exitOverride((error: CommanderError) => {
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.badInput)
  })
  for (const sub of command.commands) exitOnCommanderError(sub)
}
