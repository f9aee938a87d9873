// Notifications: a run's events as JSON for the configured webhook, and posting one. Only ids,
// counts, one error line and Web UI links travel: never rows, configuration values or secrets.
// Retrying is the caller's (Temporal's retry policy of the notify activity): a post either
// delivers, may deliver later, or is refused for good.
import { createHmac } from 'node:crypto'
import type { Config, WebhookConfig } from './config.ts'
import type { NotificationEvent, NotifyInput } from './contract.ts'
import { webUiRunUrl } from './temporal.ts'

/** What the webhook receives (docs/notifications.md). */
export interface Notification {
  /** The same for every attempt at one occurrence: a receiver drops a repeat by it. */
  id: string
  event: NotificationEvent
  occurredAt: string
  /** One line for people (chat webhooks show `text`). */
  text: string
  runId: string
  workflowId: string
  /** The Web UI's page of the workflow the event is about. */
  url: string
  counts?: Record<string, number>
  error?: string
  scheduleId?: string
  scheduleUrl?: string
  quarantineBatch?: string
  quarantineBatchUrl?: string
  /** The run's report in the bucket (`paccafe report <run>` writes a copy). */
  reportKey?: string
}

/** When and in which workflow execution the event happened, as the activity knows it. */
export interface Occurrence {
  occurredAt: Date
  /** The Temporal run id of the workflow execution that reported it, when known. */
  executionRunId?: string
}

/** One attempt's wait for an answer; the activity's own timeout is longer. */
export const WEBHOOK_TIMEOUT_MS = 10_000

/** A receiver's Retry-After is followed up to the retry policy's longest interval. */
const MAX_RETRY_AFTER_MS = 30_000

/** An error line is one line, and short: it is for a chat message, not a stack trace. */
const MAX_ERROR_CHARS = 500

export function webUiScheduleUrl(config: Config, scheduleId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/schedules/${encodeURIComponent(scheduleId)}`
}

export function buildNotification(config: Config, input: NotifyInput, occurrence: Occurrence): Notification {
  const counts = input.counts ? onlyCounts(input.counts) : undefined
  const error =
    input.error === undefined ? undefined : withoutRunPrefix(errorLine(input.error, secretsOf(config)), input.runId)
  const execution = occurrence.executionRunId ? `/${occurrence.executionRunId}` : ''
  return {
    id: headerSafe(`${input.workflowId}${execution}/${input.event}`),
    event: input.event,
    occurredAt: occurrence.occurredAt.toISOString(),
    text: describe(input, counts, error),
    runId: input.runId,
    workflowId: input.workflowId,
    url: webUiRunUrl(config, input.workflowId),
    ...(counts && { counts }),
    ...(error !== undefined && { error }),
    ...(input.scheduleId && { scheduleId: input.scheduleId, scheduleUrl: webUiScheduleUrl(config, input.scheduleId) }),
    ...(input.quarantineBatch && {
      quarantineBatch: input.quarantineBatch,
      quarantineBatchUrl: webUiRunUrl(config, input.quarantineBatch),
    }),
    ...(input.reportKey && { reportKey: input.reportKey }),
  }
}

/** A failed run's line may say `Run <id> failed: ...` already: the text says it once. */
function withoutRunPrefix(line: string, runId: string): string {
  const prefix = `Run ${runId} failed: `
  return line.startsWith(prefix) ? line.slice(prefix.length) : line
}

/** The id is also a header's value: anything beyond printable ASCII in a workflow id is %-encoded. */
function headerSafe(text: string): string {
  return text.replace(/[^\x21-\x7e]+/g, (part) => encodeURIComponent(part))
}

function describe(input: NotifyInput, counts: Record<string, number> | undefined, error: string | undefined): string {
  const figures = counts && Object.keys(counts).length > 0 ? ` (${describeCounts(counts)})` : ''
  switch (input.event) {
    case 'run.failed':
      return `Run ${input.runId} failed: ${error ?? 'no error given'}`
    case 'run.succeeded':
      return `Run ${input.runId} succeeded${figures}`
    case 'schedule.paused':
      return `Schedule ${input.scheduleId ?? '(unknown)'} is being paused by the failure of run ${input.runId}${error ? `: ${error}` : ''}`
    case 'batch.waiting':
      return `Quarantine batch of run ${input.runId} waits for a person${figures}: paccafe batch ${input.runId}`
  }
}

/** `rowsHeldBack: 12` reads `rows held back 12`. */
function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)} ${value}`)
    .join(', ')
}

