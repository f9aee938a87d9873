// Pure parsers from a spreadsheet cell, as staff typed it, to the canonical text staging stores.
// A cell arrives as a CSV string or as an exceljs value (number, Date, rich text, formula,
// hyperlink, error). Each parser either returns the canonical text, says in words what it
// expected, or returns null for an empty cell: whether a value is required is the reader's call.
// The parsers never judge plausibility (a negative count, a date in 2150): the rules do that.
import { looksLikeFormula } from '../people-csv.ts'

export type CellType = 'integer' | 'text' | 'date' | 'timestamp'

export type CellParse = { ok: true; value: string } | { ok: false; expected: string }

/** What each parser expected, in words, for the messages staff read. */
export const EXPECTED: Record<CellType, string> = {
  integer: 'an integer such as 12',
  text: 'text',
  date: 'a date such as 2024-11-25 or 25/11/2024 (day first)',
  timestamp: 'a date and time such as 2024-11-25 14:30:00',
}

/** A cell whose value cannot be read: a formula error, or a formula never calculated. */
class Unreadable {
  constructor(readonly text: string) {}
}

type Scalar = string | number | boolean | Date | Unreadable | null

// Excel shows these in a cell whose formula failed; a CSV export has them as plain text.
const FORMULA_ERRORS = new Set([
  '#N/A',
  '#REF!',
  '#VALUE!',
  '#DIV/0!',
  '#NAME?',
  '#NULL!',
  '#NUM!',
  '#SPILL!',
  '#CALC!',
  '#GETTING_DATA',
])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value)
}

/** Unwraps exceljs' cell value objects to the value a reader of the sheet sees. */
function cellScalar(cell: unknown): Scalar {
  if (cell === null || cell === undefined) return null
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? new Unreadable('Invalid Date') : cell
  if (typeof cell === 'string' || typeof cell === 'number' || typeof cell === 'boolean') return cell
  if (!isRecord(cell)) return String(cell)
  if (Array.isArray(cell.richText)) {
    return cell.richText.map((run) => (isRecord(run) && typeof run.text === 'string' ? run.text : '')).join('')
  }
  if ('formula' in cell || 'sharedFormula' in cell) {
    // No cached result: the file was written by a program that does not calculate, or (in
    // exceljs' streaming reader) the formula's result was an error. The formula is all we have.
    const formula = `=${cell.formula ?? cell.sharedFormula}`
    return cell.result === undefined || cell.result === null ? new Unreadable(formula) : cellScalar(cell.result)
  }
  if ('error' in cell) return new Unreadable(String(cell.error))
  if ('text' in cell) return cellScalar(cell.text)
  return JSON.stringify(cell)
}

/**
 * The cell as text, trimmed, for messages and for the raw copy of a row; null when empty. A NUL
 * character shows as the symbol ␀: PostgreSQL text and jsonb cannot hold the character itself.
 */
export function cellText(cell: unknown): string | null {
  const scalar = cellScalar(cell)
  if (scalar === null) return null
  if (scalar instanceof Unreadable) return scalar.text
  if (scalar instanceof Date) return formatDateTime(scalar, 'auto')
  if (typeof scalar === 'boolean') return scalar ? 'TRUE' : 'FALSE'
  const text = trimBlanks(String(scalar)).replaceAll('\0', '\u2400')
  return text === '' ? null : text
}

// JavaScript's trim covers tabs, line breaks, the no-break and other Unicode spaces and the
// byte-order mark, but not the zero-width space that text copied from the web carries.
const EDGE_BLANKS = /^[\s\u200b]+|[\s\u200b]+$/g

function trimBlanks(text: string): string {
  return text.replace(EDGE_BLANKS, '')
}

const fail = (type: CellType): CellParse => ({ ok: false, expected: EXPECTED[type] })
const ok = (value: string): CellParse => ({ ok: true, value })

/** Text, trimmed. Numbers and dates read as they would display; formula errors are not text. */
export function parseText(cell: unknown): CellParse | null {
  const text = cellText(cell)
  if (text === null) return null
  const scalar = cellScalar(cell)
  const unreadable = scalar instanceof Unreadable || FORMULA_ERRORS.has(text.toUpperCase())
  if (unreadable) return fail('text')
  if (typeof scalar === 'string' && scalar.includes('\0')) return { ok: false, expected: NO_NUL }
  // What a CSV saved in another encoding (Windows-1252) decodes to: the letters typed are lost.
  if (text.includes('\ufffd')) return { ok: false, expected: UTF8_TEXT }
  // Typed as text, it would run as a formula in the spreadsheet someone opens it in next.
  return looksLikeFormula(text) ? { ok: false, expected: NOT_A_FORMULA } : ok(text)
}

