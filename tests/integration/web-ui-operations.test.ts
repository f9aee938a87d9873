// Operating the pipeline from the Temporal Web UI, in a real browser (Debian's chromium,
// tests/support/browser.ts) on the real services: a run started from the Start Workflow form
// with only {"mode": "full"} completes with its rows balanced; the run's timeline names the
// model, table or sheet of each activity (activity summaries), and its page shows the run's memo
// and search attributes; the Schedules page lists the pipeline's schedules, and a trigger from a
// schedule's page starts a scheduled run that completes. The schedules are the test's own (their
// ids carry its task queue) and are deleted at the end. Screenshots:
// .data/test-artifacts/<test name>/; the README's docs/images/web-ui-timeline.png and
// web-ui-schedules.png are rewritten only with PACCAFE_UPDATE_SCREENSHOTS=1.
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { WorkflowExecutionDescription } from '@temporalio/client'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { deleteSchedule, initSchedules } from '../../client/schedules.ts'
import type { PipelineRunResult } from '../../lib/contract.ts'
import { runIdFrom } from '../../lib/input-checks.ts'
import { projectRoot } from '../../lib/paths.ts'
import { defaultDeclarations, scheduledWorkflowIdFor, scheduleIdFor } from '../../lib/schedules.ts'
import {
  eventually,
  openSchedules,
  openWorkflow,
  scheduleListRow,
  scheduleListShows,
  startWorkflowFromWebUi,
  testPages,
  triggerScheduleFromWebUi,
} from '../support/browser.ts'
import { createHarness, type Harness } from '../support/harness.ts'

/** The README's screenshots (committed), rewritten only with PACCAFE_UPDATE_SCREENSHOTS=1. */
const TIMELINE_SCREENSHOT = path.join(projectRoot, 'docs', 'images', 'web-ui-timeline.png')
const SCHEDULES_SCREENSHOT = path.join(projectRoot, 'docs', 'images', 'web-ui-schedules.png')
const updateScreenshots = process.env.PACCAFE_UPDATE_SCREENSHOTS === '1'
/** A run at this scale on a busy machine. */
const RUN_MS = 180_000
/** The scheduler taking the triggered action, and visibility listing its run. */
const SCHEDULER_MS = 60_000
const TEST_MS = RUN_MS + 120_000

let h: Harness
let namespace: string
let queue: string
/** The run started from the Start Workflow form (the timeline test opens its page). */
const formRun = { workflowId: `paccafe-pipeline-run-webui-${randomBytes(4).toString('hex')}` }
let formResult: PipelineRunResult | undefined
let schedulesCreated = false

const pages = testPages()
const testPage = (context: TestContext) => pages.page(context)

/** The run's row in etl.runs and its row accounting, as the warehouse recorded them. */
async function recorded(runId: string) {
  const runs = await h.warehouse<{ workflow_id: string; mode: string; status: string; error: string | null }[]>`
    select workflow_id, mode, status, error from etl.runs where run_id = ${runId}`
  const accounting = await h.warehouse<
    { table_name: string; rows_extracted: number; rows_published: number; rows_rejected: number; difference: number }[]
  >`
    select table_name, rows_extracted, rows_published, rows_rejected, difference
    from etl.row_accounting where run_id = ${runId} order by table_name`
  return { runs, accounting }
}

/** Every table of the run is accounted for, and each balances: extracted = published + rejected. */
function expectBalanced(accounting: Awaited<ReturnType<typeof recorded>>['accounting'], result: PipelineRunResult) {
  expect(accounting.length).toBeGreaterThan(0)
  expect(accounting.map((row) => row.table_name).sort()).toEqual(result.accounting.map((row) => row.tableName).sort())
  for (const row of accounting) {
    expect(row, row.table_name).toMatchObject({ difference: 0 })
    expect(row.rows_extracted, row.table_name).toBe(row.rows_published + row.rows_rejected)
  }
}

