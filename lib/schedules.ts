// The pipeline's Temporal schedules, declared (docs/schedules.md): which runs fire when, in the
// cafe's time zone, and the ids that keep two deployments on one namespace apart. Pure: the
// client (client/schedules.ts) turns a declaration into the Schedule API's options.
import Value from 'typebox/value'
import { RunIdSchema, type RunMode, WORKFLOW_ID_PREFIX } from './contract.ts'
import { ConfigurationError, UsageError } from './errors.ts'

/** The task queue of a deployment that set none: its ids carry no suffix. */
export const DEFAULT_TASK_QUEUE = 'paccafe-pipeline'
export const SCHEDULE_ID_PREFIX = 'paccafe-'
/** The scheduled run's workflow id, before the server appends `-<RFC3339 nominal time>`. */
export const SCHEDULED_WORKFLOW_PREFIX = `${WORKFLOW_ID_PREFIX}scheduled-`

/** Never two pipeline runs on the same data at once: a firing during a run is dropped, or one is kept. */
export type ScheduleOverlap = 'skip' | 'buffer-one'
export const SCHEDULE_OVERLAPS: readonly ScheduleOverlap[] = ['skip', 'buffer-one']
/** A backfill's slots all run, one after another (each run takes the writer lock anyway). */
export type BackfillOverlap = ScheduleOverlap | 'buffer-all'
export const BACKFILL_OVERLAPS: readonly BackfillOverlap[] = ['buffer-all', 'skip', 'buffer-one']

/** When a schedule fires, in its time zone: every hour at a minute, or every day at a time. */
export type ScheduleTime = { kind: 'hourly'; minute: number } | { kind: 'daily'; hour: number; minute: number }

export interface ScheduleDeclaration {
  /** Names the schedule and its runs: `hourly-incremental`. */
  name: string
  mode: RunMode
  at: ScheduleTime
  overlap: ScheduleOverlap
  /**
   * How late a firing the server missed (it was down) is still taken. The SDK's docs give its
   * default as both one minute and one year, so it is always set.
   */
  catchupWindow: string
}

/** The note of a schedule created without one. */
export const CREATED_NOTE = 'created by paccafe schedule'

/**
 * The defaults of `paccafe schedule init`. An hourly incremental run missed for longer than its
 * hour is covered by the next one (it reads from the high-water mark); a nightly full run still
 * runs if the server is back within the morning.
 */
export function defaultDeclarations(overlap: ScheduleOverlap = 'skip'): ScheduleDeclaration[] {
  return [
    {
      name: 'hourly-incremental',
      mode: 'incremental',
      at: { kind: 'hourly', minute: 0 },
      overlap,
      catchupWindow: '1h',
    },
    { name: 'nightly-full', mode: 'full', at: { kind: 'daily', hour: 2, minute: 0 }, overlap, catchupWindow: '6h' },
  ]
}

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/
const TASK_QUEUE = /^[A-Za-z0-9._-]+$/

export function assertScheduleName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(
      `schedule name ${JSON.stringify(name)} is not valid, expected lower-case letters, digits and "-" (at most 40), such as hourly-incremental`,
    )
  }
}

/** The deployment's part of every id: nothing on the default task queue, `.<queue>` on another. */
function queueSuffix(taskQueue: string): string {
  if (taskQueue === DEFAULT_TASK_QUEUE) return ''
  if (!TASK_QUEUE.test(taskQueue)) {
    throw new ConfigurationError(
      `Invalid configuration: PACCAFE_TASK_QUEUE=${JSON.stringify(taskQueue)}: expected letters, digits, ".", "_" and "-" to name schedules and their runs`,
    )
  }
  return `.${taskQueue}`
}

/** `paccafe-hourly-incremental`, or `paccafe-hourly-incremental.<queue>` off the default task queue. */
export function scheduleIdFor(name: string, taskQueue: string): string {
  return `${SCHEDULE_ID_PREFIX}${name}${queueSuffix(taskQueue)}`
}

