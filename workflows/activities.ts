// How workflows call activities: timeouts and retry policies per kind of work.
import { proxyActivities } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import { NON_RETRYABLE_ERROR_TYPES } from '../lib/errors.ts'

const retry = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 5,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
}

// Waiting for the writer lock: retried until the run holding it finishes.
export const writerLock = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 1.5, maximumInterval: '30s' }, // no attempt limit
})
// Fast SQL bookkeeping.
export const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry })
/** Long extracts heartbeat after every committed chunk, so a dead worker is noticed quickly. */
export function extractActivities(heartbeatSeconds: number) {
  return proxyActivities<Activities>({ startToCloseTimeout: '2h', heartbeatTimeout: `${heartbeatSeconds}s`, retry })
}
// Models and validation: set-based SQL in one transaction each.
export const transforms = proxyActivities<Activities>({ startToCloseTimeout: '30m', retry })
