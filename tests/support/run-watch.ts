// Watching a run that a fault test interrupts: which activities are pending and on which
// attempt, whether the ones a dead worker held are taken over, a bounded wait for the result
// that says what was still pending when it gave up, and a watch on the writer lock. Every wait
// and every loop is bounded.
import type { Client, WorkflowHandle } from '@temporalio/client'
import { arrayFromPayloads, defaultPayloadConverter } from '@temporalio/common'
import type { Sql } from '../../lib/db.ts'

export interface PendingActivity {
  id: string
  type: string
  attempt: number
  state: string
  /** Seconds since its last heartbeat, or undefined if it never heartbeated on this attempt. */
  heartbeatAgeSeconds?: number
  worker: string
  lastFailure?: string
}

const STATES = ['UNSPECIFIED', 'SCHEDULED', 'STARTED', 'CANCEL_REQUESTED', 'PAUSED', 'PAUSE_REQUESTED']

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined
const millis = (ts: Timestamp) =>
  ts?.seconds == null ? undefined : Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)

export async function pendingActivities(workflow: WorkflowHandle): Promise<PendingActivity[]> {
  const description = await workflow.describe()
  return (description.raw.pendingActivities ?? []).map((activity) => {
    const beat = millis(activity.lastHeartbeatTime as Timestamp)
    return {
      id: activity.activityId ?? '',
      type: activity.activityType?.name ?? '',
      attempt: activity.attempt ?? 0,
      state: STATES[activity.state ?? 0] ?? String(activity.state),
      heartbeatAgeSeconds: beat === undefined ? undefined : Math.round((Date.now() - beat) / 1000),
      worker: activity.lastWorkerIdentity ?? '',
      lastFailure: activity.lastFailure?.message ?? undefined,
    }
  })
}

export function describePending(activities: PendingActivity[]): string {
  if (activities.length === 0) return 'no pending activity'
  return activities
    .map(
      (a) =>
        `${a.type} #${a.id} attempt ${a.attempt} ${a.state}, last heartbeat ${
          a.heartbeatAgeSeconds === undefined ? 'never' : `${a.heartbeatAgeSeconds}s ago`
        }, worker ${a.worker || '-'}${a.lastFailure ? `, last failure: ${a.lastFailure}` : ''}`,
    )
    .join('; ')
}

/** What the run was doing: its pending activities and its steps not yet succeeded. */
export async function runState(sql: Sql, workflow: WorkflowHandle, runId: string): Promise<string> {
  const pending = await pendingActivities(workflow).then(describePending, (error: Error) => `(${error.message})`)
  const steps = await sql<{ step: string; table_name: string; status: string }[]>`
    select step, table_name, status from etl.steps where run_id = ${runId} and status <> 'succeeded'`.catch(() => [])
  const unfinished = steps.map((s) => `${s.step}${s.table_name ? `(${s.table_name})` : ''} ${s.status}`).join(', ')
  return `pending activities: ${pending}; steps not succeeded: ${unfinished || 'none'}`
}

/**
 * Waits until every activity pending in `before` (the moment its worker was killed) has
 * completed or moved to a later attempt: a dead worker's activities are noticed and retried.
 */
