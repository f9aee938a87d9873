import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type Config, loadConfig } from '../../lib/config.ts'
import {
  buildNotification,
  classifyResponse,
  errorLine,
  retryAfterMs,
  secretsOf,
  webhookOrigin,
  webhookRequest,
} from '../../lib/notifications.ts'

const WEBHOOK = 'https://hooks.example.com/services/T0KEN-IN-PATH?token=query-token-123'

function config(): Config {
  return loadConfig({
    PACCAFE_WAREHOUSE_URL: 'postgres://app:warehouse-pass-1@db:5432/wh',
    PACCAFE_SOURCE_URL: 'postgres://reader:source-pass-22@db:5432/pos',
    PACCAFE_S3_SECRET_KEY: 's3-secret-key-333',
    PACCAFE_WEBHOOK_URL: WEBHOOK,
    PACCAFE_WEBHOOK_SECRET: 'signing-secret-4444',
  })
}

const at = { occurredAt: new Date('2026-12-03T02:00:05Z'), executionRunId: 'exec-1' }

describe('building a notification', () => {
  it('says what failed, with ids, the Web UI link and one line of error', () => {
    const n = buildNotification(
      config(),
      {
        event: 'run.failed',
        runId: 'run-20261203T020000Z-full',
        workflowId: 'paccafe-pipeline-run-20261203T020000Z-full',
        error: 'Schema drift in source table public.customers\n    at stack line',
        scheduleId: 'paccafe-nightly-full',
      },
      at,
    )
    expect(n).toEqual({
      id: 'paccafe-pipeline-run-20261203T020000Z-full/exec-1/run.failed',
      event: 'run.failed',
      occurredAt: '2026-12-03T02:00:05.000Z',
      text: 'Run run-20261203T020000Z-full failed: Schema drift in source table public.customers',
      runId: 'run-20261203T020000Z-full',
      workflowId: 'paccafe-pipeline-run-20261203T020000Z-full',
      url: 'http://127.0.0.1:8233/namespaces/default/workflows/paccafe-pipeline-run-20261203T020000Z-full',
      error: 'Schema drift in source table public.customers',
      scheduleId: 'paccafe-nightly-full',
      scheduleUrl: 'http://127.0.0.1:8233/namespaces/default/schedules/paccafe-nightly-full',
    })
  })

  it('gives every occurrence its own id, and every attempt at one the same', () => {
    const input = { event: 'run.succeeded' as const, runId: 'r', workflowId: 'paccafe-pipeline-r' }
    const first = buildNotification(config(), input, at)
    expect(buildNotification(config(), input, at)).toEqual(first)
    expect(buildNotification(config(), input, { ...at, executionRunId: 'exec-2' }).id).not.toBe(first.id)
    expect(buildNotification(config(), { ...input, event: 'run.failed' }, at).id).not.toBe(first.id)
    expect(buildNotification(config(), input, { occurredAt: at.occurredAt }).id).toBe(
      'paccafe-pipeline-r/run.succeeded',
    )
  })

  it('says the run failed once when its line says so already', () => {
    const n = buildNotification(
      config(),
      { event: 'run.failed', runId: 'run-1', workflowId: 'w', error: 'Run run-1 failed: Schema drift in x' },
      at,
    )
    expect(n.error).toBe('Schema drift in x')
    expect(n.text).toBe('Run run-1 failed: Schema drift in x')
  })

  it('makes an id a header can carry, whatever the workflow id', () => {
    const n = buildNotification(
      config(),
      { event: 'run.failed', runId: 'r', workflowId: 'paccafe-pipeline-café run' },
      at,
    )
    expect(n.id).toBe('paccafe-pipeline-caf%C3%A9%20run/exec-1/run.failed')
    expect(n.workflowId).toBe('paccafe-pipeline-café run')
  })

  it('reports a waiting batch and a succeeded run with their counts and links', () => {
    const batch = buildNotification(
      config(),
      {
        event: 'batch.waiting',
        runId: 'run-1',
        workflowId: 'paccafe-quarantine-run-1',
        counts: { rowsHeldBack: 12, tables: 2 },
      },
      at,
    )
    expect(batch.text).toBe(
      'Quarantine batch of run run-1 waits for a person (rows held back 12, tables 2): paccafe batch run-1',
    )
    expect(batch.url).toMatch(/\/workflows\/paccafe-quarantine-run-1$/)
    expect(batch.counts).toEqual({ rowsHeldBack: 12, tables: 2 })
    const run = buildNotification(
      config(),
      {
        event: 'run.succeeded',
        runId: 'run-1',
        workflowId: 'paccafe-pipeline-run-1',
        counts: { rowsExtracted: 10, rowsPublished: 8, rowsRejected: 2 },
        quarantineBatch: 'paccafe-quarantine-run-1',
      },
      at,
    )
    expect(run.text).toBe('Run run-1 succeeded (rows extracted 10, rows published 8, rows rejected 2)')
    expect(run.quarantineBatchUrl).toMatch(/\/workflows\/paccafe-quarantine-run-1$/)
  })

  it('says a schedule is being paused by the failure, with its link', () => {
    const n = buildNotification(
      config(),
      { event: 'schedule.paused', runId: 'run-1', workflowId: 'w-1', scheduleId: 'hourly incremental' },
      at,
    )
    expect(n.text).toBe('Schedule hourly incremental is being paused by the failure of run run-1')
    const withError = buildNotification(
      config(),
      { event: 'schedule.paused', runId: 'run-1', workflowId: 'w-1', scheduleId: 's', error: 'Schema drift' },
      at,
    )
    expect(withError.text).toBe('Schedule s is being paused by the failure of run run-1: Schema drift')
    expect(n.scheduleUrl).toBe('http://127.0.0.1:8233/namespaces/default/schedules/hourly%20incremental')
  })

  it('keeps only numbers among the counts', () => {
    const counts = { rows: 3, row: { name: 'Ani' }, text: 'x', nan: Number.NaN } as unknown as Record<string, number>
    expect(
      buildNotification(config(), { event: 'batch.waiting', runId: 'r', workflowId: 'w', counts }, at).counts,
    ).toEqual({ rows: 3 })
  })

  it('never carries a configured secret, even when the error line does', () => {
    const c = config()
    const n = buildNotification(
      c,
      {
        event: 'run.failed',
        runId: 'r',
        workflowId: 'w',
        error: `cannot reach postgres://app:warehouse-pass-1@db:5432/wh, s3 said s3-secret-key-333, hook ${WEBHOOK}`,
      },
      at,
    )
    const body = JSON.stringify(n)
    for (const secret of secretsOf(c)) expect(body).not.toContain(secret)
    for (const secret of [
      'warehouse-pass-1',
      'source-pass-22',
      's3-secret-key-333',
      'signing-secret-4444',
      'query-token-123',
      'T0KEN',
    ])
      expect(body).not.toContain(secret)
    expect(n.error).toBe('cannot reach postgres://app:***@db:5432/wh, s3 said ***, hook ***')
  })
})

