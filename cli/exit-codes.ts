// The exit codes of every paccafe command, so that scripts can tell a failed run from a typo
// from a service that is down. Decided once, from the error a command ended with.
import {
  AccountingMismatchError,
  BadInputError,
  ConfigurationError,
  PaccafeError,
  RuleThresholdError,
  ServiceUnavailableError,
  UsageError,
} from '../lib/errors.ts'

export const EXIT = {
  ok: 0,
  /** An unexpected error (a bug: it keeps its stack trace); `journey`: the key was never seen. */
  unexpected: 1,
  /** A wrong option, argument, setting or input file: nothing was started. */
  badInput: 2,
  /** The run (or the reprocess or reload) was started and failed. */
  runFailed: 3,
  /** A service (PostgreSQL, Temporal, the S3 gateway) could not be reached or refused the login. */
  serviceUnavailable: 4,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The run a command started failed: its summary was printed, this says why. */
export class RunFailedError extends PaccafeError {
  readonly type = 'RunFailedError'
}

export const EXIT_CODES_HELP = `Exit codes:
  0  done (the run succeeded)
  1  unexpected error (a bug; journey: the key was never seen)
  2  bad input: a wrong option, argument, setting (PACCAFE_*) or file; nothing was started
  3  the run (reprocess, reload) was started and failed; its summary says what it did
  4  a service could not be reached or refused the login (PostgreSQL, Temporal, S3)`

/**
 * The exit code for the error a command ended with; `serviceLine` is the one line
 * recognizeServiceFailure found for it, if any.
 */
export function exitCodeFor(error: unknown, serviceLine?: string): ExitCode {
  if (error instanceof UsageError || error instanceof BadInputError || error instanceof ConfigurationError)
    return EXIT.badInput
  if (
    error instanceof RunFailedError ||
    error instanceof AccountingMismatchError ||
    error instanceof RuleThresholdError
  )
    return EXIT.runFailed
  if (error instanceof ServiceUnavailableError || serviceLine) return EXIT.serviceUnavailable
  return EXIT.unexpected
}
