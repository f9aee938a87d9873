import { describe, expect, it } from 'vitest'
import {
  cellText,
  EXPECTED,
  INTEGER_RANGE,
  NO_NUL,
  NOT_A_FORMULA,
  parseDate,
  parseInteger,
  parseText,
  parseTimestamp,
  UTF8_TEXT,
} from '../../lib/sheets/cells.ts'

const utc = (...parts: [number, number, number, number?, number?, number?]) =>
  new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0))

describe('an integer cell', () => {
  it.each([
    ['a number', 12, '12'],
    ['a negative number (the rules judge it, not the parser)', -3, '-3'],
    ['a whole number stored as a float', 12.0, '12'],
    ['text', '12', '12'],
    ['text with spaces around it', ' 12 ', '12'],
    ['text with a decimal zero', '12.0', '12'],
    ['text with a sign', '+12', '12'],
    ['negative text', '-5', '-5'],
    ['text with leading zeros', '007', '7'],
    ['text with thousands separators', '1,234', '1234'],
    ['text with thousands separators and decimals zero', '1,234,567.00', '1234567'],
    ['a formula result', { formula: 'A1+1', result: 13 }, '13'],
    ['rich text', { richText: [{ text: '4' }, { text: '2' }] }, '42'],
  ])('reads %s', (_case, cell, value) => {
    expect(parseInteger(cell)).toEqual({ ok: true, value })
  })

  it.each([
    ['a fraction', 12.5],
    ['a fraction typed as text', '12.5'],
    ['a decimal comma', '12,5'],
    ['dotted thousands (ambiguous: 1.234 or 1234)', '1.234'],
    ['badly grouped thousands', '12,34'],
    ['words', 'abc'],
    ['a number with a unit', '12 pcs'],
    ['scientific notation', '1e3'],
    ['a date', utc(2024, 11, 25)],
    ['a boolean', true],
    ['a formula error', { error: '#DIV/0!' }],
    ['a formula never calculated', { formula: 'A1+1' }],
  ])('refuses %s', (_case, cell) => {
    expect(parseInteger(cell)).toEqual({ ok: false, expected: 'an integer such as 12' })
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['spaces', '   '],
    ['a formula whose result is empty text', { formula: 'IF(A1,"","")', result: '' }],
  ])('is missing when %s', (_case, cell) => {
    expect(parseInteger(cell)).toBeNull()
  })
})

describe('an integer that does not fit a PostgreSQL integer', () => {
  it.each([
    ['a number too large to be exact', 2 ** 60],
    ['a number one past the largest integer', 2_147_483_648],
    ['text of eleven digits', '99999999999'],
    ['text below the smallest integer', '-2,147,483,649'],
  ])('is refused, saying the range: %s', (_case, cell) => {
    expect(parseInteger(cell)).toEqual({ ok: false, expected: INTEGER_RANGE })
  })

  it('reads the largest and smallest integers', () => {
    expect(parseInteger('2,147,483,647')).toEqual({ ok: true, value: '2147483647' })
    expect(parseInteger(-2_147_483_648)).toEqual({ ok: true, value: '-2147483648' })
  })
})

