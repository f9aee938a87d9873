// Webhook notifications, received by a server on loopback: each event of a real run arrives once
// per occurrence (a retried attempt carries the same Idempotency-Key), signed, with no
// configured secret in any body; a receiver that fails or is down never fails the run.
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApplicationFailure } from '@temporalio/common'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeNotify } from '../../activities/notify.ts'
import { createSchedule, deleteSchedule, describeSchedule, triggerSchedule } from '../../client/schedules.ts'
import type { Config } from '../../lib/config.ts'
import type { NotifyInput } from '../../lib/contract.ts'
import type { Notification } from '../../lib/notifications.ts'
import { postNotification } from '../../lib/notifications.ts'
import { scheduleIdFor } from '../../lib/schedules.ts'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'
import { freePort, until } from '../support/processes.ts'
import { activityAttempts } from '../support/run-watch.ts'

// Secrets of this test's configuration: none may appear in a body. PostgreSQL trusts loopback,
// so the databases' passwords are set only to be kept out of the bodies.
const WAREHOUSE_PASSWORD = 'warehouse-password-7f3a'
const SOURCE_PASSWORD = 'source-password-91c2'
const WEBHOOK_TOKEN = 'webhook-token-5d8e0b'
const SIGNING_SECRET = 'signing-secret-c4b1a9e2'

interface Received {
  path: string
  headers: IncomingHttpHeaders
  raw: string
  body: Notification
}

/** A webhook receiver on 127.0.0.1 that records every request and answers as told (200 by default). */
class Receiver {
  readonly received: Received[] = []
  /** Statuses for the next requests (of one event, when given), in order; 200 otherwise. */
  private answers: { status: number; event?: string }[] = []
  private server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const body = JSON.parse(raw) as Notification
      this.received.push({ path: request.url ?? '', headers: request.headers, raw, body })
      const next = this.answers.findIndex((answer) => !answer.event || answer.event === body.event)
      const status = next < 0 ? 200 : (this.answers.splice(next, 1)[0]?.status ?? 200)
      response.writeHead(status).end()
    })
  })

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  answerNext(status: number, event?: string): void {
    this.answers.push({ status, event })
  }

  of(event: string, workflowId: string): Received[] {
    return this.received.filter((r) => r.body.event === event && r.body.workflowId === workflowId)
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url)
  parsed.password = password
  return parsed.toString()
}

const receiver = new Receiver()
let h: Harness
let hookUrl: string

