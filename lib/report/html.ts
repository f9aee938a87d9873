// The page: its pieces (tables, figures, sentences, tiles) and the document around them. Every
// text value goes through escapeHtml here; only the charts' SVG (which ECharts encodes) and
// pieces these functions built are inserted as they are.
import { FONT_STACK } from './charts.ts'
import { escapeHtml } from './format.ts'

/** HTML built by this module's functions: safe to insert as it is. */
export interface Markup {
  readonly html: string
}

export function markup(html: string): Markup {
  return { html }
}

/** Concatenates pieces; plain strings are escaped. */
export function join(...parts: (Markup | string | undefined | false)[]): Markup {
  return markup(parts.map((part) => (!part ? '' : typeof part === 'string' ? escapeHtml(part) : part.html)).join(''))
}

export interface Column {
  label: string
  /** Right-aligned, for figures. */
  numeric?: boolean
}

export interface TableSpec {
  caption: string
  columns: Column[]
  /** One row per record, cells already formatted as text. */
  rows: string[][]
  /** data-table attribute, for tests and for people reading the source. */
  name?: string
}

export function table(spec: TableSpec): Markup {
  const head = spec.columns
    .map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`)
    .join('')
  const body = spec.rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td${spec.columns[i]?.numeric ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n')
  const name = spec.name ? ` data-table="${escapeHtml(spec.name)}"` : ''
  return markup(
    `<table${name}><caption>${escapeHtml(spec.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`,
  )
}

/** A chart with its numbers beside it, in a details element (for people and screen readers). */
export function figure(spec: { name: string; caption: string; svg: string; numbers: TableSpec }): Markup {
  return markup(
    `<figure class="chart" data-chart="${escapeHtml(spec.name)}">` +
      `<figcaption>${escapeHtml(spec.caption)}</figcaption>` +
      `<div class="chart-body"><div class="svg" role="img" aria-label="${escapeHtml(spec.caption)}">${spec.svg}</div>` +
      `<details><summary>The numbers</summary>${table({ ...spec.numbers, name: spec.numbers.name ?? spec.name }).html}</details></div>` +
      `</figure>`,
  )
}

/** A table the reader opens when they want it. */
export function detailsTable(summary: string, spec: TableSpec): Markup {
  return markup(`<details class="list"><summary>${escapeHtml(summary)}</summary>${table(spec).html}</details>`)
}

/** A plain sentence in place of an empty chart or table. */
export function sentence(text: string, kind: 'empty' | 'note' = 'empty'): Markup {
  return markup(`<p class="${kind}">${escapeHtml(text)}</p>`)
}

export function heading(level: 2 | 3, text: string): Markup {
  return markup(`<h${level}>${escapeHtml(text)}</h${level}>`)
}

export interface Tile {
  /** data-figure attribute: revenue, orders, new-customers, held-back, stock-outs. */
  name: string
  label: string
  value: string
  note?: string
}

export function tiles(items: Tile[]): Markup {
  return markup(
    `<dl class="tiles">${items
      .map(
        (t) =>
          `<div class="tile" data-figure="${escapeHtml(t.name)}"><dt>${escapeHtml(t.label)}</dt>` +
          `<dd class="value">${escapeHtml(t.value)}</dd>${t.note ? `<dd class="note">${escapeHtml(t.note)}</dd>` : ''}</div>`,
      )
      .join('')}</dl>`,
  )
}

export interface Section {
  id: string
  title: string
  body: Markup
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d8dde5; --accent: #2f6db5; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT_STACK}; color: var(--ink); background: #fff; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
header.report { padding-bottom: 4px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 0 0 12px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 24px 0 8px; }
p.meta { color: var(--muted); margin: 0; }
p.error { border-left: 4px solid var(--bad); background: #fbeeee; padding: 10px 14px; margin: 12px 0; font-weight: 600; }
p.empty { color: var(--muted); font-style: italic; margin: 8px 0; }
p.note { color: var(--muted); margin: 6px 0; }
nav ul { list-style: none; padding: 0; margin: 10px 0 0; display: flex; gap: 18px; flex-wrap: wrap; }
a { color: var(--accent); }
section { margin-top: 28px; }
dl.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 16px 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile dt { color: var(--muted); font-size: 0.85rem; }
.tile dd { margin: 0; }
.tile dd.value { font-size: 1.7rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile dd.note { color: var(--muted); font-size: 0.85rem; }
figure.chart { margin: 16px 0 24px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.chart-body { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 16px; align-items: start; }
@media (max-width: 900px) { .chart-body { grid-template-columns: 1fr; } }
.svg svg { max-width: 100%; height: auto; display: block; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; max-height: 640px; overflow: auto; }
details.list { margin: 8px 0 16px; }
summary { cursor: pointer; color: var(--accent); }
table { border-collapse: collapse; font-size: 0.88rem; margin: 8px 0; width: 100%; }
caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
`

export interface PageSpec {
  title: string
  /** The header: title line, run line, error, tiles. */
  header: Markup
  sections: Section[]
  footer: string
}

/** The whole document: inline CSS, no script, nothing loaded from elsewhere. */
export function page(spec: PageSpec): string {
  const nav = spec.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join('')
  const sections = spec.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}" aria-labelledby="${escapeHtml(s.id)}-title">` +
        `<h2 id="${escapeHtml(s.id)}-title">${escapeHtml(s.title)}</h2>\n${s.body.html}\n</section>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(spec.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="report" id="headline">
${spec.header.html}
<nav aria-label="Sections"><ul>${nav}</ul></nav>
</header>
${sections}
<footer>${escapeHtml(spec.footer)}</footer>
</main>
</body>
</html>
`
}