describe('a date cell (day first, as in Indonesia)', () => {
  it.each([
    ['an exceljs date (UTC midnight)', utc(2024, 11, 25), '2024-11-25'],
    ['an exceljs date and time (the time is dropped)', utc(2024, 11, 25, 22, 15), '2024-11-25'],
    ['YYYY-MM-DD', '2024-11-25', '2024-11-25'],
    ['YYYY/MM/DD', '2024/11/25', '2024-11-25'],
    ['YYYY-M-D', '2024-3-4', '2024-03-04'],
    ['DD/MM/YYYY', '25/11/2024', '2024-11-25'],
    ['D/M/YYYY, read day first', '3/4/2024', '2024-04-03'],
    ['DD/MM/YYYY with a day of 12 or less, read day first', '05/01/2025', '2025-01-05'],
    ['DD-MM-YYYY', '25-11-2024', '2024-11-25'],
    ['DD.MM.YYYY', '25.11.2024', '2024-11-25'],
    ['D Mon YYYY', '25 Nov 2024', '2024-11-25'],
    ['D-Mon-YYYY', '25-Nov-2024', '2024-11-25'],
    ['D Month YYYY', '25 November 2024', '2024-11-25'],
    ['an Indonesian month', '25 Desember 2024', '2024-12-25'],
    ['an Indonesian month abbreviation', '17 Agt 2024', '2024-08-17'],
    ['Mon D, YYYY', 'Nov 25, 2024', '2024-11-25'],
    ['a date with a time', '2024-11-25 23:10', '2024-11-25'],
    ['an ISO timestamp', '2024-11-25T23:10:00', '2024-11-25'],
    ['an Excel serial day number', 45621, '2024-11-25'],
    ['an Excel serial day number typed as text', '45620', '2024-11-24'],
    ['a serial with a time of day', 45621.75, '2024-11-25'],
    ['a leap day', '29/02/2024', '2024-02-29'],
    ['spaces around it', '  25/11/2024 ', '2024-11-25'],
    ['a formula result', { formula: 'DATE(2024,11,25)', result: 45621 }, '2024-11-25'],
    ['rich text', { richText: [{ text: '25 Nov ' }, { text: '2024' }] }, '2024-11-25'],
  ])('reads %s', (_case, cell, value) => {
    expect(parseDate(cell)).toEqual({ ok: true, value })
  })

  it.each([
    ['an impossible date', '2024-02-30'],
    ['an impossible day-first date', '31/04/2024'],
    ['Feb 29 in a common year', '29/02/2023'],
    ['month 13', '2024-13-01'],
    ['a month-first date (not guessed)', '11/25/2024'],
    ['a two-digit year (not guessed)', '25/11/24'],
    ['an unknown month name', '25 Nox 2024'],
    ['a small number (more likely a day or a quantity)', 25],
    ['a date number without separators', '20241125'],
    ['a time-only cell', utc(1899, 12, 30, 10, 30)],
    ['an impossible time', '2024-11-25 25:00'],
    ['a time zone (the sheet has none)', '2024-11-25T10:00:00Z'],
    ['words', 'yesterday'],
    ['ambiguous garbage', '25/11/2024/1'],
    ['a formula error', { error: '#VALUE!' }],
    ['a boolean', false],
    ['a year before 1900 (a typo, or a time-only cell)', '1850-01-01'],
    ['a day-first date before 1900', '25/11/1024'],
    ['a date cell past the year 9999', new Date(Date.UTC(10_000, 0, 1))],
    ['a serial number past five digits', 2_958_466],
    ['a five-digit year', '20241-11-25'],
    ['separators that do not match', '2024-11/25'],
  ])('refuses %s', (_case, cell) => {
    expect(parseDate(cell)).toEqual({ ok: false, expected: EXPECTED.date })
  })

  it('is missing when empty', () => {
    expect(parseDate('  ')).toBeNull()
    expect(parseDate(null)).toBeNull()
  })
})

describe('a timestamp cell (wall-clock time, no zone)', () => {
  it.each([
    ['an exceljs date and time', utc(2024, 11, 25, 14, 30, 5), '2024-11-25 14:30:05'],
    [
      'an exceljs date and time a millisecond short of the minute',
      new Date(Date.UTC(2024, 10, 25, 14, 29, 59, 999)),
      '2024-11-25 14:30:00',
    ],
    ['a date alone, meaning midnight', '2024-11-25', '2024-11-25 00:00:00'],
    ['YYYY-MM-DD HH:MM:SS', '2024-11-25 14:30:05', '2024-11-25 14:30:05'],
    ['YYYY-MM-DD HH:MM', '2024-11-25 14:30', '2024-11-25 14:30:00'],
    ['ISO with fractional seconds', '2024-11-25T14:30:05.250', '2024-11-25 14:30:05'],
    ['day first, with a single-digit hour', '25/11/2024 8:05', '2024-11-25 08:05:00'],
    ['a 12-hour time, PM', '25/11/2024 2:30 PM', '2024-11-25 14:30:00'],
    ['a 12-hour time, 12 AM', '25 Nov 2024 12:15 am', '2024-11-25 00:15:00'],
    ['an Excel serial with a fraction of a day', 45621.604166666664, '2024-11-25 14:30:00'],
  ])('reads %s', (_case, cell, value) => {
    expect(parseTimestamp(cell)).toEqual({ ok: true, value })
  })

  it.each([
    ['an impossible hour', '2024-11-25 24:00'],
    ['impossible minutes', '2024-11-25 10:60'],
    ['a 13 PM', '2024-11-25 13:00 PM'],
    ['a time alone', '14:30'],
    ['an offset (the sheet has no zone)', '2024-11-25 14:30:00+07:00'],
  ])('refuses %s', (_case, cell) => {
    expect(parseTimestamp(cell)).toEqual({ ok: false, expected: 'a date and time such as 2024-11-25 14:30:00' })
  })
})