describe('webhook notifications', () => {
  beforeAll(async () => {
    hookUrl = `${await receiver.start()}/hooks/paccafe?token=${WEBHOOK_TOKEN}`
    h = await createHarness(
      { scale: 0.1 },
      {
        configure: (config: Config) => ({
          ...config,
          warehouseUrl: withPassword(config.warehouseUrl, WAREHOUSE_PASSWORD),
          sourceUrl: withPassword(config.sourceUrl, SOURCE_PASSWORD),
          webhook: { url: hookUrl, onSuccess: false, secret: SIGNING_SECRET },
        }),
      },
    )
  })
  afterAll(async () => {
    await h?.close()
    await receiver.close()
  })

  // The in-process worker holds this very config object: a test changes a webhook setting
  // between runs by changing it here, and puts it back.
  async function withWebhook<T>(change: Partial<Config['webhook']>, work: () => Promise<T>): Promise<T> {
    const saved = { ...h.config.webhook }
    Object.assign(h.config.webhook, change)
    try {
      return await work()
    } finally {
      Object.assign(h.config.webhook, saved)
    }
  }

  describe('the activity', () => {
    it('posts an event once, signed over its body, with its idempotency key and links', async () => {
      const notify = makeNotify(h.handle.context)
      const before = receiver.received.length
      const result = await notify({
        event: 'run.failed',
        runId: 'run-activity-1',
        workflowId: 'paccafe-pipeline-run-activity-1',
        error: 'Schema drift in source table public.customers: column loyalty_points is numeric(10,2)\nstack',
      })
      expect(result).toEqual({ delivered: true })
      expect(receiver.received.length).toBe(before + 1)
      const [got] = receiver.of('run.failed', 'paccafe-pipeline-run-activity-1')
      expect(got?.path).toBe(`/hooks/paccafe?token=${WEBHOOK_TOKEN}`)
      expect(got?.headers['content-type']).toBe('application/json')
      expect(got?.headers['idempotency-key']).toBe('paccafe-pipeline-run-activity-1/run.failed')
      expect(got?.headers['x-paccafe-event']).toBe('run.failed')
      const signature = createHmac('sha256', SIGNING_SECRET)
        .update(got?.raw ?? '')
        .digest('hex')
      expect(got?.headers['x-paccafe-signature']).toBe(`sha256=${signature}`)
      expect(got?.body).toMatchObject({
        id: 'paccafe-pipeline-run-activity-1/run.failed',
        runId: 'run-activity-1',
        error: 'Schema drift in source table public.customers: column loyalty_points is numeric(10,2)',
        url: `${h.config.temporal.uiUrl}/namespaces/${h.config.temporal.namespace}/workflows/paccafe-pipeline-run-activity-1`,
      })
    })

    it('skips what is not configured or not opted in, posting nothing', async () => {
      const notify = makeNotify(h.handle.context)
      const before = receiver.received.length
      const succeeded = { event: 'run.succeeded' as const, runId: 'r', workflowId: 'paccafe-pipeline-r' }
      expect(await notify(succeeded)).toEqual({
        delivered: false,
        skipped: 'succeeded runs are not opted in (PACCAFE_WEBHOOK_ON_SUCCESS)',
      })
      await withWebhook({ url: undefined }, async () => {
        expect(await notify({ ...succeeded, event: 'run.failed', error: 'x' })).toEqual({
          delivered: false,
          skipped: 'no webhook configured (PACCAFE_WEBHOOK_URL)',
        })
      })
      expect(receiver.received.length).toBe(before)
    })

    it('fails retryably on 5xx, 429 and no connection, for good on another 4xx, naming the webhook by its origin', async () => {
      const notify = makeNotify(h.handle.context)
      const input = { event: 'run.failed' as const, runId: 'r', workflowId: 'paccafe-pipeline-r-retry', error: 'x' }
      const failureOf = async (): Promise<ApplicationFailure> => {
        const error = await notify(input).then(
          () => undefined,
          (caught: unknown) => caught,
        )
        expect(error).toBeInstanceOf(ApplicationFailure)
        return error as ApplicationFailure
      }
      receiver.answerNext(503)
      const unavailable = await failureOf()
      expect(unavailable.nonRetryable).toBe(false)
      expect(unavailable.type).toBe('WebhookUnavailable')
      expect(unavailable.message).toBe(
        `Webhook ${new URL(hookUrl).origin} answered HTTP 503: run.failed of paccafe-pipeline-r-retry not delivered`,
      )
      receiver.answerNext(429)
      expect((await failureOf()).nonRetryable).toBe(false)
      receiver.answerNext(404)
      const refused = await failureOf()
      expect(refused.nonRetryable).toBe(true)
      expect(refused.type).toBe('WebhookRefused')
      const down = `http://127.0.0.1:${await freePort()}/hook?token=${WEBHOOK_TOKEN}`
      await withWebhook({ url: down }, async () => {
        const unreachable = await failureOf()
        expect(unreachable.nonRetryable).toBe(false)
        expect(unreachable.message).toMatch(/could not be reached \(ECONNREFUSED\)/)
        expect(unreachable.message).not.toContain(WEBHOOK_TOKEN)
      })
      expect(receiver.of('run.failed', 'paccafe-pipeline-r-retry')).toHaveLength(3)
    })

    it('gives up an attempt the receiver does not answer in time, to be retried', async () => {
      const silent = createServer(() => {}) // accepts, never answers
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      try {
        const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`
        const notification = { id: 'w/run.failed', event: 'run.failed' } as Notification
        const delivery = await postNotification({ url, onSuccess: false }, notification, { timeoutMs: 300 })
        expect(delivery).toEqual({ outcome: 'retry', reason: 'did not answer within 0.3 s' })
      } finally {
        silent.closeAllConnections()
        await new Promise((resolve) => silent.close(resolve))
      }
    })

    it('says a schedule is being paused only when it pauses on failure', async () => {
      const notify = makeNotify(h.handle.context)
      const ids = { pauses: `paccafe-test-pauses-${Date.now()}`, keeps: `paccafe-test-keeps-${Date.now()}` }
      for (const [name, scheduleId] of Object.entries(ids)) {
        await h.client.schedule.create({
          scheduleId,
          // A calendar that never comes: the schedule exists only to be described.
          spec: { calendars: [{ year: 2099, month: 'JANUARY', dayOfMonth: 1 }] },
          action: {
            type: 'startWorkflow',
            workflowType: 'pipelineRun',
            taskQueue: h.config.temporal.taskQueue,
            args: [{ mode: 'incremental' }],
          },
          policies: { pauseOnFailure: name === 'pauses' },
        })
      }
      try {
        const paused = (scheduleId: string) => ({
          event: 'schedule.paused' as const,
          runId: `run-of-${scheduleId}`,
          workflowId: `paccafe-pipeline-run-of-${scheduleId}`,
          scheduleId,
        })
        expect(await notify(paused(ids.pauses))).toEqual({ delivered: true })
        expect(await notify(paused(ids.keeps))).toEqual({
          delivered: false,
          skipped: `schedule ${ids.keeps} does not pause on failure`,
        })
        expect(await notify(paused('paccafe-test-no-such-schedule'))).toEqual({
          delivered: false,
          skipped: 'schedule paccafe-test-no-such-schedule no longer exists',
        })
        const [got, ...more] = receiver.received.filter((r) => r.body.event === 'schedule.paused')
        expect(more).toEqual([])
        expect(got?.body).toMatchObject({
          scheduleId: ids.pauses,
          scheduleUrl: `${h.config.temporal.uiUrl}/namespaces/${h.config.temporal.namespace}/schedules/${ids.pauses}`,
          text: `Schedule ${ids.pauses} is being paused by the failure of run run-of-${ids.pauses}`,
        })
      } finally {
        for (const scheduleId of Object.values(ids)) await h.client.schedule.getHandle(scheduleId).delete()
      }
    })
  })

  describe('runs', () => {
    it('a run that holds rows back: exactly one batch.waiting for its batch, no run.succeeded without the opt-in', async () => {
      const { runId, result } = await h.run('full')
      expect(result.quarantineBatch).toBe(`paccafe-quarantine-${runId}`)
      const batch = receiver.of('batch.waiting', `paccafe-quarantine-${runId}`)
      expect(batch).toHaveLength(1)
      expect(batch[0]?.body.runId).toBe(runId)
      expect(batch[0]?.body.counts?.rowsHeld).toBeGreaterThan(0)
      expect(batch[0]?.body.url).toMatch(new RegExp(`/workflows/paccafe-quarantine-${runId}$`))
      expect(receiver.of('run.succeeded', `paccafe-pipeline-${runId}`)).toEqual([])
    })

    it('an opted-in succeeded run: exactly one run.succeeded with its counts', async () => {
      const { runId, result } = await withWebhook({ onSuccess: true }, () => h.run('incremental'))
      const [got, ...more] = receiver.of('run.succeeded', `paccafe-pipeline-${runId}`)
      expect(more).toEqual([])
      const published = result.accounting.reduce((sum, row) => sum + row.rowsPublished, 0)
      expect(got?.body.counts?.rowsPublished).toBe(published)
      expect(got?.body.text).toMatch(new RegExp(`^Run ${runId} succeeded`))
    })

    it('a receiver that answers 500 first, then 200: received twice as one occurrence, delivered, the run succeeds', async () => {
      receiver.answerNext(500, 'run.succeeded')
      const { runId } = await withWebhook({ onSuccess: true }, () => h.run('incremental'))
      const got = receiver.of('run.succeeded', `paccafe-pipeline-${runId}`)
      expect(got).toHaveLength(2)
      expect(new Set(got.map((r) => r.headers['idempotency-key'])).size).toBe(1)
      expect(got[1]?.raw).toBe(got[0]?.raw) // the same body, so the same signature
      const attempts = await activityAttempts(h.client.workflow.getHandle(`paccafe-pipeline-${runId}`))
      const notifies = attempts.filter((a) => a.type === 'notify' && (a.input as NotifyInput).event === 'run.succeeded')
      // The history keeps an activity's last attempt, with the failure of the one before.
      expect(notifies.map((a) => [a.attempt, a.lastFailure])).toEqual([
        [2, expect.stringContaining('answered HTTP 500')],
      ])
    })

    it('a receiver that is down: the run still succeeds', async () => {
      const down = `http://127.0.0.1:${await freePort()}/hook`
      const { runId, result } = await withWebhook({ url: down, onSuccess: true }, () => h.run('incremental'))
      expect(result.runId).toBe(runId)
      // Tried with back-off until the policy's last attempt, then let go.
      const attempts = await activityAttempts(h.client.workflow.getHandle(`paccafe-pipeline-${runId}`))
      const notifies = attempts.filter((a) => a.type === 'notify' && (a.input as NotifyInput).event === 'run.succeeded')
      expect(notifies.map((a) => [a.attempt, a.failure?.type])).toEqual([[5, 'WebhookUnavailable']])
    })

    it('a failed run: exactly one run.failed with its one line, and the run fails with its own error', async () => {
      await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
      try {
        const { runId, error } = await h.runExpectingFailure('full')
        expect(failureTypes(error)).toContain('BadInputError')
        expect(rootMessage(error)).toMatch(/Schema drift in source table public\.customers/)
        const [got, ...more] = receiver.of('run.failed', `paccafe-pipeline-${runId}`)
        expect(more).toEqual([])
        expect(got?.body.error).toMatch(/^Schema drift in source table public\.customers/)
        expect(got?.body.error).not.toContain('\n')
        expect(got?.body.text).toBe(`Run ${runId} failed: ${got?.body.error}`)
        // No schedule started it: no schedule.paused.
        expect(receiver.of('schedule.paused', `paccafe-pipeline-${runId}`)).toEqual([])
      } finally {
        await h.source`alter table customers alter column loyalty_points type integer`
      }
    })

    it('a scheduled run that fails: run.failed naming its schedule, one schedule.paused, then the schedule pauses', async () => {
      const name = 'test-notify'
      const scheduleId = scheduleIdFor(name, h.config.temporal.taskQueue)
      // A time of day twelve hours away in the cafe's zone (UTC+7): it fires only when triggered.
      const at = { kind: 'daily' as const, hour: (new Date().getUTCHours() + 19) % 24, minute: 30 }
      await createSchedule(h.client, h.config, { name, mode: 'full', at, overlap: 'skip', catchupWindow: '1h' })
      await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
      try {
        await triggerSchedule(h.client, h.config, name)
        let workflowId = ''
        await until(
          'the trigger taken',
          async () => {
            workflowId = (await describeSchedule(h.client, h.config, name)).recentRuns[0]?.workflowId ?? ''
            return workflowId !== ''
          },
          60_000,
          250,
        )
        const error = await h.client.workflow
          .getHandle(workflowId)
          .result()
          .then(
            () => undefined,
            (caught: unknown) => caught,
          )
        expect(rootMessage(error)).toMatch(/Schema drift in source table public\.customers/)
        const [failed, ...moreFailed] = receiver.of('run.failed', workflowId)
        expect(moreFailed).toEqual([])
        expect(failed?.body.scheduleId).toBe(scheduleId)
        const [paused, ...morePaused] = receiver.of('schedule.paused', workflowId)
        expect(morePaused).toEqual([])
        expect(paused?.body.scheduleUrl).toBe(
          `${h.config.temporal.uiUrl}/namespaces/${h.config.temporal.namespace}/schedules/${encodeURIComponent(scheduleId)}`,
        )
        expect(paused?.body.text).toMatch(new RegExp(`^Schedule ${scheduleId} is being paused by the failure of run `))
        await until(
          'the schedule paused',
          async () => (await describeSchedule(h.client, h.config, name)).paused,
          60_000,
          250,
        )
      } finally {
        await h.source`alter table customers alter column loyalty_points type integer`
        await deleteSchedule(h.client, h.config, name)
      }
    })

    it('no body holds a configured secret, a row or a configuration value', () => {
      const secrets = [
        WAREHOUSE_PASSWORD,
        SOURCE_PASSWORD,
        WEBHOOK_TOKEN,
        SIGNING_SECRET,
        h.config.s3.secretKey,
        h.config.warehouseUrl,
        h.config.sourceUrl,
        h.config.s3.endpoint,
      ]
      expect(receiver.received.length).toBeGreaterThan(5)
      for (const { raw } of receiver.received) {
        for (const secret of secrets) expect(raw).not.toContain(secret)
        // Only these fields, ever.
        const fields = Object.keys(JSON.parse(raw))
        const known = ['id', 'event', 'occurredAt', 'text', 'runId', 'workflowId', 'url', 'counts', 'error']
        const more = ['scheduleId', 'scheduleUrl', 'quarantineBatch', 'quarantineBatchUrl', 'reportKey']
        expect(fields.filter((field) => ![...known, ...more].includes(field))).toEqual([])
      }
    })
  })
})
