// The run report: one self-contained HTML file of a run (inline CSS and SVG, no script, nothing
// loaded from elsewhere), built from the marts and meta tables as one snapshot.
import type { Sql } from '../db.ts'
import { formatTimestamp } from './format.ts'
import { page, type Section } from './html.ts'
import {
  existingMarts,
  readCustomers,
  readHeadline,
  readInventory,
  readQuality,
  readStaffing,
  SECTION_MARTS,
} from './queries.ts'
import {
  customersSection,
  headlineHeader,
  inventorySection,
  notBuilt,
  qualitySection,
  staffingSection,
} from './sections.ts'

export interface RunReportOptions {
  /** The cafe's time zone (PACCAFE_TIMEZONE): the report's times are shown in it. */
  timezone: string
  /** The run's workflow page in the Temporal Web UI (lib/temporal.ts' webUiRunUrl), linked from the headline. */
  webUiUrl?: string
  /** When the report says it was built (default: now). */
  generatedAt?: Date
}

export interface RunReport {
  /** The whole page: inline CSS and SVG, no external assets. */
  html: string
  /** The ids of the sections, in page order: `headline`, `quality`, `inventory`, `customers`, `staffing`. */
  sections: string[]
}

/**
 * Builds the report of `runId` from one read-only repeatable-read snapshot of the warehouse
 * (every section sees the same state), one query per section. Throws when the run is unknown.
 */
export async function buildRunReport(sql: Sql, runId: string, options: RunReportOptions): Promise<RunReport> {
  const data = await sql.begin('isolation level repeatable read read only', async (tx) => {
    const marts = await existingMarts(tx)
    const built = (section: keyof typeof SECTION_MARTS) => SECTION_MARTS[section].every((name) => marts.has(name))
    return {
      headline: await readHeadline(tx, runId, built('headline')),
      quality: await readQuality(tx, runId),
      inventory: built('inventory') ? await readInventory(tx) : undefined,
      customers: built('customers') ? await readCustomers(tx) : undefined,
      staffing: built('staffing') ? await readStaffing(tx) : undefined,
    }
  })
  const sections: Section[] = [
    { id: 'quality', title: 'Data quality', body: qualitySection(data.quality, options.timezone) },
    { id: 'inventory', title: 'Inventory', body: data.inventory ? inventorySection(data.inventory) : notBuilt() },
    { id: 'customers', title: 'Customers', body: data.customers ? customersSection(data.customers) : notBuilt() },
    { id: 'staffing', title: 'Staffing', body: data.staffing ? staffingSection(data.staffing) : notBuilt() },
  ]
  const generatedAt = options.generatedAt ?? new Date()
  const html = page({
    title: `Paccafe run report: ${runId}`,
    header: headlineHeader(data.headline, options.timezone, options.webUiUrl),
    sections,
    footer:
      `Built ${formatTimestamp(generatedAt, options.timezone)} from the marts and meta tables of the warehouse, ` +
      'read as one snapshot. Times are local to the cafe.',
  })
  return { html, sections: ['headline', ...sections.map((s) => s.id)] }
}
