import { describe, expect, it } from 'vitest'
import { looksLikeFormula, neutralizeFormula, peopleCsv } from '../../lib/people-csv.ts'

async function csvOf(rows: unknown[][]): Promise<string> {
  const csv = peopleCsv()
  const chunks: string[] = []
  csv.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  const done = new Promise((resolve) => csv.on('end', resolve))
  for (const row of rows) csv.write(row)
  csv.end()
  await done
  return chunks.join('')
}

describe('CSV files written for people', () => {
  it('tells formula-looking text from plain text and numbers', () => {
    for (const text of ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '@SUM(A1:A2)', '-2+3', '\t=1+1']) {
      expect(looksLikeFormula(text), text).toBe(true)
    }
    for (const text of ['-3', '+62', '4,50', 'Kopi = enak', 'a@b.example', '']) {
      expect(looksLikeFormula(text), text).toBe(false)
    }
  })

  it('writes formula-looking cells with a leading apostrophe, and everything else as it is', async () => {
    expect(neutralizeFormula('=1+1')).toBe("'=1+1")
    expect(await csvOf([['=HYPERLINK("http://x","y")', 'Latte', -3, '@SUM(A1)']])).toBe(
      `"'=HYPERLINK(""http://x"",""y"")",Latte,-3,'@SUM(A1)\n`,
    )
  })
})
