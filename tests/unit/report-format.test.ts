// The run report's pure pieces: escaping, number and date formats, the "empty" sentences.
import { describe, expect, it } from 'vitest'
import {
  EMPTY_SENTENCES,
  emptySentence,
  escapeHtml,
  formatDate,
  formatHour,
  formatInteger,
  formatMoney,
  formatMonth,
  formatPercent,
  formatTimestamp,
  NO_VALUE,
} from '../../lib/report/format.ts'

describe('escapeHtml', () => {
  it('turns markup from the POS into text', () => {
    expect(escapeHtml('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(escapeHtml(`Tom & Jerry's "latte"`)).toBe('Tom &amp; Jerry&#39;s &quot;latte&quot;')
    expect(escapeHtml('<img src=x onerror=alert(1)>')).not.toMatch(/<img/)
  })
  it('shows nothing for a missing value, and numbers as text', () => {
    expect(escapeHtml(null)).toBe('')
    expect(escapeHtml(undefined)).toBe('')
    expect(escapeHtml(12)).toBe('12')
  })
})

describe('number formats', () => {
  it('integers with thousands separators', () => {
    expect(formatInteger(1234567)).toBe('1,234,567')
    expect(formatInteger('-5')).toBe('-5')
    expect(formatInteger(0)).toBe('0')
  })
  it('money to the cent, as the POS prices it', () => {
    expect(formatMoney('33.00')).toBe('$33.00')
    expect(formatMoney(1234.5)).toBe('$1,234.50')
    expect(formatMoney(-2)).toBe('-$2.00')
    expect(formatMoney('0')).toBe('$0.00')
  })
  it('shares as percentages', () => {
    expect(formatPercent(0.25)).toBe('25%')
    expect(formatPercent('0.3333')).toBe('33.3%')
  })
  it('a dash where the mart has no value', () => {
    for (const format of [formatInteger, formatMoney, formatPercent, formatDate, formatMonth, formatHour]) {
      expect(format(null)).toBe(NO_VALUE)
      expect(format(undefined)).toBe(NO_VALUE)
    }
    expect(formatMoney('not a number')).toBe(NO_VALUE)
  })
})

describe('dates and times', () => {
  it('dates as the marts give them, months by name, hours on the clock', () => {
    expect(formatDate('2024-03-04')).toBe('2024-03-04')
    expect(formatDate('2024-03-04T00:00:00')).toBe('2024-03-04')
    expect(formatMonth('2024-03-01')).toBe('Mar 2024')
    expect(formatMonth('2023-12-01')).toBe('Dec 2023')
    expect(formatHour(8)).toBe('08:00')
    expect(formatHour(17)).toBe('17:00')
  })
  it('moments in the cafe time zone', () => {
    expect(formatTimestamp('2024-03-04T01:15:00+00:00', 'Asia/Jakarta')).toBe('2024-03-04 08:15 (Asia/Jakarta)')
    expect(formatTimestamp(new Date('2024-03-04T23:30:00Z'), 'Asia/Jakarta')).toBe('2024-03-05 06:30 (Asia/Jakarta)')
    expect(formatTimestamp('2024-03-04T00:00:00Z', 'UTC')).toBe('2024-03-04 00:00 (UTC)')
    expect(formatTimestamp(null, 'UTC')).toBe(NO_VALUE)
  })
})

describe('the empty sentences', () => {
  it('say so plainly, one full sentence each', () => {
    expect(emptySentence('nothingHeldBack')).toBe('No rows were held back in this run.')
    expect(emptySentence('noWaste')).toBe('No waste was recorded.')
    for (const text of Object.values(EMPTY_SENTENCES)) expect(text).toMatch(/^[A-Z][^.]*\.$/)
    expect(new Set(Object.values(EMPTY_SENTENCES)).size).toBe(Object.keys(EMPTY_SENTENCES).length)
  })
})