/** `<activity type> • <summary>`, as the timeline names each activity that carries a summary, in the order scheduled. */
async function timelineLabels(workflowId: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory()
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes
    const data = event.userMetadata?.summary?.data
    if (!scheduled || !data) return []
    return [`${scheduled.activityType?.name} • ${JSON.parse(Buffer.from(data).toString('utf8'))}`]
  })
}

/** The JSON of a tab's read-only editor (CodeMirror keeps each line in an element of its own: its text is the lines joined). */
async function tabJson(page: Page, tab: string, marker: string): Promise<unknown> {
  await page.getByRole('tab', { name: tab, exact: true }).click()
  await page.getByRole('heading', { name: tab, exact: true }).waitFor()
  const editor = page.getByRole('textbox').filter({ hasText: marker })
  await editor.waitFor()
  return JSON.parse((await editor.textContent()) ?? '')
}

beforeAll(async () => {
  h = await createHarness({ scale: 0.05 })
  namespace = h.config.temporal.namespace
  queue = h.config.temporal.taskQueue
}, 600_000)

afterAll(async () => {
  await pages.close()
  // The schedules would fire every hour on the shared dev server.
  if (schedulesCreated && h) {
    for (const { name } of defaultDeclarations())
      await deleteSchedule(h.client, h.config, name).catch((error: Error) =>
        console.error(`schedule ${name} not deleted: ${error.message}`),
      )
  }
  await h?.close()
}, 120_000)