export const NOT_A_FORMULA = 'text that a spreadsheet would not run as a formula'
export const NO_NUL = 'text without NUL characters (PostgreSQL cannot store them)'
export const UTF8_TEXT = 'text in UTF-8 (the file seems saved in another encoding: save it as "CSV UTF-8")'
export const INTEGER_RANGE = 'an integer from -2147483648 to 2147483647'
const INT4_MAX = 2_147_483_647

// '12', '+12', '-3', '012', '12.0', '1,234', '1,234.00'. Commas only as thousands separators
// in groups of three: '12,5' and '1.234' (a decimal comma, Indonesian thousands) are ambiguous.
const INTEGER_TEXT = /^([+-]?)(\d+|\d{1,3}(?:,\d{3})+)(?:\.0*)?$/

/** An integer, from a number cell or from text such as ' 1,234 ' or '12.0'. */
export function parseInteger(cell: unknown): CellParse | null {
  const scalar = cellScalar(cell)
  if (scalar === null) return null
  if (typeof scalar === 'number') return Number.isInteger(scalar) ? integerInRange(scalar) : fail('integer')
  if (typeof scalar !== 'string') return fail('integer')
  const text = trimBlanks(scalar)
  if (text === '') return null
  const match = INTEGER_TEXT.exec(text)
  if (!match) return fail('integer')
  return integerInRange(Number(`${match[1]}${(match[2] ?? '').replaceAll(',', '')}`))
}

/** The columns are PostgreSQL integers: a larger number is refused here, not overflowed there. */
function integerInRange(value: number): CellParse {
  return value >= -INT4_MAX - 1 && value <= INT4_MAX ? ok(String(value + 0)) : { ok: false, expected: INTEGER_RANGE }
}

/** A calendar date as YYYY-MM-DD. A time of day in the cell is dropped: the column holds days. */
export function parseDate(cell: unknown): CellParse | null {
  const moment = parseMoment(cell)
  if (moment === null) return null
  return moment === undefined ? fail('date') : ok(formatDateTime(moment, 'date'))
}

/** A local date and time as YYYY-MM-DD HH:MM:SS; a date alone means midnight. */
export function parseTimestamp(cell: unknown): CellParse | null {
  const moment = parseMoment(cell)
  if (moment === null) return null
  return moment === undefined ? fail('timestamp') : ok(formatDateTime(moment, 'timestamp'))
}

export const CELL_PARSERS: Record<CellType, (cell: unknown) => CellParse | null> = {
  integer: parseInteger,
  text: parseText,
  date: parseDate,
  timestamp: parseTimestamp,
}

// Dates and times. Spreadsheets have no time zone: exceljs hands out wall-clock times as if they
// were UTC (a date cell is UTC midnight), so every date here is a wall-clock time held in a Date's
// UTC fields, and no conversion to or from the cafe's zone happens.

const MIN_YEAR = 1900 // Excel's day 1; an earlier date is a time-only cell (1899-12-30) or a typo
const MAX_YEAR = 9999
// Excel serial day numbers are counted from 1899-12-30 (which absorbs Excel's fake 1900-02-29).
const SERIAL_EPOCH_MS = Date.UTC(1899, 11, 30)
const DAY_MS = 86_400_000
// Only five-digit serials (1927-05-18 to 2173-10-14) are read as dates: a smaller number in a
// date column is more likely a day of the month or a quantity typed in the wrong column.
const MIN_SERIAL = 10_000
const MAX_SERIAL = 99_999

const MONTHS: Record<string, number> = {}
for (const [month, names] of [
  [1, 'jan january januari'],
  [2, 'feb february februari'],
  [3, 'mar march maret'],
  [4, 'apr april'],
  [5, 'may mei'],
  [6, 'jun june juni'],
  [7, 'jul july juli'],
  [8, 'aug august agu agt ags agustus'],
  [9, 'sep sept september'],
  [10, 'oct october okt oktober'],
  [11, 'nov november'],
  [12, 'dec december des desember'],
] as const) {
  for (const name of names.split(' ')) MONTHS[name] = month
}

