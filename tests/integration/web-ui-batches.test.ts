// Reprocessing from the Temporal Web UI, in a real browser (Debian's chromium,
// tests/support/browser.ts) on the real services: the fixture's first run holds rows back and
// its quarantine batch workflow shows as Running in the workflow list, its page shows the memo
// (counts and file locations, in the Memo tab); a corrected CSV uploaded under the batch's
// corrected/ prefix and a `reprocess` signal sent from the page's Send a Signal form publish the
// corrected rows, resolve their violations as the signal's requestedBy, and the batch's history
// shows the reprocessRun child. The page after the signal is the README's docs/images/web-ui-quarantine-batch.png
// (PACCAFE_UPDATE_SCREENSHOTS=1 rewrites it).
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { batchWorkflowId } from '../../client/batches.ts'
import type { BatchState, ReprocessOutcome } from '../../lib/contract.ts'
import { readText } from '../../lib/object-store.ts'
import { projectRoot } from '../../lib/paths.ts'
import { batchFileKey, correctedPrefix } from '../../lib/quality/batch-files.ts'
import { statusQuery } from '../../workflows/messages.ts'
import {
  eventually,
  openWorkflow,
  openWorkflowList,
  sendSignalFromWebUi,
  testPages,
  workflowListRow,
  workflowListShows,
} from '../support/browser.ts'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

/** The README's screenshot of a batch after a reprocess (committed), rewritten only with PACCAFE_UPDATE_SCREENSHOTS=1. */
const README_SCREENSHOT = path.join(projectRoot, 'docs', 'images', 'web-ui-quarantine-batch.png')
/** How long the signalled reprocess may take to publish and be reported. */
const REPROCESS_TIMEOUT_MS = 90_000

let h: Harness
let batchId: string
let workflowId: string
let namespace: string

const pages = testPages()
const testPage = (context: TestContext) => pages.page(context)

const line = (id: number) =>
  h.warehouse<{ nk_order_id: number; quantity: number; subtotal: string }[]>`
    select nk_order_id, quantity, subtotal::text from warehouse.fct_order_lines where nk_order_detail_id = ${id}`

/** The batch's own CSV of a table with cells changed, as a person corrects it in a spreadsheet. */
async function correctedFile(table: string, changes: Record<string, Record<string, string>>): Promise<string> {
  const [header = [], ...rows] = parse(await readText(h.store, batchFileKey(batchId, table)), {
    bom: true,
  }) as string[][]
  const key = header.indexOf('natural_key')
  // The batch holds exactly the rows to correct.
  expect(rows.map((row) => row[key]).sort()).toEqual(Object.keys(changes).sort())
  return stringify([
    header,
    ...rows.map((row) => header.map((column, i) => changes[row[key] ?? '']?.[column] ?? row[i])),
  ])
}

const batchStatus = () => h.client.workflow.getHandle(workflowId).query(statusQuery)

beforeAll(async () => {
  const fixture = await fixtureWarehouse()
  h = fixture.h
  batchId = fixture.firstRunId
  workflowId = batchWorkflowId(batchId)
  namespace = h.config.temporal.namespace
}, 600_000)

afterAll(async () => {
  await pages.close()
  // A batch left open by a failing test would wait on the dev server for ever.
  await h?.client.workflow
    .getHandle(workflowId)
    .terminate('test over')
    .catch(() => undefined)
  await h?.close()
})