describe('an error line', () => {
  it('is the first line that says something, cut short', () => {
    expect(errorLine('\n  boom  \nstack', [])).toBe('boom')
    const long = errorLine('x'.repeat(2000), [])
    expect(long).toHaveLength(500)
    expect(long.endsWith('…')).toBe(true)
  })

  it('masks the password of any URL in it', () => {
    expect(errorLine('at https://user:p%40ss@host/path and postgres://u@h/db', [])).toBe(
      'at https://user:***@host/path and postgres://u@h/db',
    )
  })
})

describe('the request', () => {
  it('is signed over the body sent, carries the idempotency key and never the secret', () => {
    const c = config()
    const n = buildNotification(c, { event: 'run.failed', runId: 'r', workflowId: 'w', error: 'e' }, at)
    const request = webhookRequest({ ...c.webhook, url: WEBHOOK }, n)
    expect(request.url).toBe(WEBHOOK)
    expect(JSON.parse(request.body)).toEqual(n)
    const expected = createHmac('sha256', 'signing-secret-4444').update(request.body).digest('hex')
    expect(request.headers['x-paccafe-signature']).toBe(`sha256=${expected}`)
    expect(request.headers['idempotency-key']).toBe('w/exec-1/run.failed')
    expect(request.headers['x-paccafe-event']).toBe('run.failed')
    expect(request.headers['content-type']).toBe('application/json')
    expect(JSON.stringify(request.headers)).not.toContain('signing-secret-4444')
  })

  it('is not signed without a secret', () => {
    const n = buildNotification(config(), { event: 'run.failed', runId: 'r', workflowId: 'w' }, at)
    expect(webhookRequest({ url: WEBHOOK, onSuccess: false }, n).headers['x-paccafe-signature']).toBeUndefined()
  })

  it('turns user info in the URL into basic auth (fetch refuses URLs with credentials)', () => {
    const n = buildNotification(config(), { event: 'run.failed', runId: 'r', workflowId: 'w' }, at)
    const request = webhookRequest({ url: 'https://bot:p%40ss@hooks.example.com/in', onSuccess: false }, n)
    expect(request.url).toBe('https://hooks.example.com/in')
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('bot:p@ss').toString('base64')}`)
  })

  it('names the webhook by its origin only', () => {
    expect(webhookOrigin('https://bot:pw@hooks.example.com:8443/in/T0KEN?token=x')).toBe(
      'https://hooks.example.com:8443',
    )
  })
})

describe('classifying an answer', () => {
  it.each([200, 201, 202, 204])('%i is delivered', (status) => {
    expect(classifyResponse(status).outcome).toBe('delivered')
  })

  it.each([408, 429, 500, 502, 503, 504])('%i may pass later', (status) => {
    expect(classifyResponse(status)).toEqual({ outcome: 'retry', reason: `answered HTTP ${status}` })
  })

  it.each([400, 401, 403, 404, 410, 422])('%i will not fix itself', (status) => {
    expect(classifyResponse(status)).toEqual({ outcome: 'refused', reason: `answered HTTP ${status}` })
  })

  it('refuses a redirect, saying to set the final URL', () => {
    expect(classifyResponse(301)).toEqual({
      outcome: 'refused',
      reason: 'answered HTTP 301 (a redirect, not followed: set the final URL)',
    })
  })

  it('follows Retry-After in seconds or as a date, up to the longest retry interval', () => {
    expect(classifyResponse(429, '3')).toEqual({ outcome: 'retry', reason: 'answered HTTP 429', retryAfterMs: 3000 })
    const now = Date.parse('2026-12-03T02:00:00Z')
    expect(retryAfterMs('Thu, 03 Dec 2026 02:00:07 GMT', now)).toBe(7000)
    expect(retryAfterMs('3600', now)).toBe(30_000)
    expect(retryAfterMs('Thu, 03 Dec 2026 01:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs(null, now)).toBeUndefined()
  })
})
