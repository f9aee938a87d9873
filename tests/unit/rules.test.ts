// The rule files: generic tests compiled to the SQL predicates a custom check would be, the
// thresholds and table checks they may declare, and the one-line errors of a wrong file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { compileTest, loadCatalogue, thresholdRows } from '../../lib/quality/rules.ts'
import { applyThresholds, thresholdError } from '../../lib/quality/table-checks.ts'

let dir: string | undefined

/** A models folder whose clean/ holds these rule files. */
async function rulesDir(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'paccafe-rules-'))
  await mkdir(path.join(dir, 'clean'))
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'clean', name), text)
  return dir
}

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

describe('generic tests', () => {
  it('compile to the predicate that holds for a good row, a NULL failing unless allowed', () => {
    expect(compileTest('not_null', 'orders', 'order_id', false)).toBe('c."order_id" is not null')
    expect(compileTest('unique', 'customers', 'email', true)).toBe(
      'c."email" is null or (c."email" is not null and not exists (select 1 from clean."customers" as u ' +
        'where u."email" = c."email" and u.natural_key <> c.natural_key))',
    )
    expect(compileTest({ accepted_values: ['Cash', "O'Brien", 3] }, 'orders', 'payment_method', false)).toBe(
      `c."payment_method" in ('Cash', 'O''Brien', 3)`,
    )
    expect(
      compileTest(
        { relationships: { to: 'staging.products', field: 'product_id' } },
        'order_details',
        'product_id',
        false,
      ),
    ).toBe('exists (select 1 from "staging"."products" as r where r."product_id" = c."product_id")')
    expect(compileTest({ range: { min: 0 } }, 'products', 'unit_price', true)).toBe(
      'c."unit_price" is null or (c."unit_price" >= 0)',
    )
    expect(compileTest({ range: { min: 0, max: 10, inclusive: false } }, 'order_details', 'quantity', false)).toBe(
      'c."quantity" > 0 and c."quantity" < 10',
    )
    expect(compileTest({ pattern: '^[0-9]{10,15}$' }, 'customers', 'phone', true)).toBe(
      `c."phone" is null or (c."phone" ~ '^[0-9]{10,15}$')`,
    )
  })

  it("of this project's rule files say what the custom checks they replaced said", async () => {
    const { rules } = await loadCatalogue()
    const check = (name: string) => rules.find((rule) => rule.name === name)?.check
    expect(check('orders_payment_method_known')).toBe(`c."payment_method" in ('Cash', 'Debit Card', 'Credit Card')`)
    expect(check('order_details_quantity_positive')).toBe('c."quantity" > 0')
    expect(check('customers_email_format')).toBe(`c."email" is null or (c."email" ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')`)
    expect(check('orders_employee_exists')).toBe(
      'exists (select 1 from "staging"."employees" as r where r."employee_id" = c."employee_id")',
    )
    expect(rules.find((rule) => rule.name === 'orders_single_branch')?.severity).toBe('count')
  })

  it('are refused with a line naming the file and the rule when declared wrong', async () => {
    const file = (rule: string) => ({
      'orders.rules.yml': `table: orders\nrules:\n  - name: orders_bad\n    description: d\n    severity: warn\n${rule}`,
    })
    const refused = async (rule: string) => {
      const folder = await rulesDir(file(rule))
      const error = await loadCatalogue(folder).catch((e: Error) => e)
      await rm(folder, { recursive: true, force: true })
      return (error as Error).message
    }
    const where = path.join('clean', 'orders.rules.yml')
    expect(await refused('    column: a\n    check: a > 0\n    test: not_null\n')).toMatch(
      new RegExp(`${where}: rule orders_bad needs either check or test, not both`),
    )
    expect(await refused('    column: a\n')).toMatch(/rule orders_bad needs either check or test/)
    expect(await refused('    test: not_null\n')).toMatch(/rule orders_bad \(test not_null\) needs a column/)
    expect(await refused('    column: a\n    test: not_null\n    allow_null: true\n')).toMatch(
      /rule orders_bad cannot allow a NULL in a not_null test/,
    )
    expect(await refused('    column: a\n    test: {range: {inclusive: true}}\n')).toMatch(
      /rule orders_bad has a range test without min or max/,
    )
    expect(await refused('    column: a\n    test: {between: [1, 2]}\n')).toMatch(
      /orders\.rules\.yml: \/rules\/0\/test/,
    )
    expect(await refused('    column: a\n    check: a > 0\n    threshold: 5 percent\n')).toMatch(
      /orders\.rules\.yml: \/rules\/0\/threshold/,
    )
    expect(await refused('    column: a\n    check: a > 0\n    treshold: 5%\n')).toMatch(
      /orders\.rules\.yml: \/rules\/0/,
    )
  })
})

describe('thresholds and table checks', () => {
  it('read a count or a share, and a table check beside the rules', async () => {
    const folder = await rulesDir({
      'orders.rules.yml': [
        'table: orders',
        'rules:',
        '  - {name: orders_a, description: d, column: a, severity: warn, check: a > 0, threshold: 100}',
        "  - {name: orders_b, description: d, column: b, severity: warn, test: not_null, threshold: '5%'}",
        'table_checks:',
        "  - {name: orders_volume, description: d, check: volume, max_drop: '10%', threshold: '50%'}",
        '  - {name: orders_freshness, description: d, check: freshness, max_age: 2 days}',
      ].join('\n'),
    })
    const { rules, tableChecks } = await loadCatalogue(folder)
    expect(rules.map((rule) => rule.threshold)).toEqual([100, '5%'])
    expect(tableChecks.map((check) => [check.name, check.table, check.check])).toEqual([
      ['orders_volume', 'orders', 'volume'],
      ['orders_freshness', 'orders', 'freshness'],
    ])
    expect(thresholdRows(100, 10)).toBe(100)
    expect(thresholdRows('5%', 1000)).toBe(50)
    expect(thresholdRows('5%', 999)).toBe(49)
    const results = applyThresholds(rules, [
      { rule: 'orders_a', rowsChecked: 1000, rowsFailed: 100 },
      { rule: 'orders_b', rowsChecked: 1000, rowsFailed: 120 },
    ])
    expect(results.map((result) => result.thresholdExceeded)).toEqual([false, true])
    expect(thresholdError('orders', rules, tableChecks, results)?.message).toBe(
      'Rule orders_b on orders: 120 failing rows, above its threshold of 5% (50 of 1000 rows)',
    )
  })

  it('are refused when declared wrong', async () => {
    const folder = await rulesDir({
      'orders.rules.yml': [
        'table: orders',
        'rules:',
        '  - {name: orders_a, description: d, column: a, severity: warn, check: a > 0}',
        'table_checks:',
        '  - {name: orders_freshness, description: d, check: freshness, max_age: two days}',
      ].join('\n'),
    })
    await expect(loadCatalogue(folder)).rejects.toThrow(/orders\.rules\.yml: \/table_checks\/0/)
  })
})