describe('operating the pipeline from the Web UI', () => {
  it(
    'a run started from the Start Workflow form with only {"mode": "full"} completes, its rows balanced',
    async (context) => {
      const { page, consoleErrors, screenshot } = await testPage(context)
      const started = await startWorkflowFromWebUi(
        page,
        namespace,
        { workflowId: formRun.workflowId, taskQueue: queue, workflowType: 'pipelineRun', input: { mode: 'full' } },
        { screenshot },
      )
      await screenshot('started')
      // The harness's in-process worker polls the queue.
      expect(started.workers).toBeGreaterThanOrEqual(1)

      const handle = h.client.workflow.getHandle(formRun.workflowId)
      const result = await handle.result()
      formResult = result
      const description = await handle.describe()
      expect({ runId: description.runId, type: description.type, taskQueue: description.taskQueue }).toEqual({
        runId: started.runId,
        type: 'pipelineRun',
        taskQueue: queue,
      })
      // The run id comes from the workflow id: paccafe-pipeline-run-webui-<hex> runs run-webui-<hex>.
      const runId = runIdFrom(formRun.workflowId, undefined)
      expect(runId).toBe(formRun.workflowId.replace(/^paccafe-pipeline-/, ''))
      expect(result.runId).toBe(runId)

      const { runs, accounting } = await recorded(runId)
      expect(runs).toEqual([{ workflow_id: formRun.workflowId, mode: 'full', status: 'succeeded', error: null }])
      expectBalanced(accounting, result)
      expect(consoleErrors).toEqual([])
    },
    TEST_MS,
  )

  it(
    "the run's timeline names each activity's model, table or sheet, and its page shows the memo and search attributes",
    async (context) => {
      const { page, consoleErrors, screenshot } = await testPage(context)
      if (!formResult)
        throw new Error(`No run to look at: the Start Workflow test did not complete ${formRun.workflowId}`)
      const handle = h.client.workflow.getHandle(formRun.workflowId)
      const description: WorkflowExecutionDescription = await handle.describe()
      const shown = await openWorkflow(page, namespace, formRun.workflowId)
      expect(shown.runId).toBe(description.runId)

      // Web UI 2.42's timeline (above the event history) names each activity `<type> • <summary>`.
      const labels = await timelineLabels(formRun.workflowId)
      expect(labels).toEqual(
        expect.arrayContaining([
          'extractPosTable • extract orders',
          'ingestSheet • sheet stock_count',
          'runModel • clean.orders',
          'validateTable • validate orders',
          'runModel • warehouse.fct_order_lines',
          'runModel • marts.customer_rfm',
        ]),
      )
      const fctOrderLines = page.getByRole('button', { name: 'runModel • warehouse.fct_order_lines', exact: true })
      await fctOrderLines.waitFor()
      const missing: string[] = []
      for (const label of labels) {
        if ((await page.getByRole('button', { name: label, exact: true }).count()) !== 1) missing.push(label)
      }
      expect(missing, 'activities the timeline does not name by their summary').toEqual([])
      await screenshot('workflow-page')

      // The whole story in one picture: the timeline expanded to full height, oldest first. The
      // page scrolls in a container of its own (a full-page screenshot is the viewport), so the
      // viewport is made as tall as the page's header and the timeline, and the picture clipped to them.
      await page.setViewportSize({ width: 1280, height: 2400 })
      await page.getByRole('button', { name: 'Minimized', exact: true }).click()
      await page.getByRole('button', { name: 'Expanded', exact: true }).waitFor()
      await page.getByRole('button', { name: 'Descending', exact: true }).click()
      await page.getByRole('button', { name: 'Ascending', exact: true }).waitFor()
      const timeline = fctOrderLines.locator('xpath=ancestor::*[local-name()="svg"][1]')
      const bottom = await timeline.evaluate((svg) => Math.ceil(svg.getBoundingClientRect().bottom))
      if (bottom + 16 > 2400) await page.setViewportSize({ width: 1280, height: bottom + 16 })
      const clip = { x: 0, y: 0, width: 1280, height: bottom + 16 }
      await page.screenshot({ path: await screenshot('timeline'), clip })
      // The README's: the Event History from its heading down to warehouse.fct_order_lines
      // (extractions, sheets, clean models, validations, the first warehouse models).
      const top = await page
        .getByRole('heading', { name: 'Event History', exact: true })
        .evaluate((heading) => Math.floor(heading.getBoundingClientRect().top))
      const last = await fctOrderLines.evaluate((row) => Math.ceil(row.getBoundingClientRect().bottom))
      const models = { x: 0, y: Math.max(0, top - 6), width: 1280, height: last + 24 - Math.max(0, top - 6) }
      await page.screenshot({ path: await screenshot('timeline-models'), clip: models })
      if (updateScreenshots) {
        await mkdir(path.dirname(TIMELINE_SCREENSHOT), { recursive: true })
        await page.screenshot({ path: TIMELINE_SCREENSHOT, clip: models })
      }
      await page.setViewportSize({ width: 1440, height: 900 })

      // The User Metadata tab lists the events with metadata: each activity by its summary.
      await page.getByRole('tab', { name: 'User Metadata', exact: true }).click()
      await page.getByRole('heading', { name: 'Events with Metadata', exact: true }).waitFor()
      await page.getByRole('main').getByText('warehouse.fct_order_lines', { exact: true }).waitFor()
      await screenshot('user-metadata')

      // The memo (its own tab, a read-only JSON editor): the outcome and the run's counts.
      const memo = description.memo as Record<string, unknown>
      const sum = (pick: (row: PipelineRunResult['accounting'][number]) => number) =>
        formResult?.accounting.reduce((total, row) => total + pick(row), 0)
      expect(memo).toMatchObject({
        outcome: 'succeeded',
        rowsExtracted: sum((row) => row.rowsExtracted),
        rowsPublished: sum((row) => row.rowsPublished),
        rowsRejected: sum((row) => row.rowsRejected),
      })
      // null when the run held nothing back (the memo may then drop the key).
      expect(memo.quarantineBatch ?? null).toBe(formResult.quarantineBatch ?? null)
      expect(await tabJson(page, 'Memo', '"fields"')).toEqual({ fields: memo })
      await screenshot('memo')

      // The search attributes (their own tab): the run's mode, outcome and whether it quarantined rows.
      const attributes = (await tabJson(page, 'Search Attributes', '"indexedFields"')) as {
        indexedFields: Record<string, unknown>
      }
      expect(attributes.indexedFields).toMatchObject({
        PaccafeMode: 'full',
        PaccafeOutcome: 'succeeded',
        PaccafeQuarantined: formResult.quarantineBatch !== undefined,
      })
      await screenshot('search-attributes')
      expect(consoleErrors).toEqual([])
    },
    TEST_MS,
  )

  it(
    "the Schedules page lists the pipeline's schedules, and a trigger from a schedule's page starts a run",
    async (context) => {
      const { page, consoleErrors, screenshot } = await testPage(context)
      const outcomes = await initSchedules(h.client, h.config)
      schedulesCreated = true
      const names = defaultDeclarations().map(({ name }) => name)
      const ids = names.map((name) => scheduleIdFor(name, queue))
      expect(outcomes).toEqual(names.map((name, i) => ({ name, scheduleId: ids[i], outcome: 'created' })))

      await openSchedules(page, namespace)
      for (const id of ids) {
        expect(await scheduleListShows(page, id, 30_000), `${id} on the Schedules page`).toBe(true)
        const row = scheduleListRow(page, id)
        expect(await row.getByRole('cell', { name: 'pipelineRun', exact: true }).count()).toBe(1)
        expect(await row.getByRole('cell', { name: 'Running', exact: true }).count()).toBe(1)
      }
      await screenshot('schedules')

      const hourly = scheduleIdFor('hourly-incremental', queue)
      const schedule = h.client.schedule.getHandle(hourly)
      const before = (await schedule.describe()).info.recentActions.length
      await triggerScheduleFromWebUi(page, namespace, hourly, { screenshot })
      await screenshot('triggered')

      // The server takes the action: a scheduled run of the hourly schedule's own.
      const action = await eventually(
        async () => `no action of ${hourly} after the trigger: ${JSON.stringify((await schedule.describe()).info)}`,
        async () => {
          const actions = (await schedule.describe()).info.recentActions
          return actions.length > before ? actions[actions.length - 1] : undefined
        },
        SCHEDULER_MS,
      )
      const workflowId = action.action.workflow.workflowId
      expect(workflowId.startsWith(`${scheduledWorkflowIdFor('hourly-incremental', queue)}-`)).toBe(true)
      expect(workflowId.startsWith('paccafe-pipeline-scheduled-')).toBe(true)
      // And the run is listed as an ordinary pipelineRun on the test's task queue.
      await eventually(
        async () => `${workflowId} not listed on ${queue}`,
        async () => {
          for await (const workflow of h.client.workflow.list({
            query: `TaskQueue = "${queue}" AND WorkflowType = "pipelineRun"`,
          }))
            if (workflow.workflowId === workflowId) return true
          return undefined
        },
        SCHEDULER_MS,
      )
      const result: PipelineRunResult = await h.client.workflow.getHandle(workflowId).result()
      const { runs, accounting } = await recorded(result.runId)
      expect(runs).toEqual([{ workflow_id: workflowId, mode: 'incremental', status: 'succeeded', error: null }])
      expectBalanced(accounting, result)

      // The schedule's page shows the run among its recent runs (a link to it).
      const recent = page.locator(`a[href*="/workflows/${encodeURIComponent(workflowId)}/"]`)
      await eventually(
        async () => `the page of ${hourly} shows no link to ${workflowId}`,
        async () => {
          await page.reload()
          await page.getByRole('heading', { name: 'Recent Runs', exact: true }).waitFor()
          return (await recent.count()) > 0 ? true : undefined
        },
        30_000,
      )
      await screenshot('recent-run')

      // The Schedules page, filtered to the test's own schedules, for the README.
      await openSchedules(page, namespace, ids.map((id) => `ScheduleId = "${id}"`).join(' OR '))
      for (const id of ids) expect(await scheduleListShows(page, id, 30_000), `${id} when filtered`).toBe(true)
      await screenshot('schedules-filtered')
      if (updateScreenshots) {
        await mkdir(path.dirname(SCHEDULES_SCREENSHOT), { recursive: true })
        await page.screenshot({ path: SCHEDULES_SCREENSHOT })
      }
      expect(consoleErrors).toEqual([])
    },
    TEST_MS,
  )
})
