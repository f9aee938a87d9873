import { describe, expect, it } from 'vitest'
import { loadConfig, redactUrl } from '../../lib/config.ts'
import { ConfigurationError } from '../../lib/errors.ts'

describe('configuration', () => {
  it('uses the local defaults when nothing is set', () => {
    const config = loadConfig({})
    expect(config.sourceUrl).toBe('postgres://paccafe_reader@127.0.0.1:5432/paccafe_pos')
    expect(config.warehouseUrl).toBe('postgres://postgres@127.0.0.1:5432/paccafe_warehouse')
    expect(config.temporal.address).toBe('127.0.0.1:7233')
    expect(config.incrementalOverlapMinutes).toBe(60)
  })

  it('converts and validates typed values', () => {
    const config = loadConfig({ PACCAFE_INCREMENTAL_OVERLAP_MINUTES: '15', PACCAFE_LOG_LEVEL: 'debug' })
    expect(config.incrementalOverlapMinutes).toBe(15)
    expect(config.logLevel).toBe('debug')
  })

  it.each([
    ['PACCAFE_WAREHOUSE_URL', 'mysql://localhost/x', 'a PostgreSQL URL such as postgres://user@host:5432/database'],
    ['PACCAFE_INCREMENTAL_OVERLAP_MINUTES', 'soon', 'an integer from 0 to 10080'],
    ['PACCAFE_LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['PACCAFE_TEMPORAL_ADDRESS', 'localhost', 'a value matching'],
    ['PACCAFE_TIMEZONE', 'Mars/Olympus', 'an IANA time zone such as Asia/Jakarta'],
    ['PACCAFE_RETENTION_QUARANTINE_DAYS', '0', 'an integer from 1 to 3650'],
    ['PACCAFE_RETENTION_VERDICTS_DAYS', 'ninety', 'an integer from 1 to 3650'],
    ['PACCAFE_RETENTION_CLEAN_DAYS', '2.5', 'an integer from 1 to 3650'],
    ['PACCAFE_RETENTION_STAGING_DAYS', '4000', 'an integer from 1 to 3650'],
    ['PACCAFE_RETENTION_REPORTS_DAYS', '0', 'an integer from 1 to 3650'],
  ])('rejects %s=%s with one line naming the variable, value and expectation', (variable, value, expected) => {
    let error: unknown
    try {
      loadConfig({ [variable]: value })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    const message = (error as Error).message
    expect(message).toContain(`${variable}="${value}"`)
    expect(message).toContain(expected)
    expect(message).not.toContain('\n')
  })

  it('keeps quarantined customer data a short time by default, and takes retention ages in days', () => {
    expect(loadConfig({}).retention).toEqual({
      quarantineDays: 30,
      verdictsDays: 90,
      cleanDays: 90,
      stagingDays: 90,
      reportsDays: 30,
    })
    const config = loadConfig({ PACCAFE_RETENTION_QUARANTINE_DAYS: '7', PACCAFE_RETENTION_CLEAN_DAYS: '14' })
    expect(config.retention.quarantineDays).toBe(7)
    expect(config.retention.cleanDays).toBe(14)
  })

  it('never prints a secret it rejects', () => {
    expect(() => loadConfig({ PACCAFE_S3_SECRET_KEY: 'short' })).toThrow('PACCAFE_S3_SECRET_KEY=(hidden)')
  })

  it('sends no notifications unless a webhook is set, and succeeded runs only when opted in', () => {
    expect(loadConfig({}).webhook).toEqual({ url: undefined, onSuccess: false, secret: undefined })
    expect(loadConfig({ PACCAFE_WEBHOOK_URL: '', PACCAFE_WEBHOOK_SECRET: '' }).webhook.url).toBeUndefined()
    const config = loadConfig({
      PACCAFE_WEBHOOK_URL: 'https://hooks.example.com/paccafe?token=abc',
      PACCAFE_WEBHOOK_ON_SUCCESS: 'true',
      PACCAFE_WEBHOOK_SECRET: 'a-signing-secret-of-32-characters',
    })
    expect(config.webhook).toEqual({
      url: 'https://hooks.example.com/paccafe?token=abc',
      onSuccess: true,
      secret: 'a-signing-secret-of-32-characters',
    })
    expect(loadConfig({ PACCAFE_WEBHOOK_ON_SUCCESS: '0' }).webhook.onSuccess).toBe(false)
  })

  it.each([
    [
      'PACCAFE_WEBHOOK_URL',
      'ftp://hooks.example.com/x?token=abc',
      'an http(s) URL such as https://hooks.example.com/paccafe',
    ],
    ['PACCAFE_WEBHOOK_URL', 'http://', 'an http(s) URL such as https://hooks.example.com/paccafe'],
    [
      'PACCAFE_WEBHOOK_URL',
      'https://hooks.example.com/a b',
      'an http(s) URL such as https://hooks.example.com/paccafe',
    ],
    ['PACCAFE_WEBHOOK_SECRET', 'short-secret', 'a string of at least 16 characters'],
  ])('rejects %s=%s in one line without printing it (it may hold a token)', (variable, value, expected) => {
    let error: unknown
    try {
      loadConfig({ [variable]: value })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigurationError)
    const message = (error as Error).message
    expect(message).toBe(`Invalid configuration: ${variable}=(hidden): expected ${expected}`)
  })

  it('rejects a webhook opt-in that is not true or false', () => {
    expect(() => loadConfig({ PACCAFE_WEBHOOK_ON_SUCCESS: 'yes' })).toThrow(
      'Invalid configuration: PACCAFE_WEBHOOK_ON_SUCCESS="yes": expected true or false',
    )
  })

  it('masks passwords in URLs it prints', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/pos')).toBe('postgres://app:***@db:5432/pos')
  })
})

describe('.env.example', () => {
  it('documents every setting the pipeline reads', async () => {
    const { readFileSync } = await import('node:fs')
    const { ConfigSchema } = await import('../../lib/config.ts')
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    for (const variable of Object.keys(ConfigSchema.properties)) {
      expect(example, variable).toMatch(new RegExp(`^${variable}=`, 'm'))
    }
  })
})