/** The name of one of this deployment's schedules, or undefined for anyone else's. */
export function scheduleNameOf(scheduleId: string, taskQueue: string): string | undefined {
  const suffix = queueSuffix(taskQueue)
  if (!scheduleId.startsWith(SCHEDULE_ID_PREFIX) || !scheduleId.endsWith(suffix)) return undefined
  const name = scheduleId.slice(SCHEDULE_ID_PREFIX.length, scheduleId.length - suffix.length)
  return NAME.test(name) ? name : undefined
}

/** The scheduled runs' workflow id, to which the server appends `-<nominal time>`. */
export function scheduledWorkflowIdFor(name: string, taskQueue: string): string {
  return `${SCHEDULED_WORKFLOW_PREFIX}${name}${queueSuffix(taskQueue)}`
}

/** The run id a scheduled run gets at `nominal` (what lib/input-checks.ts runIdFrom makes of it). */
export function scheduledRunIdFor(name: string, taskQueue: string, nominal: Date): string {
  const stamp = nominal
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
  return `scheduled-${name}${queueSuffix(taskQueue)}-${stamp}`
}

/** A declaration whose runs could not have a valid run id is refused before it is created. */
export function assertRunIdsValid(name: string, taskQueue: string): void {
  const sample = scheduledRunIdFor(name, taskQueue, new Date(Date.UTC(2026, 11, 31, 23, 59, 59)))
  const length = sample.length
  if (!Value.Check(RunIdSchema, sample)) {
    throw new UsageError(
      `schedule ${name} on task queue ${taskQueue} would name its runs ${sample} (${length} characters), expected at most 80: use a shorter name`,
    )
  }
}

/** The Schedule API's calendar of a time: `hour: '*'` every hour; unset fields are 0. */
export function calendarOf(at: ScheduleTime): { hour: number | '*'; minute: number } {
  return at.kind === 'hourly' ? { hour: '*', minute: at.minute } : { hour: at.hour, minute: at.minute }
}

/** `*:00` (every hour at minute 0) or `02:00` (every day). */
export function formatScheduleTime(at: ScheduleTime): string {
  const mm = String(at.minute).padStart(2, '0')
  return at.kind === 'hourly' ? `*:${mm}` : `${String(at.hour).padStart(2, '0')}:${mm}`
}

/** Reads `--at`: `HH:MM` every day, `*:MM` every hour. */
export function parseScheduleTime(text: string, flag = '--at'): ScheduleTime {
  const match = /^(\*|[01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim())
  if (!match) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not a time, expected HH:MM from 00:00 to 23:59 (every day) or *:MM (every hour), such as 02:00 or *:00`,
    )
  }
  const minute = Number(match[2])
  return match[1] === '*' ? { kind: 'hourly', minute } : { kind: 'daily', hour: Number(match[1]), minute }
}

export function parseOverlap(text: string, flag = '--overlap'): ScheduleOverlap {
  if ((SCHEDULE_OVERLAPS as readonly string[]).includes(text)) return text as ScheduleOverlap
  throw new UsageError(`${flag} ${JSON.stringify(text)} is not an overlap policy, expected skip or buffer-one`)
}

export function parseBackfillOverlap(text: string, flag = '--overlap'): BackfillOverlap {
  if ((BACKFILL_OVERLAPS as readonly string[]).includes(text)) return text as BackfillOverlap
  throw new UsageError(
    `${flag} ${JSON.stringify(text)} is not a backfill overlap policy, expected buffer-all, skip or buffer-one`,
  )
}

export function parseMode(text: string, flag = '--mode'): RunMode {
  if (text === 'full' || text === 'incremental') return text
  throw new UsageError(`${flag} ${JSON.stringify(text)} is not a run mode, expected full or incremental`)
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** The milliseconds of a duration written as 90s, 30m, 6h or 1d (NaN for anything else). */
export function durationMs(text: string): number {
  const match = /^(\d{1,5})(s|m|h|d)$/.exec(text.trim())
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN
}

/** A catch-up window such as 90s, 30m, 6h or 1d; the server refuses less than 10 seconds. */
export function parseCatchupWindow(text: string, flag = '--catchup-window'): string {
  const ms = durationMs(text)
  if (!(ms >= 10_000 && ms <= 366 * UNIT_MS.d)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not a catch-up window, expected a duration from 10s to 366d such as 30m, 1h or 6h`,
    )
  }
  return text.trim()
}

