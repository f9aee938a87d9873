// The schedule declarations and the CLI's reading of schedule flags (lib/schedules.ts), and the
// Schedule API options a declaration becomes (client/schedules.ts scheduleOptions, no I/O).
import Value from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { factsOf, scheduleOptions } from '../../client/schedules.ts'
import { loadConfig } from '../../lib/config.ts'
import { RunIdSchema } from '../../lib/contract.ts'
import { UsageError } from '../../lib/errors.ts'
import { runIdFrom } from '../../lib/input-checks.ts'
import {
  assertBackfillRange,
  assertRunIdsValid,
  calendarOf,
  defaultDeclarations,
  parseBackfillOverlap,
  parseCatchupWindow,
  parseInstant,
  parseOverlap,
  parseScheduleTime,
  scheduledRunIdFor,
  scheduledWorkflowIdFor,
  scheduleIdFor,
  scheduleNameOf,
  scheduleTimeOfCalendar,
} from '../../lib/schedules.ts'

const config = loadConfig({})

describe('the default schedules', () => {
  it('are an hourly incremental run at minute 0 and a nightly full run at 02:00, skipping overlaps', () => {
    expect(defaultDeclarations()).toEqual([
      {
        name: 'hourly-incremental',
        mode: 'incremental',
        at: { kind: 'hourly', minute: 0 },
        overlap: 'skip',
        catchupWindow: '1h',
      },
      {
        name: 'nightly-full',
        mode: 'full',
        at: { kind: 'daily', hour: 2, minute: 0 },
        overlap: 'skip',
        catchupWindow: '6h',
      },
    ])
    expect(defaultDeclarations('buffer-one').map((d) => d.overlap)).toEqual(['buffer-one', 'buffer-one'])
    expect(calendarOf({ kind: 'hourly', minute: 0 })).toEqual({ hour: '*', minute: 0 })
    expect(calendarOf({ kind: 'daily', hour: 2, minute: 0 })).toEqual({ hour: 2, minute: 0 })
  })

  it("become Schedule API options: pipelineRun with {mode} on the task queue, in the cafe's zone, policies explicit", () => {
    const [hourly] = defaultDeclarations()
    const options = scheduleOptions(hourly as NonNullable<typeof hourly>, config, 'paccafe_warehouse@123')
    expect(options).toMatchObject({
      scheduleId: 'paccafe-hourly-incremental',
      spec: { calendars: [{ hour: '*', minute: 0 }], timezone: 'Asia/Jakarta' },
      action: {
        type: 'startWorkflow',
        taskQueue: 'paccafe-pipeline',
        args: [{ mode: 'incremental' }],
        workflowId: 'paccafe-pipeline-scheduled-hourly-incremental',
        memo: { deployment: 'paccafe_warehouse@123' },
      },
      policies: { overlap: 'SKIP', catchupWindow: '1h', pauseOnFailure: true },
      state: { paused: false, note: 'created by paccafe schedule' },
    })
    expect((options.action.workflowType as { name: string }).name).toBe('pipelineRun')
    const elsewhere = { ...config, timezone: 'Asia/Makassar', temporal: { ...config.temporal, taskQueue: 'cafe-2' } }
    expect(scheduleOptions(hourly as NonNullable<typeof hourly>, elsewhere, 'd')).toMatchObject({
      scheduleId: 'paccafe-hourly-incremental.cafe-2',
      spec: { timezone: 'Asia/Makassar' },
      action: { taskQueue: 'cafe-2', workflowId: 'paccafe-pipeline-scheduled-hourly-incremental.cafe-2' },
    })
  })
})

