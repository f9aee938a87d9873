// The run report on the hand-made fixture (tests/support/warehouse-fixture.ts): its figures,
// read back from the HTML, are the hand-worked answers of the marts tests; it opens in Debian's
// chromium from a file without a request or console error. Then a pipeline whose POS is empty:
// a run that held nothing back and left every mart empty, and a run that failed, each say so.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type HTMLElement, parse } from 'node-html-parser'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRunReport } from '../../lib/report/build-report.ts'
import { EMPTY_SENTENCES } from '../../lib/report/format.ts'
import { webUiRunUrl } from '../../lib/temporal.ts'
import { launchChromium, newTestPage } from '../support/browser.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

const TIMEZONE = 'Asia/Jakarta'

/** The text of each row of the table named `name` (data-table), cell by cell. */
function tableRows(root: HTMLElement, name: string): string[][] {
  const table = root.querySelector(`table[data-table="${name}"]`)
  if (!table) throw new Error(`The report has no table ${name}`)
  return table.querySelectorAll('tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text))
}

/** A headline tile's value and note. */
function tile(root: HTMLElement, name: string): { value?: string; note?: string } {
  const element = root.querySelector(`[data-figure="${name}"]`)
  return { value: element?.querySelector('.value')?.text, note: element?.querySelector('.note')?.text }
}

/** The plain sentences a section says in place of an empty chart or table. */
function sentences(root: HTMLElement, section: string): string[] {
  return root.querySelectorAll(`section#${section} p.empty`).map((p) => p.text)
}

describe('the run report on the hand-made fixture', () => {
  let h: Harness
  let runId: string
  let html: string
  let root: HTMLElement

  beforeAll(async () => {
    ;({ h, firstRunId: runId } = await fixtureWarehouse())
    const report = await buildRunReport(h.warehouse, runId, {
      timezone: TIMEZONE,
      webUiUrl: webUiRunUrl(h.config, `paccafe-pipeline-${runId}`),
    })
    html = report.html
    root = parse(html)
    expect(report.sections).toEqual(['headline', 'quality', 'inventory', 'customers', 'staffing'])
  })
  afterAll(async () => {
    await h?.close()
  })

  it('the headline: revenue, orders, new customers, rows held back, stock-outs', () => {
    expect(root.querySelector('h1')?.text).toBe(`Run report: ${runId}`)
    expect(root.querySelector('[data-run-status]')?.getAttribute('data-run-status')).toBe('succeeded')
    // Completed orders 100 (13.00), 102 (13.00), 103 (3.00), 104 (4.00); 101 was cancelled.
    expect(tile(root, 'revenue')).toEqual({ value: '$33.00', note: 'Mar 2024' })
    expect(tile(root, 'orders')).toEqual({ value: '4', note: 'Mar 2024' })
    // Customers 1 and 2; order 103's customer 7 is unknown, 104 is a walk-in.
    expect(tile(root, 'new-customers')).toEqual({ value: '2', note: 'Mar 2024' })
    // The quarantine batch: 4 rows rejected (lines 1005 and 1007, movement 4, the Nowhere count)
    // and 5 nullified (email, loyalty points, role, cost price, branch).
    expect(tile(root, 'held-back')).toEqual({ value: '9', note: 'quarantine batch open' })
    // Croissant at Laci (-5) and Latte at the unknown branch (-2) on 2024-03-06.
    expect(tile(root, 'stock-outs').value).toBe('2')
    expect(tile(root, 'stock-outs').note).toContain('2024-03-06')
    expect(root.querySelector('p.error')).toBeNull()
  })

  it('data quality: the row accounting, rows per stage, violations per rule, the batch', async () => {
    expect(tableRows(root, 'row-accounting')).toEqual([
      ['customers', '2', '2', '0', '0', '0'],
      ['employees', '2', '2', '0', '0', '0'],
      ['inventory_tracking', '4', '3', '1', '0', '0'],
      ['order_details', '11', '9', '2', '0', '0'],
      ['orders', '5', '5', '0', '0', '0'],
      ['products', '3', '3', '0', '0', '0'],
      ['stock_count', '3', '2', '1', '0', '0'],
      ['store_branch', '2', '2', '0', '0', '0'],
    ])
    const stages = tableRows(root, 'stages')
    expect(stages).toContainEqual(['order_details', 'validate', '11', '9', '2', 'succeeded'])
    expect(stages).toContainEqual(['stock_count', 'validate', '3', '2', '1', 'succeeded'])
    // Rule, rows failed: the defects of the fixture, one each, and the two orders whose lines
    // span branches or lie at the unknown branch.
    const failed = Object.fromEntries(
      tableRows(root, 'rules')
        .filter((row) => row[4] !== '0')
        .map((row) => [row[0], row[4]]),
    )
    expect(failed).toEqual({
      orders_single_branch: '2',
      customers_email_format: '1',
      customers_loyalty_points_not_negative: '1',
      employees_role_known: '1',
      inventory_quantity_not_negative: '1',
      inventory_reason_known: '1',
      order_details_order_exists: '1',
      order_details_quantity_positive: '1',
      orders_employee_exists: '1',
      orders_freshness: '1',
      orders_payment_method_known: '1',
      orders_status_spelling: '1',
      products_branch_known: '1',
      products_cost_price_not_negative: '1',
      stock_count_branch_exists: '1',
    })
    // Every rule checked is in the table, as dq.rule_results holds it.
    const [checked] = await h.warehouse`select count(*)::int as n from dq.rule_results where run_id = ${runId}`
    expect(tableRows(root, 'rules')).toHaveLength(checked?.n)
    expect(tableRows(root, 'violations-trend')).toContainEqual([
      runId,
      expect.stringContaining('(Asia/Jakarta)'),
      'orders_single_branch',
      '2',
    ])
    expect(tableRows(root, 'quarantine-batches').map((row) => row.slice(0, 3))).toEqual([[runId, 'open', '9']])
    expect(sentences(root, 'quality')).toEqual([EMPTY_SENTENCES.noFailedLoads])
  })

  it('inventory: stock on hand, stock-outs, waste with its cost, discrepancies', () => {
    const stock = tableRows(root, 'stock-on-hand')
    // Product 1 at Setara: counted 12 on 03-06, its last day.
    expect(stock).toContainEqual(['1', 'Espresso', 'Setara Coffee', '12', '2024-03-06', 'no', 'no'])
    expect(stock).toEqual([
      ['2', 'Croissant', 'Laci Coffee', '-5', '–', 'yes', 'yes'],
      ['3', 'Latte', 'Unknown', '-2', '–', 'yes', 'yes'],
      ['1', 'Espresso', 'Setara Coffee', '12', '2024-03-06', 'no', 'no'],
    ])
    expect(tableRows(root, 'stock-outs')).toEqual([
      ['2', 'Croissant', 'Laci Coffee', '-5', 'yes'],
      ['3', 'Latte', 'Unknown', '-2', 'yes'],
    ])
    // Damaged 2 of Espresso at $1.00; Expired 3 Croissants, whose cost price was nullified.
    expect(tableRows(root, 'waste')).toEqual([
      ['Mar 2024', 'Damaged', '1', '1', '2', '$2.00'],
      ['Mar 2024', 'Expired', '1', '1', '3', '–'],
    ])
    expect(tableRows(root, 'waste-products')).toEqual([
      ['Mar 2024', '1', 'Espresso', 'Setara Coffee', 'Damaged', '1', '2', '$2.00'],
      ['Mar 2024', '2', 'Croissant', 'Laci Coffee', 'Expired', '1', '3', '–'],
    ])
    expect(tableRows(root, 'discrepancies')).toEqual([
      ['1', '2024-03-06', 'Espresso', 'Setara Coffee', '12', '13', '-1', 'no', 'Ani'],
      ['2', '2024-03-04', 'Espresso', 'Setara Coffee', '15', '15', '0', 'no', 'Ani'],
    ])
  })

  it('customers: segments and tiers, new against returning, walk-in share, duplicates', () => {
    // Customer 1: 150 points (Silver); customer 2: -5 nullified to 0 (Bronze); one order each.
    expect(tableRows(root, 'segments')).toEqual([
      ['Hibernating', 'Bronze', '1', '0', '$13.00'],
      ['Hibernating', 'Silver', '1', '0', '$13.00'],
    ])
    expect(tableRows(root, 'customer-months')).toEqual([['Mar 2024', '2', '0', '4', '1', '25%', '$33.00']])
    expect(tableRows(root, 'walk-in-share')).toEqual([['Mar 2024', '1', '4', '25%', '$4.00']])
    expect(sentences(root, 'customers')).toEqual([EMPTY_SENTENCES.noDuplicates])
  })

  it('staffing: a heatmap per branch, each employee month', () => {
    expect(tableRows(root, 'sales-heatmap-setara-coffee')).toEqual([
      ['Monday', '08:00', '1', '$13.00', '4'],
      ['Wednesday', '09:00', '1', '$3.00', '1'],
    ])
    expect(tableRows(root, 'sales-heatmap-laci-coffee')).toEqual([['Wednesday', '13:00', '1', '$4.00', '1']])
    expect(tableRows(root, 'sales-heatmap-unknown')).toEqual([['Tuesday', '17:00', '1', '$13.00', '3']])
    expect(root.querySelectorAll('figure[data-chart^="sales-heatmap-"] svg')).toHaveLength(3)
    expect(tableRows(root, 'employees')).toEqual([
      ['Mar 2024', 'Ani Wijaya (#1)', 'Barista', '3', '0', '$30.00', '$10.00'],
      ['Mar 2024', 'Unknown employee (#-1)', 'Unknown', '1', '0', '$3.00', '$3.00'],
      ['Mar 2024', 'Budi Santoso (#2)', 'Unknown', '0', '1', '$0.00', '–'],
    ])
  })

  it('every chart is inline SVG with its numbers beside it in a details element', () => {
    const figures = root.querySelectorAll('figure.chart')
    expect(figures.length).toBeGreaterThanOrEqual(10)
    for (const figure of figures) {
      expect(figure.querySelector('figcaption')?.text.length).toBeGreaterThan(0)
      expect(figure.querySelector('svg')).not.toBeNull()
      expect(figure.querySelector('details table caption')).not.toBeNull()
    }
    expect(root.querySelectorAll('script, link, img, iframe')).toHaveLength(0)
  })

  describe('in headless chromium', () => {
    let browser: Browser
    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(async () => {
      await browser?.close()
    })

    it('opens from a file without a request or a console error; a screenshot of each section', async () => {
      const testPage = await newTestPage(browser, 'the run report in chromium')
      const { page, consoleErrors } = testPage
      await page.setViewportSize({ width: 1280, height: 900 })
      const requests: string[] = []
      page.on('request', (request) => requests.push(request.url()))
      const fullPage = await testPage.screenshot('blank')
      const folder = path.dirname(fullPage)
      const file = path.join(folder, 'report.html')
      await mkdir(folder, { recursive: true })
      await writeFile(file, html)
      const url = pathToFileURL(file).href
      await page.goto(url, { waitUntil: 'load' })
      await page.waitForLoadState('networkidle')
      expect(requests).toEqual([url])
      expect(consoleErrors).toEqual([])
      await testPage.screenshot('full-page')
      for (const id of ['headline', 'quality', 'inventory', 'customers', 'staffing'])
        await page.locator(`#${id}`).screenshot({ path: path.join(folder, `section-${id}.png`) })
      // The README's picture: the headline and the first section (copied to docs/images/report.png).
      const bottom = await page
        .locator('#quality')
        .evaluate((element) => element.getBoundingClientRect().bottom + window.scrollY)
      await page.screenshot({
        path: path.join(folder, 'headline-and-data-quality.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom + 24) },
      })
      // Opening the numbers shows them; nothing was loaded meanwhile.
      await page.locator('figure[data-chart="row-accounting"] summary').click()
      expect(await page.locator('table[data-table="row-accounting"]').isVisible()).toBe(true)
      expect(requests).toEqual([url])
      expect(consoleErrors).toEqual([])
    })

    it('a product name with markup, as the POS may hold one, renders as text', async () => {
      const hostile = '<script>document.title = "ran"</script><img src=x onerror="console.error(\'ran\')">'
      await h.source`update products set product_name = ${hostile} where product_id = 3`
      const { runId: next } = await h.run('full')
      const [product] = await h.warehouse`
        select product_name from warehouse.dim_products where nk_product_id = 3 and is_current`
      expect(product?.product_name).toBe(hostile)
      const report = await buildRunReport(h.warehouse, next, { timezone: TIMEZONE })
      const parsed = parse(report.html)
      expect(parsed.querySelectorAll('script, img')).toHaveLength(0)
      expect(tableRows(parsed, 'stock-on-hand')).toContainEqual(['3', hostile, 'Unknown', '-2', '–', 'yes', 'yes'])

      const testPage = await newTestPage(browser, 'the run report with hostile text')
      const { page, consoleErrors } = testPage
      const requests: string[] = []
      page.on('request', (request) => requests.push(request.url()))
      const folder = path.dirname(await testPage.screenshot('blank'))
      const file = path.join(folder, 'report.html')
      await writeFile(file, report.html)
      const url = pathToFileURL(file).href
      await page.goto(url, { waitUntil: 'load' })
      expect(await page.title()).toBe(`Paccafe run report: ${next}`)
      expect(await page.locator('img').count()).toBe(0)
      await page.locator('figure[data-chart="stock-on-hand"] summary').click()
      await expect
        .poll(() => page.locator('table[data-table="stock-on-hand"] td', { hasText: 'document.title' }).count())
        .toBe(1)
      await page.locator('#inventory').screenshot({ path: path.join(folder, 'section-inventory.png') })
      expect(requests).toEqual([url])
      expect(consoleErrors).toEqual([])
    })
  })
})

describe('the run report of a POS with nothing in it, then of a failed run', () => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness({}, { emptySource: true })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('a run that quarantined nothing and empty marts say so plainly', async () => {
    const { runId } = await h.run('full')
    const { html } = await buildRunReport(h.warehouse, runId, { timezone: TIMEZONE })
    const root = parse(html)
    expect(tile(root, 'held-back')).toEqual({ value: '0', note: EMPTY_SENTENCES.nothingHeldBack })
    expect(root.querySelectorAll('header p.empty').map((p) => p.text)).toEqual([EMPTY_SENTENCES.nothingHeldBack])
    expect(tile(root, 'revenue').value).toBe('–')
    // Nothing was held back; only the checks of whole tables can fail on an empty POS (no
    // order in the last two days).
    expect(sentences(root, 'quality')).toEqual(
      expect.arrayContaining([EMPTY_SENTENCES.noQuarantineBatches, EMPTY_SENTENCES.noFailedLoads]),
    )
    const failing = tableRows(root, 'rules').filter((row) => row[4] !== '0')
    expect(failing.map((row) => row[0])).toEqual(failing.map(() => expect.stringMatching(/_(freshness|volume)$/)))
    expect(sentences(root, 'inventory')).toEqual([
      EMPTY_SENTENCES.noStock,
      EMPTY_SENTENCES.noStockOuts,
      EMPTY_SENTENCES.noWaste,
      EMPTY_SENTENCES.noDiscrepancies,
    ])
    expect(sentences(root, 'customers')).toEqual([
      EMPTY_SENTENCES.noCustomers,
      EMPTY_SENTENCES.noCustomerMonths,
      EMPTY_SENTENCES.noDuplicates,
    ])
    expect(sentences(root, 'staffing')).toEqual([EMPTY_SENTENCES.noSales, EMPTY_SENTENCES.noEmployees])
    // No empty chart anywhere but the row accounting (every table, zero rows) and its stages.
    expect(root.querySelectorAll('section#inventory svg, section#customers svg, section#staffing svg')).toHaveLength(0)
  })

  it('a failed run leads with its error line and what it got to', async () => {
    // As run-failures.test.ts makes a run fail: the POS's customers table drifts from the contract.
    await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
    const { runId } = await h.runExpectingFailure('full')
    const { html } = await buildRunReport(h.warehouse, runId, { timezone: TIMEZONE })
    const root = parse(html)
    expect(root.querySelector('[data-run-status]')?.getAttribute('data-run-status')).toBe('failed')
    const error = root.querySelector('header p.error')
    expect(error?.text).toMatch(/^This run failed: .*Schema drift in source table public\.customers/)
    // The error is the first thing under the run's line.
    expect(root.querySelector('header p.meta + p.error')).not.toBeNull()
    const notes = root.querySelectorAll('header p.note').map((p) => p.text)
    expect(notes[0]).toMatch(/^It stopped at: extract customers \(.*column loyalty_points is numeric\(10,2\)/)
    expect(notes[1]).toMatch(/^The last steps it finished: /)
    expect(notes[2]).toBe(
      'It published nothing: the figures below are the warehouse as the last successful run left it.',
    )
    expect(tile(root, 'held-back').note).toBe(EMPTY_SENTENCES.nothingHeldBack)
    expect(sentences(root, 'quality')).toContain(EMPTY_SENTENCES.noAccounting)
  })
})
