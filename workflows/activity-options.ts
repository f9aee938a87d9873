// How workflows call activities: timeouts and retry policies per kind of work. Every activity
// heartbeats while it runs (activities/index.ts), so a worker that dies is noticed within the
// heartbeat timeout, whatever the activity was doing, and the activity is retried elsewhere.
import { proxyActivities } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import { NON_RETRYABLE_ERROR_TYPES } from '../lib/errors.ts'

/** The heartbeat timeout when the input sets none: well under a minute to notice a dead worker. */
export const DEFAULT_HEARTBEAT_SECONDS = 20

const retry = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 5,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
}

export function activitiesFor(heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS) {
  const heartbeatTimeout = `${heartbeatSeconds}s`
  return {
    // Waiting for the writer lock: retried until the run holding it finishes.
    writerLock: proxyActivities<Activities>({
      startToCloseTimeout: '1m',
      heartbeatTimeout,
      retry: { initialInterval: '2s', backoffCoefficient: 1.5, maximumInterval: '30s' }, // no attempt limit
    }),
    // SQL bookkeeping and reconciliation: short statements.
    bookkeeping: proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout, retry }),
    // Extracts, sheets, models and validation: bounded by heartbeats, not by how long they take.
    long: proxyActivities<Activities>({ startToCloseTimeout: '2h', heartbeatTimeout, retry }),
  }
}