describe('schedule ids', () => {
  it('carry the task queue off the default one, so two deployments on a namespace never share one', () => {
    expect(scheduleIdFor('nightly-full', 'paccafe-pipeline')).toBe('paccafe-nightly-full')
    expect(scheduleIdFor('nightly-full', 'paccafe-test-ab12cd34')).toBe('paccafe-nightly-full.paccafe-test-ab12cd34')
    expect(scheduledWorkflowIdFor('nightly-full', 'paccafe-pipeline')).toBe('paccafe-pipeline-scheduled-nightly-full')
    expect(scheduleNameOf('paccafe-nightly-full', 'paccafe-pipeline')).toBe('nightly-full')
    expect(scheduleNameOf('paccafe-nightly-full.q2', 'q2')).toBe('nightly-full')
    // Another deployment's, or nobody's.
    expect(scheduleNameOf('paccafe-nightly-full.q2', 'paccafe-pipeline')).toBeUndefined()
    expect(scheduleNameOf('paccafe-nightly-full', 'q2')).toBeUndefined()
    expect(scheduleNameOf('paccafe-nightly-full.q3', 'q2')).toBeUndefined()
    expect(scheduleNameOf('nightly', 'paccafe-pipeline')).toBeUndefined()
  })

  it("give scheduled runs the run id runIdFrom makes of the server's workflow id, valid and saying when", () => {
    const nominal = new Date('2026-12-03T14:00:00Z')
    for (const queue of ['paccafe-pipeline', 'paccafe-test-ab12cd34']) {
      const workflowId = `${scheduledWorkflowIdFor('hourly-incremental', queue)}-2026-12-03T14:00:00Z`
      const runId = scheduledRunIdFor('hourly-incremental', queue, nominal)
      expect(runIdFrom(workflowId, undefined)).toBe(runId)
      expect(Value.Check(RunIdSchema, runId)).toBe(true)
    }
    expect(scheduledRunIdFor('hourly-incremental', 'paccafe-pipeline', nominal)).toBe(
      'scheduled-hourly-incremental-20261203T140000Z',
    )
  })

  it('refuse a name or task queue that would make run ids the contract refuses', () => {
    expect(() => assertRunIdsValid('x'.repeat(40), 'q'.repeat(30))).toThrow(
      /would name its runs scheduled-x+\.q+-20261231T235959Z \(98 characters\), expected at most 80/,
    )
    expect(() => scheduleIdFor('hourly', 'queue/with:colons')).toThrow(
      'Invalid configuration: PACCAFE_TASK_QUEUE="queue/with:colons": expected letters, digits, ".", "_" and "-" to name schedules and their runs',
    )
    expect(() => scheduleOptions({ ...defaultDeclarations()[0], name: 'Hourly!' } as never, config, 'd')).toThrow(
      UsageError,
    )
  })
})

describe('schedule flags', () => {
  it('--at reads HH:MM (every day) and *:MM (every hour), and names flag, value and expectation otherwise', () => {
    expect(parseScheduleTime('02:00')).toEqual({ kind: 'daily', hour: 2, minute: 0 })
    expect(parseScheduleTime('7:05')).toEqual({ kind: 'daily', hour: 7, minute: 5 })
    expect(parseScheduleTime('*:30')).toEqual({ kind: 'hourly', minute: 30 })
    for (const bad of ['25:00', '24:00', '12:60', '12', 'noon', '*:*']) {
      expect(() => parseScheduleTime(bad)).toThrow(UsageError)
    }
    expect(() => parseScheduleTime('25:00')).toThrow(
      '--at "25:00" is not a time, expected HH:MM from 00:00 to 23:59 (every day) or *:MM (every hour), such as 02:00 or *:00',
    )
  })

  it('--overlap is skip or buffer-one for a schedule; a backfill may buffer all', () => {
    expect(parseOverlap('skip')).toBe('skip')
    expect(parseOverlap('buffer-one')).toBe('buffer-one')
    expect(() => parseOverlap('allow-all')).toThrow(
      '--overlap "allow-all" is not an overlap policy, expected skip or buffer-one',
    )
    expect(parseBackfillOverlap('buffer-all')).toBe('buffer-all')
    expect(() => parseBackfillOverlap('allow-all')).toThrow(UsageError)
  })

  it('--catchup-window is a duration from 10 seconds', () => {
    expect(parseCatchupWindow('30m')).toBe('30m')
    expect(parseCatchupWindow('6h')).toBe('6h')
    expect(() => parseCatchupWindow('5s')).toThrow('--catchup-window "5s" is not a catch-up window')
    expect(() => parseCatchupWindow('1 hour')).toThrow(UsageError)
  })

  it("backfill bounds: a local time is in the cafe's zone, Z or an offset as written; the end after the start", () => {
    expect(parseInstant('2026-12-01T02:00', 'Asia/Jakarta', '--from').toISOString()).toBe('2026-11-30T19:00:00.000Z')
    expect(parseInstant('2026-12-01', 'Asia/Jakarta', '--from').toISOString()).toBe('2026-11-30T17:00:00.000Z')
    expect(parseInstant('2026-12-01T02:00:00Z', 'Asia/Jakarta', '--from').toISOString()).toBe(
      '2026-12-01T02:00:00.000Z',
    )
    expect(parseInstant('2026-12-01T02:00+08:00', 'Asia/Jakarta', '--from').toISOString()).toBe(
      '2026-11-30T18:00:00.000Z',
    )
    // A zone with daylight-saving time: its summer offset in July, its winter one in January.
    expect(parseInstant('2026-07-01T12:00', 'Europe/Berlin', '--from').toISOString()).toBe('2026-07-01T10:00:00.000Z')
    expect(parseInstant('2026-01-01T12:00', 'Europe/Berlin', '--from').toISOString()).toBe('2026-01-01T11:00:00.000Z')
    for (const bad of ['yesterday', '2026-02-30T00:00', '2026-12-01T25:00']) {
      expect(() => parseInstant(bad, 'Asia/Jakarta', '--to')).toThrow(UsageError)
    }
    expect(() => parseInstant('yesterday', 'Asia/Jakarta', '--to')).toThrow(
      '--to "yesterday" is not a time, expected an ISO date-time such as 2026-12-01T02:00 (in Asia/Jakarta) or 2026-12-01T02:00:00Z',
    )
    const start = new Date('2026-12-01T03:00:00Z')
    expect(() => assertBackfillRange(start, new Date('2026-12-01T01:00:00Z'))).toThrow(
      '--to 2026-12-01T01:00:00.000Z is not after --from 2026-12-01T03:00:00.000Z, expected the end of the range after its start',
    )
    expect(() => assertBackfillRange(start, start)).toThrow(UsageError)
    expect(() => assertBackfillRange(start, new Date('2026-12-01T04:00:00Z'))).not.toThrow()
  })
})

