// Notifications: posts a run's events to the configured webhook (lib/notifications.ts). One call
// is one attempt: Temporal retries it with back-off (workflows/activity-options.ts), and the
// workflow lets a final failure go, so a notification never fails the run it reports on.
import { Context } from '@temporalio/activity'
import { type Client, ScheduleNotFoundError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import type { NotifyInput, NotifyResult } from '../lib/contract.ts'
import { cancellationSignal } from '../lib/heartbeat.ts'
import { buildNotification, postNotification, webhookOrigin } from '../lib/notifications.ts'
import type { ActivityContext } from './context.ts'

export function makeNotify(context: ActivityContext) {
  return async function notify(input: NotifyInput): Promise<NotifyResult> {
    const { webhook } = context.config
    const url = webhook.url
    if (!url) return { delivered: false, skipped: 'no webhook configured (PACCAFE_WEBHOOK_URL)' }
    if (input.event === 'run.succeeded' && !webhook.onSuccess) {
      return { delivered: false, skipped: 'succeeded runs are not opted in (PACCAFE_WEBHOOK_ON_SUCCESS)' }
    }
    if (input.event === 'schedule.paused') {
      const skipped = await whyNotPausing(await context.temporalClient(), input.scheduleId)
      if (skipped) return { delivered: false, skipped }
    }
    const info = activityInfo()
    // Every attempt posts the same body (its signature too): the time the first was scheduled.
    const notification = buildNotification(context.config, input, {
      occurredAt: new Date(info?.scheduledTimestampMs ?? Date.now()),
      executionRunId: info?.workflowExecution?.runId,
    })
    const delivery = await postNotification({ ...webhook, url }, notification, { signal: cancellationSignal() })
    if (delivery.outcome === 'delivered') return { delivered: true }
    const message = `Webhook ${webhookOrigin(url)} ${delivery.reason}: ${input.event} of ${input.workflowId} not delivered`
    if (delivery.outcome === 'refused') throw ApplicationFailure.nonRetryable(message, 'WebhookRefused')
    throw ApplicationFailure.create({
      message,
      type: 'WebhookUnavailable',
      ...(delivery.retryAfterMs !== undefined && { nextRetryDelay: delivery.retryAfterMs }),
    })
  }
}

/**
 * The server pauses a schedule after a failed run closes, and only when its policy says so: the
 * notification is sent while the run is still open, so it checks the policy first. A reason to
 * skip, or undefined when the schedule is being paused.
 */
async function whyNotPausing(client: Client, scheduleId: string | undefined): Promise<string | undefined> {
  if (!scheduleId) return 'no schedule started the run'
  try {
    const schedule = await client.schedule.getHandle(scheduleId).describe()
    if (!schedule.policies.pauseOnFailure) return `schedule ${scheduleId} does not pause on failure`
    if (schedule.state.paused) return `schedule ${scheduleId} was already paused`
    return undefined
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return `schedule ${scheduleId} no longer exists`
    throw error
  }
}

/** The activity's info; none when called outside an activity (tests). */
function activityInfo(): Context['info'] | undefined {
  try {
    return Context.current().info
  } catch {
    return undefined
  }
}
