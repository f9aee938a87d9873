// Following a started run from the CLI: what it waits for (no worker on its task queue, the
// writer lock, an activity being retried) or, while it works, its stage.
import type { Client, WorkflowHandle } from '@temporalio/client'
import type { RunProgress } from '../lib/contract.ts'
import { workflowPollerCount } from '../lib/temporal.ts'
import { progressQuery } from '../workflows/messages.ts'
import { progressText } from './run-report.ts'
import type { Status } from './wait-notices.ts'

export interface FollowOptions {
  client: Client
  handle: WorkflowHandle
  taskQueue: string
  /** Whether the workflow answers the `progress` query (pipelineRun does, modelsRun does not). */
  hasProgressQuery: boolean
}

const waiting = (text: string): Status => ({ key: text, text })

/** Why the run does not move now, or undefined while it works. */
async function waitStatus(options: FollowOptions): Promise<Status | undefined> {
  const { client, handle, taskQueue } = options
  if ((await workflowPollerCount(client, taskQueue)) === 0) {
    return waiting(
      `waiting: no worker polls task queue ${taskQueue}: start one with ./bin/paccafe worker (or npm start) using the same PACCAFE_TASK_QUEUE`,
    )
  }
  const description = await handle.describe()
  const pending = description.raw.pendingActivities ?? []
  const lock = pending.find((activity) => activity.activityType?.name === 'acquireWriterLock')
  if (lock) {
    const holder = lock.lastFailure?.message
    return waiting(`waiting for the writer lock${holder ? ` (${holder})` : ''}`)
  }
  const retried = pending.find((activity) => (activity.attempt ?? 1) > 1 && activity.lastFailure?.message)
  if (retried) {
    return waiting(
      `waiting: ${retried.activityType?.name} is retried (attempt ${retried.attempt}) after: ${retried.lastFailure?.message}`,
    )
  }
  return undefined
}

export interface Look {
  status?: Status
  progress?: RunProgress
}

/** What the run is doing: a wait, its stage, or undefined when it cannot tell yet (a worker is picking it up). */
export async function runStatus(options: FollowOptions): Promise<Look> {
  const wait = await waitStatus(options)
  if (wait) return { status: wait }
  if (!options.hasProgressQuery) return { status: { key: 'running', text: 'running' } }
  // A query needs a worker to answer; one busy picking the run up answers at the next look.
  const progress = await options.client.connection.withDeadline(Date.now() + 2_000, () =>
    options.handle.query(progressQuery),
  )
  return {
    progress,
    status: { key: progress.stage, text: progressText(progress) },
  }
}

/**
 * Looks at the run every `intervalMs` until stop() is called, handing each look to `onLook`.
 * A look that fails (the server busy, the workflow between tasks) is skipped. The run's end is
 * learnt from its result (a long poll), never from these looks.
 */
export function followRun(
  options: FollowOptions,
  onLook: (look: Look) => void,
  intervalMs = 1_000,
): { stop: () => Promise<void> } {
  let stopped = false
  let wake: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined
  const loop = (async () => {
    while (!stopped) {
      try {
        const look = await runStatus(options)
        if (!stopped) onLook(look)
      } catch {
        // Looked at again at the next interval.
      }
      if (stopped) break
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, intervalMs)
      })
    }
  })()
  return {
    // A look still under way is not waited for: the run's result is in, its summary comes first.
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      wake?.()
      void loop
    },
  }
}