// The date part of a text cell, in the orders staff type. Numeric dates are day first, as in
// Indonesia: '03/04/2024' is 3 April, and '11/25/2024' (month first) is refused, not guessed.
const YEAR_FIRST = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/
const DAY_FIRST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/
const DAY_MONTH_NAME = /^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{4})$/i
const MONTH_NAME_DAY = /^([a-z]+)\.?\s*(\d{1,2}),?\s+(\d{4})$/i
const SERIAL_TEXT = /^\d{5}(?:\.\d+)?$/
// An optional time after the date: '14:30', '14:30:05', '14:30:05.123', '2:30 PM', ISO's 'T'.
const DATE_AND_TIME = /^(.+?)(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([ap])\.?m\.?)?)?$/i

/**
 * The moment a cell holds, as a Date whose UTC fields are the wall-clock time; null when the
 * cell is empty, undefined when it holds something that is not a date.
 */
function parseMoment(cell: unknown): Date | null | undefined {
  const scalar = cellScalar(cell)
  if (scalar === null) return null
  if (scalar instanceof Date) return inRange(roundToSecond(scalar.getTime()))
  if (typeof scalar === 'number') return fromSerial(scalar)
  if (typeof scalar !== 'string') return undefined
  const text = trimBlanks(scalar)
  if (text === '') return null
  if (SERIAL_TEXT.test(text)) return fromSerial(Number(text))
  const parts = DATE_AND_TIME.exec(text)
  if (!parts) return undefined
  const [, datePart = '', hour, minute, second, meridiem] = parts
  const day = parseDayText(datePart)
  if (day === undefined) return undefined
  if (hour === undefined) return day
  const seconds = timeOfDay(Number(hour), Number(minute), Number(second ?? 0), meridiem)
  return seconds === undefined ? undefined : new Date(day.getTime() + seconds * 1000)
}

function parseDayText(text: string): Date | undefined {
  let match = YEAR_FIRST.exec(text)
  if (match) return calendarDate(Number(match[1]), Number(match[3]), Number(match[4]))
  match = DAY_FIRST.exec(text)
  if (match) return calendarDate(Number(match[4]), Number(match[3]), Number(match[1]))
  match = DAY_MONTH_NAME.exec(text)
  if (match) return calendarDate(Number(match[3]), monthNumber(match[2]), Number(match[1]))
  match = MONTH_NAME_DAY.exec(text)
  if (match) return calendarDate(Number(match[3]), monthNumber(match[1]), Number(match[2]))
  return undefined
}

function monthNumber(name: string | undefined): number {
  return MONTHS[(name ?? '').toLowerCase()] ?? 0
}

/** The date, or undefined when it does not exist (2024-02-30, month 13). */
function calendarDate(year: number, month: number, day: number): Date | undefined {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return undefined
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 ? date : undefined
}

/** Seconds since midnight, or undefined for an impossible time (25:00, 13:00 PM). */
function timeOfDay(hour: number, minute: number, second: number, meridiem: string | undefined): number | undefined {
  if (minute > 59 || second > 59) return undefined
  let hours = hour
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined
    hours = (hour % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0)
  } else if (hour > 23) {
    return undefined
  }
  return hours * 3600 + minute * 60 + second
}

function fromSerial(serial: number): Date | undefined {
  if (!Number.isFinite(serial) || serial < MIN_SERIAL || serial >= MAX_SERIAL + 1) return undefined
  return inRange(roundToSecond(SERIAL_EPOCH_MS + serial * DAY_MS))
}

// Excel keeps times as fractions of a day; 14:30 can come back as 14:29:59.999.
function roundToSecond(ms: number): number {
  return Math.round(ms / 1000) * 1000
}

function inRange(ms: number): Date | undefined {
  if (Number.isNaN(ms)) return undefined
  const date = new Date(ms)
  const year = date.getUTCFullYear()
  return year >= MIN_YEAR && year <= MAX_YEAR ? date : undefined
}

function formatDateTime(date: Date, form: 'date' | 'timestamp' | 'auto'): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0')
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  if (form === 'date' || (form === 'auto' && time === '00:00:00')) return day
  return `${day} ${time}`
}
