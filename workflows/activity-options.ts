// How workflows call activities: the timeouts and retry policy of each kind of work. Every
// activity heartbeats while it runs (activities/index.ts), so a worker that dies is noticed
// within the heartbeat timeout, whatever the activity was doing, and the activity is retried
// elsewhere. Typed errors (bad input, bad configuration) fail at once; others are retried.
import type { ActivityOptions } from '@temporalio/workflow'
import { NON_RETRYABLE_ERROR_TYPES } from '../lib/errors.ts'

/** The heartbeat timeout when the input sets none: well under a minute to notice a dead worker. */
export const DEFAULT_HEARTBEAT_SECONDS = 20

const retryWithBackOff = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 5,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
}

const heartbeatTimeout = (seconds = DEFAULT_HEARTBEAT_SECONDS) => `${seconds}s`

/**
 * Taking and releasing the writer lock: retried until it succeeds (no attempt limit), since a
 * run waits for the one holding the lock, and a lock left held would stop every later run.
 */
export const writerLockOptions = (heartbeatSeconds?: number): ActivityOptions => ({
  startToCloseTimeout: '1m',
  heartbeatTimeout: heartbeatTimeout(heartbeatSeconds),
  retry: { initialInterval: '2s', backoffCoefficient: 1.5, maximumInterval: '30s' },
})

/** SQL bookkeeping and reconciliation: short statements. */
export const bookkeepingOptions = (heartbeatSeconds?: number): ActivityOptions => ({
  startToCloseTimeout: '10m',
  heartbeatTimeout: heartbeatTimeout(heartbeatSeconds),
  retry: retryWithBackOff,
})

/** Extracts, sheets, models and validation: bounded by heartbeats, not by how long they take. */
export const longWorkOptions = (heartbeatSeconds?: number): ActivityOptions => ({
  startToCloseTimeout: '2h',
  heartbeatTimeout: heartbeatTimeout(heartbeatSeconds),
  retry: retryWithBackOff,
})

/**
 * Webhook notifications: retried with back-off for about a minute, then given up on (the run
 * they report on never fails for them: workflows/run-outcome.ts).
 */
export const notificationOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
}