describe('a described schedule', () => {
  const hour = (start: number, end = start) => [{ start, end, step: 1 }]
  it('reads back as its time: hourly, daily, or custom for anything else', () => {
    expect(scheduleTimeOfCalendar({ minute: hour(0), hour: hour(0, 23), second: hour(0) })).toEqual({
      kind: 'hourly',
      minute: 0,
    })
    expect(scheduleTimeOfCalendar({ minute: hour(0), hour: hour(2) })).toEqual({ kind: 'daily', hour: 2, minute: 0 })
    expect(
      scheduleTimeOfCalendar({ minute: hour(0), hour: hour(2), dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }] }),
    ).toBe(undefined)
    expect(scheduleTimeOfCalendar({ minute: hour(0, 30), hour: hour(2) })).toBeUndefined()
  })

  it('gives the facts list and describe print', () => {
    const facts = factsOf('nightly-full', {
      scheduleId: 'paccafe-nightly-full',
      spec: { calendars: [{ minute: hour(0), hour: hour(2) }], timezone: 'Asia/Jakarta' },
      action: {
        type: 'startWorkflow',
        workflowType: 'pipelineRun',
        taskQueue: 'paccafe-pipeline',
        workflowId: 'paccafe-pipeline-scheduled-nightly-full',
        args: [{ mode: 'full' }],
        memo: { deployment: 'wh@1' },
      },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: 21_600_000, pauseOnFailure: true },
      state: { paused: true, note: 'paused due to workflow failure' },
      info: {
        recentActions: [],
        nextActionTimes: [new Date('2026-12-03T19:00:00Z')],
        runningActions: [],
        numActionsTaken: 3,
        numActionsSkippedOverlap: 1,
        numActionsMissedCatchupWindow: 0,
        createdAt: new Date(),
        lastUpdatedAt: undefined,
      },
      raw: { info: { bufferSize: 1 } },
    } as never)
    expect(facts).toMatchObject({
      name: 'nightly-full',
      mode: 'full',
      at: '02:00',
      timezone: 'Asia/Jakarta',
      overlap: 'buffer-one',
      catchupWindow: '6h',
      paused: true,
      note: 'paused due to workflow failure',
      deployment: 'wh@1',
      nextRuns: ['2026-12-03T19:00:00.000Z'],
      actionsTaken: 3,
      skippedOverlap: 1,
      buffered: 1,
    })
  })
})
