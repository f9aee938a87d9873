// The project's error types, declared once. Configuration, bad-input, rule-threshold and
// accounting errors cannot be fixed by retrying, so activities turn them into non-retryable
// Temporal application failures with the class name as the failure type; anything else is
// left to the retry policy.
import { ApplicationFailure } from '@temporalio/common'

export abstract class PaccafeError extends Error {
  abstract readonly type: string
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A setting is missing or wrong: the operator must change the environment. */
export class ConfigurationError extends PaccafeError {
  readonly type = 'ConfigurationError'
}

/** Source data or a source schema that cannot be read as declared (includes schema drift). */
export class BadInputError extends PaccafeError {
  readonly type = 'BadInputError'
}

/** rows extracted != rows published + rows rejected: something was lost. */
export class AccountingMismatchError extends PaccafeError {
  readonly type = 'AccountingMismatchError'
}

/** A rule's failing rows (or a table check's fall) in a run went above its declared threshold. */
export class RuleThresholdError extends PaccafeError {
  readonly type = 'RuleThresholdError'
}

/** A command was given a wrong option or argument. */
export class UsageError extends PaccafeError {
  readonly type = 'UsageError'
}

/**
 * A service the pipeline needs did not answer or refused it. Retrying may help once the service
 * is back, so it is not one of the non-retryable types.
 */
export class ServiceUnavailableError extends PaccafeError {
  readonly type = 'ServiceUnavailableError'
}

/** The failure types a retry policy must never retry. */
export const NON_RETRYABLE_ERROR_TYPES = [
  'ConfigurationError',
  'BadInputError',
  'AccountingMismatchError',
  'RuleThresholdError',
] as const

/** Converts a known project error into a non-retryable ApplicationFailure; others pass through. */
export function toTemporalFailure(error: unknown): unknown {
  if (error instanceof PaccafeError) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true, cause: error })
  }
  return error
}