describe('a text cell', () => {
  it.each([
    ['text, trimmed', '  Kemang  ', 'Kemang'],
    ['text with a non-breaking space around it', '\u00a0Kemang\u00a0', 'Kemang'],
    ['rich text', { richText: [{ text: 'Pac' }, { text: 'cafe ' }] }, 'Paccafe'],
    ['a hyperlink', { text: 'Budi', hyperlink: 'mailto:budi@example.com' }, 'Budi'],
    ['a string formula result', { formula: 'A1&"x"', result: 'Senopati' }, 'Senopati'],
    ['a number, as displayed', 123, '123'],
    ['a date, as a date', utc(2024, 11, 25), '2024-11-25'],
  ])('reads %s', (_case, cell, value) => {
    expect(parseText(cell)).toEqual({ ok: true, value })
  })

  it.each([
    ['a formula error', { error: '#N/A' }],
    ['a formula whose result is an error', { formula: 'VLOOKUP(A1,B:C,2)', result: { error: '#N/A' } }],
    ['a formula without a result', { formula: 'VLOOKUP(A1,B:C,2)' }],
    ['a formula error exported to CSV', '#REF!'],
  ])('refuses %s', (_case, cell) => {
    expect(parseText(cell)).toEqual({ ok: false, expected: 'text' })
  })

  it('is missing when empty or blank', () => {
    expect(parseText('')).toBeNull()
    expect(parseText(' \t ')).toBeNull()
    expect(parseText({ richText: [] })).toBeNull()
  })
})

describe('text a spreadsheet would run as a formula', () => {
  it.each(['=HYPERLINK("http://x.example","Kemang")', "+cmd|' /C calc'!A0", '@SUM(A1:A9)', '-2+3', '\t=1+1'])(
    'is refused as text: %j',
    (cell) => {
      expect(parseText(cell)).toEqual({ ok: false, expected: NOT_A_FORMULA })
    },
  )

  it('leaves plain text and numbers typed as text alone', () => {
    for (const cell of ['-3', 'Kemang +1', 'Kopi = enak', 'sari@paccafe.example']) {
      expect(parseText(cell)).toEqual({ ok: true, value: cell })
    }
  })
})

describe('text that cannot arrive as typed', () => {
  it('refuses a NUL character, which PostgreSQL cannot store, and shows it as ␀', () => {
    expect(parseText('Sari\u0000Dewi')).toEqual({ ok: false, expected: NO_NUL })
    expect(cellText('Sari\u0000Dewi')).toBe('Sari\u2400Dewi')
  })

  it('refuses the replacement character that bytes of another encoding decode to', () => {
    expect(parseText(Buffer.from([0x43, 0x61, 0x66, 0xe9]).toString('utf8'))).toEqual({
      ok: false,
      expected: UTF8_TEXT,
    })
  })

  it('keeps line breaks, quotes, emoji and mixed scripts as typed', () => {
    const text = 'Robert\'); drop table x;--\n"Sari" 🍩 李 Ирина'
    expect(parseText(text)).toEqual({ ok: true, value: text })
  })
})

describe('blanks around a cell', () => {
  it.each([
    ['a tab', '\t'],
    ['a no-break space', '\u00a0'],
    ['a figure space', '\u2007'],
    ['a narrow no-break space', '\u202f'],
    ['an ideographic space', '\u3000'],
    ['a zero-width space', '\u200b'],
    ['a byte-order mark', '\ufeff'],
    ['a carriage return and line feed', '\r\n'],
  ])('are trimmed: %s', (_case, blank) => {
    expect(parseText(`${blank}Kemang${blank}`)).toEqual({ ok: true, value: 'Kemang' })
    expect(parseInteger(`${blank}12${blank}`)).toEqual({ ok: true, value: '12' })
    expect(cellText(blank)).toBeNull()
  })

  it('are trimmed in any mix: tabs, no-break, ideographic and zero-width spaces, byte-order marks', () => {
    expect(parseText('\t\u00a0Kemang\u3000\u200b')).toEqual({ ok: true, value: 'Kemang' })
    expect(parseInteger('\ufeff 12\u00a0')).toEqual({ ok: true, value: '12' })
    expect(parseDate('\u202f2024-11-25\t')).toEqual({ ok: true, value: '2024-11-25' })
  })
})

describe('the raw text of a cell', () => {
  it('is what staff see, trimmed, or null when empty', () => {
    expect(cellText('  12 pcs ')).toBe('12 pcs')
    expect(cellText(12.5)).toBe('12.5')
    expect(cellText(utc(2024, 11, 25))).toBe('2024-11-25')
    expect(cellText(utc(2024, 11, 25, 9, 5))).toBe('2024-11-25 09:05:00')
    expect(cellText({ error: '#N/A' })).toBe('#N/A')
    expect(cellText({ formula: 'SUM(A1:A3)' })).toBe('=SUM(A1:A3)')
    expect(cellText(true)).toBe('TRUE')
    expect(cellText('   ')).toBeNull()
    expect(cellText(undefined)).toBeNull()
  })
})
