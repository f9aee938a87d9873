// The run report's sections from rows as the queries return them, without a database: hostile
// text from the POS renders as text, empty marts give a sentence instead of a chart, and the
// page loads nothing from elsewhere.
import { parse } from 'node-html-parser'
import { describe, expect, it } from 'vitest'
import { renderChart } from '../../lib/report/charts.ts'
import { EMPTY_SENTENCES } from '../../lib/report/format.ts'
import { markup, page, table } from '../../lib/report/html.ts'
import type { HeadlineData, InventoryData, QualityData } from '../../lib/report/queries.ts'
import {
  customersSection,
  headlineHeader,
  inventorySection,
  qualitySection,
  staffingSection,
} from '../../lib/report/sections.ts'

const HOSTILE = '<script>alert("pos")</script><img src=x onerror=alert(1)>'

const EMPTY_INVENTORY: InventoryData = {
  totals: null,
  stock: [],
  stockOuts: [],
  wasteByReason: [],
  wasteProducts: [],
  discrepancies: [],
}
const EMPTY_QUALITY: QualityData = {
  steps: [],
  accounting: [],
  rules: [],
  trendRuns: [],
  trend: [],
  batches: [],
  failedLoads: [],
}

function render(body: string) {
  return parse(
    page({ title: 't', header: markup(''), sections: [{ id: 's', title: 'S', body: markup(body) }], footer: '' }),
  )
}

describe('the report escapes what the POS typed', () => {
  it('a product name with markup is text in tables and charts', () => {
    const html = inventorySection({
      ...EMPTY_INVENTORY,
      totals: { stock_day: '2024-03-06', out_of_stock: 1, negative_stock: 1 },
      stock: [
        {
          product_id: 9,
          product_name: HOSTILE,
          category: 'Coffee',
          store_name: 'Setara Coffee',
          stock_on_hand: -3,
          last_count_date: null,
          is_out_of_stock: true,
          is_negative: true,
        },
      ],
      stockOuts: [
        { product_id: 9, product_name: HOSTILE, store_name: 'Setara Coffee', stock_on_hand: -3, is_negative: true },
      ],
    }).html
    expect(html).not.toMatch(/<script|<img/i)
    const root = render(html)
    expect(root.querySelectorAll('script')).toHaveLength(0)
    expect(root.querySelectorAll('img')).toHaveLength(0)
    const cells = root.querySelectorAll('table[data-table="stock-outs"] td').map((td) => td.text)
    expect(cells).toContain(HOSTILE)
  })

  it('ECharts encodes the text it draws', () => {
    const svg = renderChart({
      xAxis: { type: 'category', data: [HOSTILE] },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', name: HOSTILE, data: [1] }],
      legend: {},
    })
    expect(svg).toMatch(/^<svg/)
    expect(svg).not.toMatch(/<script|<img/i)
    expect(svg).toContain('&lt;script&gt;')
  })

  it('a table caption and cells are escaped', () => {
    const html = table({ caption: '<b>x</b>', columns: [{ label: '<i>' }], rows: [['a & b']] }).html
    expect(html).toContain('<caption>&lt;b&gt;x&lt;/b&gt;</caption>')
    expect(html).toContain('<td>a &amp; b</td>')
  })
})

describe('empty marts and clean runs say so plainly', () => {
  it('an empty inventory gives sentences, no charts', () => {
    const root = render(inventorySection(EMPTY_INVENTORY).html)
    expect(root.querySelectorAll('figure, svg')).toHaveLength(0)
    const said = root.querySelectorAll('p.empty').map((p) => p.text)
    expect(said).toEqual([
      EMPTY_SENTENCES.noStock,
      EMPTY_SENTENCES.noStockOuts,
      EMPTY_SENTENCES.noWaste,
      EMPTY_SENTENCES.noDiscrepancies,
    ])
  })

  it('empty customers, staffing and quality sections', () => {
    const customers = render(customersSection({ totals: null, segments: [], months: [] }).html)
    expect(customers.querySelectorAll('p.empty').map((p) => p.text)).toEqual([
      EMPTY_SENTENCES.noCustomers,
      EMPTY_SENTENCES.noCustomerMonths,
      EMPTY_SENTENCES.noDuplicates,
    ])
    const staffing = render(staffingSection({ hours: [], latestMonth: null, employees: [] }).html)
    expect(staffing.querySelectorAll('p.empty').map((p) => p.text)).toEqual([
      EMPTY_SENTENCES.noSales,
      EMPTY_SENTENCES.noEmployees,
    ])
    const quality = render(qualitySection(EMPTY_QUALITY, 'UTC').html)
    expect(quality.querySelectorAll('svg')).toHaveLength(0)
    expect(quality.querySelectorAll('p.empty').map((p) => p.text)).toEqual([
      EMPTY_SENTENCES.noAccounting,
      EMPTY_SENTENCES.noSteps,
      EMPTY_SENTENCES.noRuleResults,
      EMPTY_SENTENCES.noTrend,
      EMPTY_SENTENCES.noQuarantineBatches,
      EMPTY_SENTENCES.noFailedLoads,
    ])
  })

  it('a failed run leads with its error and where it stopped; nothing held back', () => {
    const data: HeadlineData = {
      run: {
        run_id: 'run-1',
        workflow_id: 'paccafe-pipeline-run-1',
        mode: 'full',
        status: 'failed',
        started_at: '2024-03-04T01:00:00+00:00',
        finished_at: '2024-03-04T01:01:00+00:00',
        error: 'Schema drift in source table public.customers: <column>',
      },
      month: null,
      totals: null,
      batch: null,
      failedSteps: [{ step: 'extract', table_name: 'customers', error: 'Schema drift' }],
      lastSteps: [{ step: 'extract', table_name: 'orders' }],
    }
    const root = render(headlineHeader(data, 'Asia/Jakarta').html)
    expect(root.querySelector('p.error')?.text).toBe(
      'This run failed: Schema drift in source table public.customers: <column>',
    )
    expect(root.querySelector('p.error + p.note')?.text).toBe('It stopped at: extract customers (Schema drift).')
    expect(root.querySelectorAll('p.empty').map((p) => p.text)).toContain(EMPTY_SENTENCES.nothingHeldBack)
  })
})

describe('the page', () => {
  it('loads nothing from elsewhere: no script, no link, no external URL', () => {
    const html = page({ title: HOSTILE, header: markup('<h1>x</h1>'), sections: [], footer: HOSTILE })
    const root = parse(html)
    expect(root.querySelectorAll('script, link, img, iframe')).toHaveLength(0)
    expect(html).not.toMatch(/(src|href)="?(https?:)?\/\//)
    expect(root.querySelector('title')?.text).toBe(HOSTILE)
  })
})