/** Counts are numbers: anything else given under that name is left out. */
function onlyCounts(counts: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).filter((entry): entry is [string, number] => Number.isFinite(entry[1])),
  )
}

/**
 * The configured secrets: the S3 secret key, the databases' passwords, the webhook's own URL,
 * password and signing secret. Short values are left out: masking `paccafe` would mangle ids.
 */
export function secretsOf(config: Config): string[] {
  const secrets = [
    config.s3.secretKey,
    passwordOf(config.sourceUrl),
    passwordOf(config.warehouseUrl),
    config.webhook.secret,
    config.webhook.url,
    config.webhook.url && passwordOf(config.webhook.url),
  ]
  return secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8)
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    return undefined
  }
}

/** The first line, credentials in URLs and configured secrets masked, cut to a chat line's length. */
export function errorLine(message: string, secrets: string[]): string {
  let line = (message.split('\n').find((part) => part.trim() !== '') ?? '').trim()
  line = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, '$1:***@')
  for (const secret of secrets) line = line.split(secret).join('***')
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line
}

/** What one attempt came to: the activity delivers, throws to be retried, or gives up. */
export type Delivery =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'refused'; reason: string }

/**
 * 2xx delivered; 408, 429 and 5xx may pass later; any other answer (a wrong URL, a token the
 * receiver refuses, a redirect, which webhooks do not follow) will not fix itself.
 */
export function classifyResponse(status: number, retryAfter?: string | null, now = Date.now()): Delivery {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status }
  if (status === 408 || status === 429 || status >= 500) {
    const wait = retryAfterMs(retryAfter, now)
    return { outcome: 'retry', reason: `answered HTTP ${status}`, ...(wait !== undefined && { retryAfterMs: wait }) }
  }
  const redirected = status >= 300 && status < 400 ? ' (a redirect, not followed: set the final URL)' : ''
  return { outcome: 'refused', reason: `answered HTTP ${status}${redirected}` }
}

/** Retry-After in seconds or as an HTTP date, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

/** How a webhook is named in errors and logs: its origin, never its path, query or user info. */
export function webhookOrigin(url: string): string {
  return new URL(url).origin
}

/** X-Paccafe-Signature's value: the body's HMAC-SHA256 under the configured secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** The request: the body as sent (signed as is) and headers; user info in the URL becomes basic auth. */
export function webhookRequest(
  webhook: WebhookConfig & { url: string },
  notification: Notification,
): { url: string; body: string; headers: Record<string, string> } {
  const target = new URL(webhook.url)
  const body = JSON.stringify(notification)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'paccafe-pipeline',
    'idempotency-key': notification.id,
    'x-paccafe-event': notification.event,
  }
  if (webhook.secret) headers['x-paccafe-signature'] = signature(webhook.secret, body)
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username)
    const password = decodeURIComponent(target.password)
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    target.username = ''
    target.password = ''
  }
  return { url: target.toString(), body, headers }
}

/**
 * One attempt at posting: no answer within the timeout, or no connection, may pass later. An
 * abort of `signal` (the activity cancelled) is thrown as it is.
 */
export async function postNotification(
  webhook: WebhookConfig & { url: string },
  notification: Notification,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Delivery> {
  const request = webhookRequest(webhook, notification)
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]
  let response: Response
  try {
    response = await fetch(request.url, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    })
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason
    return { outcome: 'retry', reason: unreachable(error, timeoutMs) }
  }
  // The answer's body is not read (nothing in it is needed), only let go of.
  await response.body?.cancel().catch(() => undefined)
  return classifyResponse(response.status, response.headers.get('retry-after'))
}

/** `did not answer within 10 s`, `could not be reached (ECONNREFUSED)`. */
function unreachable(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; cause?: { code?: string; message?: string } }
  if (failure.name === 'TimeoutError') return `did not answer within ${timeoutMs / 1000} s`
  const cause = failure.cause?.code ?? failure.cause?.message ?? (error as Error).message
  return `could not be reached (${cause})`
}
