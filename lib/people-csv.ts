// CSV files the project writes for people to open in a spreadsheet. A cell whose text a
// spreadsheet would run as a formula (=HYPERLINK(...), +cmd|' /C calc'!A0, @SUM(...)) is
// written with a leading apostrophe, which spreadsheets show as text (OWASP's advice on CSV
// injection). The warehouse keeps such text as typed; only what people open is neutralized.
import { type Options, type Stringifier, stringify } from 'csv-stringify'

/** Starts like a formula (after any tabs or carriage returns) and is not a plain number. */
export function looksLikeFormula(text: string): boolean {
  return /^[\t\r]*[=+\-@]/.test(text) && !/^[+-]?\d+([.,]\d+)?$/.test(text)
}

export function neutralizeFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text
}

/** A csv-stringify stream whose text cells are neutralized. */
export function peopleCsv(options: Options = {}): Stringifier {
  return stringify({ ...options, cast: { ...options.cast, string: (value) => neutralizeFormula(value) } })
}