export async function untilTakenOver(
  workflow: WorkflowHandle,
  before: PendingActivity[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let now: PendingActivity[] = before
  while (Date.now() < deadline) {
    now = await pendingActivities(workflow)
    const stuck = now.filter((a) => before.some((b) => b.id === a.id && a.attempt <= b.attempt))
    if (stuck.length === 0) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(
    `The activities of the killed worker were not retried within ${timeoutMs / 1000}s. At the kill: ` +
      `${describePending(before)}. Now: ${describePending(now)}`,
  )
}

/**
 * The workflow's result, or a failure after `timeoutMs` that says what was still pending; fails
 * at once if `abort` rejects first (a worker process that died, say).
 */
export async function resultWithin<T>(
  workflow: WorkflowHandle,
  timeoutMs: number,
  diagnose: () => Promise<string>,
  abort: Promise<never> = new Promise<never>(() => {}),
): Promise<T> {
  const result = workflow.result() as Promise<T>
  result.catch(() => {}) // handled below, or no longer awaited
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const first = await Promise.race([result, timedOut, abort])
    if (first !== 'timeout') return first
  } finally {
    clearTimeout(timer)
  }
  throw new Error(`The run did not complete within ${timeoutMs / 1000}s: ${await diagnose()}`)
}

const CLOSED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW'])

export interface LockWatch {
  /** Stops watching; the problems seen (a lock held by a closed workflow past the limit) and the holders. */
  stop(): Promise<{ problems: string[]; holders: string[]; polls: number }>
}

/**
 * Polls the writer lock (etl.publish_lock) every `everyMs`, at most `maxPolls` times: a lock
 * held, for longer than `limitMs`, by a run whose workflow has closed is a problem. A holder
 * whose workflow cannot be described (Temporal down) is not judged on that poll.
 */
export function watchWriterLock(sql: Sql, client: Client, limitMs: number, everyMs = 250, maxPolls = 2400): LockWatch {
  const problems: string[] = []
  const holders = new Set<string>()
  let stopped = false
  let polls = 0
  let closedSince: { runId: string; at: number } | undefined
  const loop = (async () => {
    while (!stopped && polls < maxPolls) {
      polls += 1
      const [lock] = await sql<{ run_id: string; workflow_id: string | null }[]>`
        select l.run_id, r.workflow_id from etl.publish_lock as l left join etl.runs as r using (run_id)`.catch(
        () => [],
      )
      if (lock) {
        holders.add(lock.run_id)
        const status = lock.workflow_id
          ? await client.workflow
              .getHandle(lock.workflow_id)
              .describe()
              .then(
                (d) => d.status.name,
                () => 'UNREACHABLE',
              )
          : 'NO_WORKFLOW'
        if (CLOSED.has(status) || status === 'NO_WORKFLOW') {
          if (closedSince?.runId !== lock.run_id) closedSince = { runId: lock.run_id, at: Date.now() }
          else if (Date.now() - closedSince.at > limitMs && !problems.some((p) => p.includes(lock.run_id))) {
            problems.push(`the writer lock was held by ${lock.run_id} (workflow ${status}) for over ${limitMs / 1000}s`)
          }
        } else if (status !== 'UNREACHABLE') closedSince = undefined
      } else closedSince = undefined
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      return { problems, holders: [...holders], polls }
    },
  }
}

export interface Attempt {
  type: string
  /** The attempt that completed (or failed for good). */
  attempt: number
  /** Why the attempt before it failed, when it is not the first. */
  lastFailure?: string
  /** The activity's input (its first argument). */
  input?: unknown
  /** When the activity was scheduled, and when its last attempt started (ms since the epoch). */
  scheduledAt?: number
  startedAt?: number
  /** How the last attempt failed, when it failed: its type, and whether Temporal may retry it. */
  failure?: { type?: string; message?: string; nonRetryable: boolean }
}

/**
 * The last attempt of every activity the workflow ran, from its history (Temporal records the
 * attempt that ended and the failure of the one before, not every retry).
 */
export async function activityAttempts(workflow: WorkflowHandle): Promise<Attempt[]> {
  const history = await workflow.fetchHistory()
  const types = new Map<string, string>()
  const inputs = new Map<string, unknown>()
  const scheduledTimes = new Map<string, number | undefined>()
  const byScheduled = new Map<string, Attempt>()
  const attempts: Attempt[] = []
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes
    if (scheduled) {
      const id = String(event.eventId)
      types.set(id, scheduled.activityType?.name ?? '')
      inputs.set(id, arrayFromPayloads(defaultPayloadConverter, scheduled.input?.payloads)[0])
      scheduledTimes.set(id, millis(event.eventTime as Timestamp))
    }
    const started = event.activityTaskStartedEventAttributes
    if (started) {
      const id = String(started.scheduledEventId)
      const attempt: Attempt = {
        type: types.get(id) ?? '',
        attempt: started.attempt ?? 1,
        lastFailure: started.lastFailure?.message ?? undefined,
        input: inputs.get(id),
        scheduledAt: scheduledTimes.get(id),
        startedAt: millis(event.eventTime as Timestamp),
      }
      byScheduled.set(id, attempt)
      attempts.push(attempt)
    }
    const failed = event.activityTaskFailedEventAttributes
    const attempt = failed && byScheduled.get(String(failed.scheduledEventId))
    if (failed && attempt) {
      attempt.failure = {
        type: failed.failure?.applicationFailureInfo?.type ?? undefined,
        message: failed.failure?.message ?? undefined,
        nonRetryable: failed.failure?.applicationFailureInfo?.nonRetryable === true,
      }
    }
  }
  return attempts
}

export const describeAttempts = (attempts: Attempt[]) =>
  attempts
    .filter((a) => a.attempt > 1)
    .map((a) => `${a.type} attempt ${a.attempt} after: ${a.lastFailure ?? '?'}`)
    .join('; ') || 'every activity succeeded on its first attempt'
