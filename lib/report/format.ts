// Turning the marts' values into text: escaping and number, date and time formats. Formatting
// only: every figure arrives computed (numbers from JSON, numerics possibly as strings).

/** A value as the report queries return it: JSON numbers, strings, or null for "no value". */
export type Value = number | string | null | undefined

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text safe in element content and in quoted attributes (product names come from the POS as typed). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char)
}

/** The dash shown where a mart has no value (a cost price that was unknown, say). */
export const NO_VALUE = '–'

function toNumber(value: Value): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const number = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(number) ? number : undefined
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const percentFormat = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 })

/** 1234 → `1,234`; -5 → `-5`. */
export function formatInteger(value: Value): string {
  const number = toNumber(value)
  return number === undefined ? NO_VALUE : integerFormat.format(number)
}

/** Revenue and cost as the POS prices them: `$1,234.50`, `-$2.00`. */
export function formatMoney(value: Value): string {
  const number = toNumber(value)
  if (number === undefined) return NO_VALUE
  const text = moneyFormat.format(Math.abs(number))
  return number < 0 ? `-$${text}` : `$${text}`
}

/** A share between 0 and 1: 0.25 → `25%`, 0.3333 → `33.3%`. */
export function formatPercent(value: Value): string {
  const number = toNumber(value)
  return number === undefined ? NO_VALUE : percentFormat.format(number)
}

/** A calendar date as the marts give it (`2024-03-04`), shown as is. */
export function formatDate(value: Value): string {
  return value === null || value === undefined || value === '' ? NO_VALUE : String(value).slice(0, 10)
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The month of a date (`2024-03-01` → `Mar 2024`). */
export function formatMonth(value: Value): string {
  const match = /^(\d{4})-(\d{2})/.exec(String(value ?? ''))
  if (!match) return NO_VALUE
  return `${MONTHS[Number(match[2]) - 1] ?? match[2]} ${match[1]}`
}

/** A moment in the cafe's time zone: `2024-03-04 08:15 (Asia/Jakarta)`. */
export function formatTimestamp(value: Value | Date, timezone: string): string {
  if (value === null || value === undefined || value === '') return NO_VALUE
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return NO_VALUE
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${timezone})`
}

/** A local hour of the day: 8 → `08:00`. */
export function formatHour(hour: Value): string {
  const number = toNumber(hour)
  return number === undefined ? NO_VALUE : `${String(number).padStart(2, '0')}:00`
}

/**
 * What the report says instead of a chart or table that would be empty: one plain sentence per
 * case, so that an empty mart or a clean run reads as a fact, not as a missing picture.
 */
export const EMPTY_SENTENCES = {
  nothingHeldBack: 'No rows were held back in this run.',
  noAccounting: 'This run accounted for no source table.',
  noSteps: 'This run recorded no steps.',
  noViolations: 'No rule found a violation in this run.',
  noRuleResults: 'No data-quality rule was checked in this run.',
  noTrend: 'No rule found a violation in the last 30 runs.',
  noQuarantineBatches: 'No run has held rows back.',
  noFailedLoads: 'No failed run archived a load.',
  noStock: 'No stock was recorded.',
  noStockOuts: 'No product is out of stock.',
  noWaste: 'No waste was recorded.',
  noDiscrepancies: 'No stock count was recorded.',
  noCustomers: 'No customer has been recorded.',
  noCustomerMonths: 'No Completed order has been recorded.',
  noDuplicates: 'No duplicate customer records were merged.',
  noSales: 'No sales were recorded.',
  noEmployees: 'No employee has taken an order.',
} as const

export type EmptyCase = keyof typeof EMPTY_SENTENCES

/** The sentence for an empty case. */
export function emptySentence(which: EmptyCase): string {
  return EMPTY_SENTENCES[which]
}
