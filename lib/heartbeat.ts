// Heartbeats of long activities. A worker that dies stops heartbeating, so Temporal notices
// within the heartbeat timeout and retries the activity elsewhere; a heartbeat is also how an
// activity learns that it was cancelled or timed out. Outside an activity (tests, the
// benchmark, the CLI) every function here does nothing.
import { Context } from '@temporalio/activity'

function currentActivity(): Context | undefined {
  try {
    return Context.current()
  } catch {
    return undefined
  }
}

/** Heartbeats now (throttled by the SDK), with details a retry can read back. */
export function heartbeat(details?: unknown): void {
  currentActivity()?.heartbeat(details)
}

/** Aborted when the activity is cancelled, times out or its worker shuts down; never outside one. */
export function cancellationSignal(): AbortSignal {
  return currentActivity()?.cancellationSignal ?? new AbortController().signal
}

/** Three beats per heartbeat timeout, so one late beat is not fatal. */
function beatIntervalMs(activity: Context): number {
  const timeout = activity.info.heartbeatTimeoutMs
  return timeout ? Math.max(500, Math.floor(timeout / 3)) : 5_000
}

/**
 * Runs `work` and heartbeats on a timer while it runs, for work that cannot heartbeat from
 * inside (one long SQL statement). The beats say the worker is alive, not that work progresses.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const activity = currentActivity()
  if (!activity) return work()
  activity.heartbeat()
  const timer = setInterval(() => activity.heartbeat(), beatIntervalMs(activity))
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

/**
 * Runs `work`; if the activity is cancelled meanwhile, `cancel` runs once (to cancel a
 * statement in PostgreSQL), and `work`'s own failure is what the activity then throws.
 */
export async function onCancellation<T>(cancel: () => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  const signal = currentActivity()?.cancellationSignal
  if (!signal) return work()
  const listener = () => {
    cancel().catch(() => {}) // best effort: the statement also ends with its connection
  }
  if (signal.aborted) listener()
  signal.addEventListener('abort', listener, { once: true })
  try {
    return await work()
  } finally {
    signal.removeEventListener('abort', listener)
  }
}

/** Wraps every activity so that it heartbeats while it runs: a dead worker is noticed, whatever it was doing. */
export function withHeartbeats<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = (...args: never[]) => whileHeartbeating(() => fn(...args))
  }
  return wrapped as T
}