describe('a quarantine batch in the Web UI', () => {
  it('is listed as a Running quarantineBatch, and its page shows its memo', async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    await openWorkflowList(page, namespace)
    expect(await workflowListShows(page, workflowId)).toBe(true)
    const row = workflowListRow(page, workflowId)
    expect(await row.getByRole('cell', { name: 'Running', exact: true }).count()).toBe(1)
    expect(await row.getByRole('cell', { name: 'quarantineBatch', exact: true }).count()).toBe(1)
    await screenshot('workflow-list')

    const description = await h.client.workflow.getHandle(workflowId).describe()
    const shown = await openWorkflow(page, namespace, workflowId)
    expect(shown).toEqual({ runId: description.runId, workers: 1 })
    await screenshot('workflow-page')

    // Web UI 2.42 shows the memo in the page's Memo tab (not in User Metadata, which holds the
    // summary and details), as a read-only JSON editor of the memo's fields.
    await page.getByRole('tab', { name: 'Memo', exact: true }).click()
    await page.getByRole('heading', { name: 'Memo', exact: true }).waitFor()
    const editor = page.getByRole('textbox').filter({ hasText: '"fields"' })
    await editor.waitFor()
    const memo = description.memo as { rowsOpen: number; tables: Record<string, { rowsOpen: number; file: string }> }
    expect(memo.tables.order_details).toMatchObject({ rowsOpen: 2, file: batchFileKey(batchId, 'order_details') })
    expect(memo).toMatchObject({ correctedFilesGoTo: correctedPrefix(batchId) })
    // CodeMirror keeps each line in an element of its own: the editor's text is the JSON, lines joined.
    expect(JSON.parse((await editor.textContent()) ?? '')).toEqual({ fields: memo })
    await screenshot('memo')
    expect(consoleErrors).toEqual([])
  })

  it('a reprocess signal sent from the Send a Signal form publishes the corrected rows', async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    const text = await correctedFile('order_details', {
      '1005': { order_id: '104' },
      '1007': { quantity: '1', subtotal: '3.00' },
    })
    const key = `${correctedPrefix(batchId)}order_details.csv`
    await h.store.client.putObject(h.store.bucket, key, Buffer.from(text), Buffer.byteLength(text))

    await sendSignalFromWebUi(
      page,
      namespace,
      workflowId,
      'reprocess',
      { file: 'order_details.csv', requestedBy: 'web-ui' },
      { screenshot },
    )
    await screenshot('signalled')

    // The signal has no caller to answer: what it did shows in the warehouse and the batch's status.
    const published = await eventually(
      async () =>
        `lines 1005 and 1007 not published as corrected; the batch's status: ${JSON.stringify(await batchStatus())}`,
      async () => {
        const lines = [await line(1005), await line(1007)]
        return lines.every((found) => found.length === 1) ? lines : undefined
      },
      REPROCESS_TIMEOUT_MS,
    )
    expect(published).toEqual([
      [{ nk_order_id: 104, quantity: 1, subtotal: '3.00' }],
      [{ nk_order_id: 102, quantity: 1, subtotal: '3.00' }],
    ])
    const state: BatchState = await eventually(
      async () => `the batch's status shows no outcome: ${JSON.stringify(await batchStatus())}`,
      async () => {
        const status = await batchStatus()
        return status.requestsHandled > 0 || status.lastError ? status : undefined
      },
      REPROCESS_TIMEOUT_MS,
    )
    expect(state.lastError).toBeUndefined()
    expect(state.requestsHandled).toBe(1)
    const outcome = state.lastOutcome as ReprocessOutcome
    expect(outcome).toMatchObject({ rowsSubmitted: 2, rowsPublished: 2, rowsStillRejected: 0 })
    const violations = await h.warehouse<{ natural_key: string; status: string; resolved_by: string | null }[]>`
      select natural_key, status, resolved_by from dq.violations
      where table_name = 'order_details' and natural_key in ('1005', '1007') order by natural_key, violation_id`
    expect(violations.length).toBeGreaterThanOrEqual(2)
    expect(violations.every((v) => v.status === 'reprocessed' && v.resolved_by === 'web-ui')).toBe(true)
    expect([...new Set(violations.map((v) => v.natural_key))]).toEqual(['1005', '1007'])

    // The batch's page after the signal: its history shows the reprocessRun child, by its summary.
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory()
    const children = (history.events ?? []).flatMap((event) => {
      const started = event.startChildWorkflowExecutionInitiatedEventAttributes
      return started ? [{ type: started.workflowType?.name, id: started.workflowId }] : []
    })
    expect(children).toEqual([{ type: 'reprocessRun', id: `paccafe-reprocess-${outcome.runId}` }])
    await page.setViewportSize({ width: 1280, height: 800 })
    await openWorkflow(page, namespace, workflowId)
    await page.getByText(`Reprocess of quarantine batch ${batchId}: 2 rows`, { exact: true }).first().waitFor()
    await screenshot('after-signal')
    if (process.env.PACCAFE_UPDATE_SCREENSHOTS === '1') {
      await mkdir(path.dirname(README_SCREENSHOT), { recursive: true })
      await page.screenshot({ path: README_SCREENSHOT })
    }
    expect(consoleErrors).toEqual([])
  })
})