/** The offset of `zone` from UTC at `instant`, in milliseconds (Intl's own reading of the zone). */
function zoneOffsetMs(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant))
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value)
  const asUtc = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  )
  return asUtc - Math.floor(instant / 1000) * 1000
}

/**
 * Reads a backfill bound: an ISO time with `Z` or an offset as it says, or a local time
 * (`2026-12-01T02:00`, `2026-12-01`) in the cafe's time zone.
 */
export function parseInstant(text: string, zone: string, flag: string): Date {
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim())
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim())
  let instant = Number.NaN
  if (withZone) instant = Date.parse(text.trim())
  else if (local) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = local
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
    const check = new Date(wall)
    const sameWall = check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d)
    // The zone's offset at the wall time, then again at the instant found (a DST change between).
    const first = wall - zoneOffsetMs(wall, zone)
    if (sameWall) instant = wall - zoneOffsetMs(first, zone)
  }
  if (Number.isNaN(instant)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is not a time, expected an ISO date-time such as 2026-12-01T02:00 (in ${zone}) or 2026-12-01T02:00:00Z`,
    )
  }
  return new Date(instant)
}

/** A backfill's range: its end after its start. */
export function assertBackfillRange(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) {
    throw new UsageError(
      `--to ${end.toISOString()} is not after --from ${start.toISOString()}, expected the end of the range after its start`,
    )
  }
}

/** The Schedule API's name of an overlap policy. */
export function overlapPolicyName(overlap: BackfillOverlap): 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' {
  return overlap === 'skip' ? 'SKIP' : overlap === 'buffer-one' ? 'BUFFER_ONE' : 'BUFFER_ALL'
}

/** The CLI's name of a Schedule API overlap policy (others are shown as the server names them). */
export function overlapFromPolicy(policy: string | undefined): string {
  if (policy === 'SKIP') return 'skip'
  if (policy === 'BUFFER_ONE') return 'buffer-one'
  if (policy === 'BUFFER_ALL') return 'buffer-all'
  return String(policy ?? 'unspecified').toLowerCase()
}

type Ranges = { start: number; end: number; step: number }[] | undefined

/** A one-value range list, or undefined: `[{ start: 5, end: 5 }]` is 5. */
function single(ranges: Ranges): number | undefined {
  const [range, ...more] = ranges ?? []
  if (!range || more.length > 0 || (range.end !== range.start && range.end !== 0)) return undefined
  return range.start
}

/** Every hour: `[{ start: 0, end: 23, step: 1 }]`. */
function everyHour(ranges: Ranges): boolean {
  const [range, ...more] = ranges ?? []
  return !!range && more.length === 0 && range.start === 0 && range.end === 23 && range.step === 1
}

/** A calendar as the server describes it (lib/ keeps off the client's types). */
export interface DescribedCalendar {
  second?: Ranges
  minute?: Ranges
  hour?: Ranges
  dayOfMonth?: Ranges
  year?: Ranges
  month?: { start: string; end: string }[]
  dayOfWeek?: { start: string; end: string }[]
}

/**
 * The ScheduleTime of a calendar as the server describes it, or undefined for any other spec
 * (seconds other than 0, certain days only): then the schedule is shown as `custom`.
 */
export function scheduleTimeOfCalendar(calendar: DescribedCalendar): ScheduleTime | undefined {
  const minute = single(calendar.minute)
  const every = (ranges: { start: unknown; end: unknown }[] | undefined, first: unknown, last: unknown) =>
    !ranges || ranges.length === 0 || ranges.every((range) => range.start === first && range.end === last)
  const everyDay =
    every(calendar.dayOfMonth, 1, 31) &&
    every(calendar.month, 'JANUARY', 'DECEMBER') &&
    every(calendar.dayOfWeek, 'SUNDAY', 'SATURDAY') &&
    (calendar.year ?? []).length === 0 &&
    (single(calendar.second) ?? 0) === 0
  if (minute === undefined || !everyDay) return undefined
  if (everyHour(calendar.hour)) return { kind: 'hourly', minute }
  const hour = single(calendar.hour)
  return hour === undefined ? undefined : { kind: 'daily', hour, minute }
}

/** A duration in milliseconds as the CLI writes one: 1h, 6h, 90s. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
