// Chart options to inline SVG, rendered when the report is built by Apache ECharts' server-side
// renderer: no browser, no script in the page, nothing to load when it is opened.
import { createHash } from 'node:crypto'
import * as echarts from 'echarts'

/** The system font stack of the page, also used for the charts' text. */
export const FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif'

export interface ChartSize {
  width: number
  height: number
}

const DEFAULT_SIZE: ChartSize = { width: 640, height: 320 }

/** One chart as an SVG string. ECharts encodes the text it draws (axis labels, legends). */
export function renderChart(option: echarts.EChartsOption, size: Partial<ChartSize> = {}): string {
  const { width, height } = { ...DEFAULT_SIZE, ...size }
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT_STACK }, ...option })
    return stableIds(chart.renderToSVGString())
  } finally {
    chart.dispose()
  }
}

/**
 * ECharts numbers its renderers and style classes across the process (`zr14-cls-289`), so a
 * second build in one worker would differ from the first: the ids are named from each chart's
 * own picture instead, so that a retried build uploads the same bytes. Two charts share names
 * only when they are the same picture.
 */
function stableIds(svg: string): string {
  const mark = '\u0000'
  const names = new Map<string, string>()
  // One chart is drawn by one renderer: every `zr<n>-` id or class in its SVG is that renderer's
  // (in attributes, references and the style sheet; drawn text is escaped, never after a quote).
  const local = svg
    .replace(/(?<=[="#(. ])zr\d+-/g, `${mark}-`)
    .replace(new RegExp(`${mark}-([A-Za-z-]*?)(\\d+)`, 'g'), (token: string, kind: string) => {
      // Every numbered id or class (cls-, clip paths, gradients...) in order of first use.
      if (!names.has(token)) names.set(token, `${mark}-${kind}${names.size}`)
      return names.get(token) as string
    })
  const prefix = createHash('sha256').update(local).digest('hex').slice(0, 8)
  return local.replaceAll(mark, `zr${prefix}`)
}

export interface Series {
  name: string
  /** One value per category, null where the mart has none. */
  values: (number | null)[]
}

export interface BarChart {
  categories: string[]
  series: Series[]
  /** Stack the series in one bar per category (default: side by side). */
  stacked?: boolean
  /** Bars drawn across, categories down the side: for long names (products, rules). */
  horizontal?: boolean
  /** The value axis' name (units, dollars). */
  valueName?: string
}

function legendOf(series: Series[]) {
  return series.length > 1 ? { top: 0, type: 'scroll' as const, itemGap: 24 } : undefined
}

export function barChart(spec: BarChart, size: Partial<ChartSize> = {}): string {
  const categoryAxis = {
    type: 'category' as const,
    data: spec.categories,
    axisLabel: spec.horizontal ? { width: 220, overflow: 'truncate' as const } : { hideOverlap: true },
    inverse: spec.horizontal ?? false,
  }
  const valueAxis = { type: 'value' as const, name: spec.valueName }
  const height = size.height ?? (spec.horizontal ? Math.max(160, 60 + spec.categories.length * 24) : undefined)
  return renderChart(
    {
      legend: legendOf(spec.series),
      // containLabel: long product and rule names stay inside the picture.
      grid: { left: 40, right: 60, top: spec.series.length > 1 ? 40 : 30, bottom: 10, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map((s) => ({
        type: 'bar' as const,
        name: s.name,
        data: s.values,
        ...(spec.stacked ? { stack: 'total' } : {}),
      })),
    },
    { ...size, ...(height ? { height } : {}) },
  )
}

export interface LineChart {
  categories: string[]
  series: Series[]
  valueName?: string
  /** Right-hand axis for the series named here (a share next to counts). */
  secondAxis?: { series: string; name: string; percent?: boolean }
}

export function lineChart(spec: LineChart, size: Partial<ChartSize> = {}): string {
  const second = spec.secondAxis
  return renderChart(
    {
      legend: spec.series.length > 1 ? { bottom: 0, type: 'scroll', itemGap: 24 } : undefined,
      grid: { left: 40, right: 40, top: 30, bottom: spec.series.length > 1 ? 40 : 10, containLabel: true },
      xAxis: { type: 'category', data: spec.categories, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: 'value', name: spec.valueName },
        ...(second
          ? [
              {
                type: 'value' as const,
                name: second.name,
                ...(second.percent ? { min: 0, max: 1, axisLabel: { formatter: (v: number) => `${v * 100}%` } } : {}),
              },
            ]
          : []),
      ],
      series: spec.series.map((s) => ({
        type: 'line' as const,
        name: s.name,
        data: s.values,
        connectNulls: false,
        yAxisIndex: second && s.name === second.series ? 1 : 0,
      })),
    },
    size,
  )
}

export interface Heatmap {
  /** Across: the hours. */
  columns: string[]
  /** Down: the weekdays. */
  rows: string[]
  /** [column index, row index, value] per cell with a value. */
  cells: [number, number, number][]
  valueName: string
  /** The colour scale's top: the same for every branch, so their maps compare. */
  max: number
}

export function heatmap(spec: Heatmap, size: Partial<ChartSize> = {}): string {
  return renderChart(
    {
      grid: { left: 90, right: 30, top: 10, bottom: 80 },
      xAxis: { type: 'category', data: spec.columns, splitArea: { show: true } },
      yAxis: { type: 'category', data: spec.rows, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(spec.max, 1),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        text: [spec.valueName, '0'],
        inRange: { color: ['#f3f6fa', '#2f6db5'] },
      },
      series: [{ type: 'heatmap', name: spec.valueName, data: spec.cells, label: { show: false } }],
    },
    { height: 60 + 90 + spec.rows.length * 28, ...size },
  )
}
