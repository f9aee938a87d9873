// The bad-input corpus of the POS tables, through a real run: a value that does not fit is a
// violation of its row (quarantined or nullified), never a failed model; every value the clean
// layer cannot interpret is a violation; tabs and no-break spaces are trimmed; text a
// spreadsheet would run as a formula is kept as typed and flagged; hostile text arrives byte
// for byte. The good rows are published beside the bad ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let runId: string

// Product ids and customer ids the corpus rewrites (the demo POS at scale 0.1 has them all).
const OVERFLOW_PRICE = 1
const THREE_DECIMALS = 2
const NOT_YES_OR_NO = 3
const FORMULA_NAME = 4
const BLANKS_AROUND = 5
const HOSTILE = [1, 2, 3, 4, 5]

const HOSTILE_TEXT = [
  "Robert'); drop table students;--",
  '"quoted" \\ back\\slash \'single\'',
  'Ana 🍩☕ 👩🏽‍🍳',
  'Ирина 李小龙 محمد',
  '\u202eevil right-to-left',
]

/** The violations of `rule` on the rows the corpus rewrote (the demo data plants defects of its own). */
async function violations(rule: string) {
  const corpusKeys = ['1', '2', '3', '4', '5', '6', '7']
  return h.warehouse<{ natural_key: string; offending_value: string | null; severity: string }[]>`
    select natural_key, offending_value, severity from dq.violations
    where run_id = ${runId} and rule_name = ${rule} and natural_key in ${h.warehouse(corpusKeys)}
    order by natural_key`
}

describe('bad values in the POS tables', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await h.source`update products set unit_price = '$123456789012.00' where product_id = ${OVERFLOW_PRICE}`
    await h.source`update products set cost_price = '12.345' where product_id = ${THREE_DECIMALS}`
    await h.source`update products set in_stock = 'Maybe' where product_id = ${NOT_YES_OR_NO}`
    await h.source`update products set product_name = '=HYPERLINK("http://x.example","Latte")', category = '@SUM(A1:A9)'
                   where product_id = ${FORMULA_NAME}`
    await h.source`update products set product_name = ${'\t\u00a0Kopi Susu\u00a0 '}, in_stock = ${' yes\t'}
                   where product_id = ${BLANKS_AROUND}`
    for (const [index, id] of HOSTILE.entries()) {
      await h.source`update customers set first_name = ${HOSTILE_TEXT[index] ?? ''} where customer_id = ${id}`
    }
    await h.source`update customers set last_name = ${"+cmd|' /C calc'!A0"} where customer_id = 6`
    await h.source`update customers set last_name = ${'\u00a0\tSantoso\u3000'} where customer_id = 7`
    runId = (await h.run('full')).runId
  })
  afterAll(async () => {
    await h?.close()
  })

  it('makes a price that overflows, or has more than two decimals, a violation of its row; the rest publish', async () => {
    expect(await violations('products_unit_price_parses')).toEqual([
      { natural_key: String(OVERFLOW_PRICE), offending_value: '$123456789012.00', severity: 'nullify' },
    ])
    expect(await violations('products_cost_price_parses')).toEqual([
      { natural_key: String(THREE_DECIMALS), offending_value: '12.345', severity: 'nullify' },
    ])
    const [product] = await h.warehouse`
      select unit_price, cost_price from warehouse.dim_products where nk_product_id = ${OVERFLOW_PRICE} and is_current`
    expect(product?.unit_price).toBeNull()
    expect(product?.cost_price).not.toBeNull()
    const [source] = await h.source`select count(*)::int as n from products`
    const [published] = await h.warehouse`select count(*)::int as n from warehouse.dim_products where nk_product_id > 0`
    expect(published?.n).toBe(source?.n)
    const [quarantined] = await h.warehouse`
      select object_key from dq.quarantine_objects where run_id = ${runId} and rule_name = 'products_unit_price_parses'`
    expect(quarantined?.object_key).toMatch(/rule=products_unit_price_parses\.jsonl$/)
  })

  it('reports an in_stock that is neither yes nor no, instead of making it NULL silently', async () => {
    expect(await violations('products_in_stock_parses')).toEqual([
      { natural_key: String(NOT_YES_OR_NO), offending_value: 'Maybe', severity: 'nullify' },
    ])
    const rows = await h.warehouse`
      select nk_product_id, in_stock from warehouse.dim_products
      where nk_product_id in (${NOT_YES_OR_NO}, ${BLANKS_AROUND}) and is_current order by 1`
    expect(rows).toEqual([
      { nk_product_id: NOT_YES_OR_NO, in_stock: null },
      { nk_product_id: BLANKS_AROUND, in_stock: true },
    ])
  })

  it('trims tabs, no-break spaces and ideographic spaces', async () => {
    const [product] = await h.warehouse`
      select product_name from warehouse.dim_products where nk_product_id = ${BLANKS_AROUND} and is_current`
    expect(product?.product_name).toBe('Kopi Susu')
    const [customer] = await h.warehouse`select last_name from warehouse.dim_customers where nk_customer_id = 7`
    expect(customer?.last_name).toBe('Santoso')
  })

  it('keeps formula-looking text as typed and flags it', async () => {
    const [product] = await h.warehouse`
      select product_name, category from warehouse.dim_products where nk_product_id = ${FORMULA_NAME} and is_current`
    expect(product).toEqual({ product_name: '=HYPERLINK("http://x.example","Latte")', category: '@SUM(A1:A9)' })
    expect(await violations('products_product_name_not_formula')).toEqual([
      {
        natural_key: String(FORMULA_NAME),
        offending_value: '=HYPERLINK("http://x.example","Latte")',
        severity: 'warn',
      },
    ])
    expect(await violations('products_category_not_formula')).toHaveLength(1)
    expect(await violations('customers_last_name_not_formula')).toEqual([
      { natural_key: '6', offending_value: "+cmd|' /C calc'!A0", severity: 'warn' },
    ])
  })

  it('carries hostile text byte for byte into staging and the warehouse', async () => {
    const staged = await h.warehouse<{ customer_id: number; first_name: string }[]>`
      select customer_id, first_name from staging.customers where customer_id in ${h.warehouse(HOSTILE)} order by 1`
    const published = await h.warehouse<{ nk_customer_id: number; first_name: string }[]>`
      select nk_customer_id, first_name from warehouse.dim_customers
      where nk_customer_id in ${h.warehouse(HOSTILE)} order by 1`
    expect(staged.map((row) => row.first_name)).toEqual(HOSTILE_TEXT)
    expect(published.map((row) => row.first_name)).toEqual(HOSTILE_TEXT)
    const [students] = await h.warehouse`select to_regclass('public.students') as t`
    expect(students?.t).toBeNull()
  })

  it('balances every table: extracted = published + rejected', async () => {
    const accounting = await h.warehouse<{ table_name: string; difference: number }[]>`
      select table_name, difference from etl.row_accounting where run_id = ${runId}`
    expect(accounting.length).toBeGreaterThan(0)
    for (const row of accounting) expect(row.difference, row.table_name).toBe(0)
  })
})
