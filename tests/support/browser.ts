// Real-browser tests of the Temporal Web UI: Debian's chromium (/usr/bin/chromium, installed by
// .ci/run) driven by playwright-core, which never downloads a browser of its own. Helpers for
// the Web UI 2.42.1 pages the tests use: the workflow list, a workflow's page and its Send a
// Signal form, the Start Workflow form, the Schedules page and a schedule's Trigger. Locators
// are roles, labels and visible text, found in the UI's real DOM; the few exceptions say why.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { type Browser, chromium, type Locator, type Page, type Request } from 'playwright-core'
import type { TestContext } from 'vitest'
import { loadConfig, loadDotEnv } from '../../lib/config.ts'
import { projectRoot } from '../../lib/paths.ts'

/** Debian's chromium package; a test fails, never skips, when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Screenshots of the browser tests: `<this>/<test name>/<step>.png` (.data/ is git-ignored). */
export const TEST_ARTIFACTS_DIR = path.join(projectRoot, '.data', 'test-artifacts')

/** How long a Web UI page, a list row or the signal's confirmation may take to show. */
const UI_TIMEOUT_MS = 20_000

/** Throws one line when Debian's chromium is not installed. */
export function assertChromiumInstalled(executablePath = CHROMIUM_PATH): void {
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium is missing at ${executablePath}: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`,
    )
}

/** Launches Debian's chromium headless. */
export async function launchChromium(): Promise<Browser> {
  assertChromiumInstalled()
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root (CI, the dev machines) chromium refuses to start with its sandbox; the browser
    // only ever opens the local Web UI. /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
}

/** A page of a test: what the Web UI logged as errors, and screenshots kept as test artifacts. */
export interface TestPage {
  page: Page
  /** Console errors and uncaught exceptions of the page, in order. */
  consoleErrors: string[]
  /** Writes `<TEST_ARTIFACTS_DIR>/<test name>/<step>.png` (the whole page) and returns its path. */
  screenshot(step: string): Promise<string>
}

/** A file or folder name from free text: `sends a signal` → `sends-a-signal`. */
function fileName(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 100) || 'unnamed'
  )
}

/** A new page (its own context: no cookies or storage shared between tests) recording console errors. */
export async function newTestPage(browser: Browser, testName: string): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(UI_TIMEOUT_MS)
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console.error: ${message.text()}`)
  })
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`))
  const folder = path.join(TEST_ARTIFACTS_DIR, fileName(testName))
  return {
    page,
    consoleErrors,
    async screenshot(step) {
      await mkdir(folder, { recursive: true })
      const file = path.join(folder, `${fileName(step)}.png`)
      await page.screenshot({ path: file, fullPage: true })
      return file
    },
  }
}

let baseUrl: string | undefined

/** The Web UI's base URL, from the project's configuration (PACCAFE_TEMPORAL_UI_URL). */
export function webUiUrl(): string {
  if (!baseUrl) {
    loadDotEnv()
    baseUrl = loadConfig().temporal.uiUrl
  }
  return baseUrl
}

let webUiAnswered = false

/**
 * Waits until the Web UI answers over HTTP: the services start the dev server once its gRPC
 * port is open, and its Web UI may come up a moment later.
 */
export async function waitForWebUi(timeoutMs = 30_000): Promise<void> {
  if (webUiAnswered) return
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(webUiUrl(), { signal: AbortSignal.timeout(2_000) })
      if (response.ok) {
        webUiAnswered = true
        return
      }
      last = `HTTP ${response.status}`
    } catch (error) {
      last = (error as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`The Temporal Web UI does not answer at ${webUiUrl()} (${last}): check PACCAFE_TEMPORAL_UI_URL`)
}

const listUrl = (namespace: string, query?: string) =>
  `${webUiUrl()}/namespaces/${encodeURIComponent(namespace)}/workflows${query ? `?query=${encodeURIComponent(query)}` : ''}`

/** The list's table, named "Workflows" (a <table> with that caption). */
const workflowsTable = (page: Page) => page.getByRole('table', { name: 'Workflows' })

/** Opens the namespace's workflow list (optionally filtered by a visibility query) and waits for its table. */
export async function openWorkflowList(page: Page, namespace: string, query?: string): Promise<void> {
  await waitForWebUi()
  await page.goto(listUrl(namespace, query))
  await workflowsTable(page).waitFor()
}

/** The row of the workflow list that links to the workflow (its Workflow ID cell is a link named by the id). */
export function workflowListRow(page: Page, workflowId: string): Locator {
  return workflowsTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: workflowId, exact: true }) })
}

/**
 * Whether the open workflow list shows the workflow, filtered by its id (`WorkflowId="..."`) in
 * the list's namespace: waits up to `timeoutMs`, reloading, since visibility lags a start a
 * little. Returns false when the row never showed.
 */
export async function workflowListShows(page: Page, workflowId: string, timeoutMs = UI_TIMEOUT_MS): Promise<boolean> {
  const namespace = /^\/namespaces\/([^/]+)\/workflows\/?$/.exec(new URL(page.url()).pathname)?.[1]
  if (!namespace) throw new Error(`Not on a workflow list: ${page.url()} (open it with openWorkflowList first)`)
  const deadline = Date.now() + timeoutMs
  await openWorkflowList(page, decodeURIComponent(namespace), `WorkflowId="${workflowId}"`)
  const row = workflowListRow(page, workflowId)
  for (;;) {
    const remaining = deadline - Date.now()
    try {
      await row.waitFor({ timeout: Math.max(1, Math.min(remaining, 2_000)) })
      return true
    } catch {
      if (Date.now() >= deadline) return false
      await page.reload()
      await workflowsTable(page).waitFor()
    }
  }
}

/** What a workflow's page showed once it settled. */
export interface WorkflowPage {
  /** The run the page shows (the latest run: the page is opened by workflow id). */
  runId: string
  /** Workers polling the workflow's task queue, as the Workers tab counts them. */
  workers: number
}

/**
 * The workflow's page sends the built-in query `__temporal_workflow_metadata` (the workflow's
 * signal, query and update definitions) when a worker polls its task queue; the Send a Signal
 * form offers those signal names. Requests are tracked from before the page is opened.
 */
function trackMetadataQuery(page: Page, workflowId: string): { requests: Request[]; stop: () => void } {
  const requests: Request[] = []
  const suffix = `/workflows/${encodeURIComponent(workflowId)}/query/__temporal_workflow_metadata`
  const listener = (request: Request) => {
    if (new URL(request.url()).pathname.endsWith(suffix)) requests.push(request)
  }
  page.on('request', listener)
  return { requests, stop: () => page.off('request', listener) }
}

/**
 * Opens the workflow's page (its latest run) and waits until it settled: the workflow id as its
 * heading, the Workers tab counted and, when a worker polls, the answer to the UI's metadata query.
 */
export async function openWorkflow(page: Page, namespace: string, workflowId: string): Promise<WorkflowPage> {
  await waitForWebUi()
  const metadata = trackMetadataQuery(page, workflowId)
  try {
    await page.goto(
      `${webUiUrl()}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`,
    )
    // The page redirects to /workflows/<id>/<run id>/history.
    await page.getByRole('heading', { level: 1, name: workflowId, exact: true }).waitFor()
    const prefix = `/workflows/${encodeURIComponent(workflowId)}/`
    await page.waitForURL((url) => url.pathname.split(prefix)[1]?.includes('/') === true)
    const runId = decodeURIComponent(new URL(page.url()).pathname.split(prefix)[1]?.split('/')[0] ?? '')
    const workersTab = page.getByRole('tab', { name: /^Workers \d+$/ })
    await workersTab.waitFor()
    const workers = Number(/\d+/.exec((await workersTab.textContent()) ?? '')?.[0] ?? 0)
    if (workers > 0) {
      // The query follows the task-queue look-up that counted the workers: give it a moment to start.
      const deadline = Date.now() + 5_000
      while (metadata.requests.length === 0 && Date.now() < deadline) await page.waitForTimeout(100)
      const request = metadata.requests[0]
      // A failed query (the workflow has no such handler, a timeout) only means no signal list.
      if (request) await request.response().catch(() => null)
    }
    return { runId, workers }
  } finally {
    metadata.stop()
  }
}

/**
 * Sends a signal with one JSON object argument from the workflow page's Send a Signal form
 * (More Actions → Send a Signal) and waits for the UI's confirmation ("Workflow signaled.").
 *
 * The form's signal name is a select of the signal names the workflow declares (from its
 * metadata query, when a worker polls) with a last option "Custom" for any other name, or a
 * plain text field when the UI has no list; both are handled. The input is a CodeMirror editor:
 * its content is replaced by typing the JSON (select all, insert text), then read back and
 * compared with the payload before submitting. `options.screenshot` is given the filled form's step.
 */
export async function sendSignalFromWebUi(
  page: Page,
  namespace: string,
  workflowId: string,
  signalName: string,
  payload: object,
  options: { screenshot?: (step: string) => Promise<unknown> } = {},
): Promise<void> {
  await openWorkflow(page, namespace, workflowId)
  await page.getByRole('button', { name: 'More Actions' }).click()
  await page.getByRole('menuitem', { name: 'Send a Signal', exact: true }).click()
  const form = page.getByRole('dialog', { name: 'Send a Signal' })
  await form.waitFor()

  // The select is a button opening a listbox; the text field is the input labelled "Signal
  // name" (its data-testid as well: the label's `for` may name an element elsewhere in the page,
  // which leaves the field without an accessible name).
  const select = form.getByRole('button', { name: 'Select a signal' })
  const textField = form.getByLabel('Signal name', { exact: true }).or(form.getByTestId('signal-name'))
  await select.or(textField).first().waitFor()
  if (await select.isVisible()) {
    await select.click()
    const options = form.getByRole('listbox').getByRole('option')
    const listed = options.filter({ has: page.getByText(signalName, { exact: true }) })
    if ((await listed.count()) > 0) {
      await listed.first().click()
    } else {
      // Not one the workflow declares (yet): "Custom" gives the text field.
      await options.filter({ has: page.getByText('Custom', { exact: true }) }).click()
      await textField.fill(signalName)
    }
  } else {
    await textField.fill(signalName)
  }

  // CodeMirror 6's content element (.cm-content is CodeMirror's own, stable class; the editor is
  // an unnamed textbox, as is the select's disabled input).
  const json = JSON.stringify(payload)
  const editor = form.locator('.cm-content[contenteditable="true"]')
  await editor.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.insertText(json)
  // One line of JSON: CodeMirror keeps it as one line element, so its text is the document.
  const typed = (await editor.textContent()) ?? ''
  let parsed: unknown
  try {
    parsed = JSON.parse(typed)
  } catch {
    parsed = undefined
  }
  if (!isDeepStrictEqual(parsed, JSON.parse(json)))
    throw new Error(`The Send a Signal form's input reads ${JSON.stringify(typed)}, expected ${json}`)
  await options.screenshot?.('signal-form-filled')

  const submit = form.getByRole('button', { name: 'Submit', exact: true })
  await submit.click()
  // Success: a toast, and the form closes. Failure: the form stays, with an alert under it.
  const confirmation = page.getByRole('log').getByText('Workflow signaled.', { exact: true })
  const failure = form.getByRole('alert').filter({ hasText: /\S/ })
  await confirmation.or(failure).first().waitFor()
  if (!(await confirmation.isVisible()))
    throw new Error(`The Web UI did not signal ${workflowId}: ${((await failure.first().textContent()) ?? '').trim()}`)
  await form.waitFor({ state: 'hidden' })
}

/** What the Start Workflow form is filled with: its input is one JSON object (JSON encoding, the form's default). */
export interface StartWorkflowFields {
  workflowId: string
  taskQueue: string
  workflowType: string
  input: object
}

/** What the Web UI answered to a start from its Start Workflow form. */
export interface StartedFromWebUi {
  /** The run started, from the link of the UI's confirmation. */
  runId: string
  /** Workers polling the task queue, as the form counted them once the queue was typed. */
  workers: number
}

/**
 * Starts a workflow from the Start Workflow form: the workflow list's *Start Workflow* button,
 * then Workflow ID, Task Queue, Workflow Type and the Input editor (JSON encoding, the default),
 * and waits for the UI's confirmation ("Workflow started successfully", a link to the run).
 *
 * Typing the task queue makes the form count its workers (an alert under the field): that is
 * waited for before the input is typed, so the form no longer moves. The input is a CodeMirror
 * editor that reformats its JSON when it loses focus, which moves the button under a click:
 * the editor is left (a click on the page's heading) before the button is clicked. The input is
 * read back and compared with `fields.input` first. `options.screenshot` is given the filled form's step.
 */
export async function startWorkflowFromWebUi(
  page: Page,
  namespace: string,
  fields: StartWorkflowFields,
  options: { screenshot?: (step: string) => Promise<unknown> } = {},
): Promise<StartedFromWebUi> {
  await openWorkflowList(page, namespace)
  const main = page.getByRole('main')
  await main.getByRole('button', { name: 'Start Workflow', exact: true }).click()
  const heading = main.getByRole('heading', { level: 1, name: 'Start a Workflow', exact: true })
  await heading.waitFor()
  await main.getByRole('textbox', { name: 'Workflow ID', exact: true }).fill(fields.workflowId)
  await main.getByRole('textbox', { name: 'Task Queue', exact: true }).fill(fields.taskQueue)
  // Leaving the field (for the next one) makes the form look the queue up.
  await main.getByRole('textbox', { name: 'Workflow Type', exact: true }).fill(fields.workflowType)
  const queueStatus = main.getByRole('status').filter({ hasText: /Task Queue is (Active|Inactive)/ })
  await queueStatus.waitFor()
  const workers = Number(/(\d+)\s+Workers?/.exec((await queueStatus.textContent()) ?? '')?.[1] ?? 0)

  const json = JSON.stringify(fields.input)
  // CodeMirror 6's content element, as in sendSignalFromWebUi (the form's only editor until
  // "More options" shows the summary and details).
  const editor = main.locator('.cm-content[contenteditable="true"]')
  await editor.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.insertText(json)
  await heading.click()
  // Reformatted over several lines: CodeMirror's text is the lines joined, still the JSON.
  const typed = (await editor.textContent()) ?? ''
  let parsed: unknown
  try {
    parsed = JSON.parse(typed)
  } catch {
    parsed = undefined
  }
  if (!isDeepStrictEqual(parsed, JSON.parse(json)))
    throw new Error(`The Start Workflow form's input reads ${JSON.stringify(typed)}, expected ${json}`)
  await options.screenshot?.('start-workflow-form-filled')

  await main.getByRole('button', { name: 'Start Workflow', exact: true }).click()
  // Success: a toast linking to the run. Failure: an alert under the form (and a toast saying so).
  const confirmation = page.getByRole('log').getByRole('link', { name: 'Workflow started successfully', exact: true })
  const failure = main.getByRole('alert').filter({ hasText: /\S/ })
  await confirmation.or(failure).first().waitFor()
  if (!(await confirmation.isVisible()))
    throw new Error(
      `The Web UI did not start ${fields.workflowId}: ${((await failure.first().textContent()) ?? '').trim()}`,
    )
  // The link is /namespaces/<namespace>/workflows/<workflow id>/<run id>/history.
  const href = (await confirmation.getAttribute('href')) ?? ''
  const prefix = `/workflows/${encodeURIComponent(fields.workflowId)}/`
  const runId = decodeURIComponent(href.split(prefix)[1]?.split('/')[0] ?? '')
  if (!runId)
    throw new Error(`The Web UI's confirmation links to ${JSON.stringify(href)}, not to a run of ${fields.workflowId}`)
  return { runId, workers }
}

const schedulesUrl = (namespace: string, query?: string) =>
  `${webUiUrl()}/namespaces/${encodeURIComponent(namespace)}/schedules${query ? `?query=${encodeURIComponent(query)}` : ''}`

/** The Schedules page's table, named "Schedules" (a <table> with that caption). */
const schedulesTable = (page: Page) => page.getByRole('table', { name: 'Schedules' })

/**
 * Opens the namespace's Schedules page (optionally filtered by a visibility query such as
 * `ScheduleId = "..."`) and waits for its table or its empty state.
 */
export async function openSchedules(page: Page, namespace: string, query?: string): Promise<void> {
  await waitForWebUi()
  await page.goto(schedulesUrl(namespace, query))
  // The heading counts them ("4 Schedules"); with none the page shows an empty state instead of rows.
  await page
    .getByRole('main')
    .getByRole('heading', { level: 1, name: /Schedules?$/ })
    .waitFor()
  await schedulesTable(page).waitFor()
}

/** The row of the Schedules page that links to the schedule (its Schedule ID cell is a link named by the id). */
export function scheduleListRow(page: Page, scheduleId: string): Locator {
  return schedulesTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: scheduleId, exact: true }) })
}

/**
 * Whether the open Schedules page lists the schedule: waits up to `timeoutMs`, reloading, since
 * the schedules' visibility lags their creation a little. Returns false when the row never showed.
 */
export async function scheduleListShows(page: Page, scheduleId: string, timeoutMs = UI_TIMEOUT_MS): Promise<boolean> {
  if (!/^\/namespaces\/[^/]+\/schedules\/?$/.test(new URL(page.url()).pathname))
    throw new Error(`Not on the Schedules page: ${page.url()} (open it with openSchedules first)`)
  const deadline = Date.now() + timeoutMs
  const row = scheduleListRow(page, scheduleId)
  for (;;) {
    const remaining = deadline - Date.now()
    try {
      await row.waitFor({ timeout: Math.max(1, Math.min(remaining, 2_000)) })
      return true
    } catch {
      if (Date.now() >= deadline) return false
      await page.reload()
      await schedulesTable(page).waitFor()
    }
  }
}

/** Opens a schedule's page and waits for its heading (the schedule id) and its actions. */
export async function openSchedule(page: Page, namespace: string, scheduleId: string): Promise<void> {
  await waitForWebUi()
  await page.goto(
    `${webUiUrl()}/namespaces/${encodeURIComponent(namespace)}/schedules/${encodeURIComponent(scheduleId)}`,
  )
  await page.getByRole('heading', { level: 1, name: scheduleId, exact: true }).waitFor()
  await page.getByRole('button', { name: 'Schedule Actions', exact: true }).waitFor()
}

/** The overlap policies the schedule page's *Trigger Immediately* dialog offers ("Use Policy": the schedule's own). */
export type TriggerOverlap =
  | 'Use Policy'
  | 'Buffer All'
  | 'Allow All'
  | 'Skip'
  | 'Buffer One'
  | 'Cancel Other'
  | 'Terminate Other'

/**
 * Triggers a schedule from its page: Schedule Actions → Trigger, then the *Trigger Immediately*
 * dialog's overlap policy (the schedule's own unless told) and its Trigger button. Waits for the
 * UI's request to the server to succeed and the dialog to close. `options.screenshot` is given
 * the dialog's step.
 */
export async function triggerScheduleFromWebUi(
  page: Page,
  namespace: string,
  scheduleId: string,
  options: { overlap?: TriggerOverlap; screenshot?: (step: string) => Promise<unknown> } = {},
): Promise<void> {
  await openSchedule(page, namespace, scheduleId)
  await page.getByRole('button', { name: 'Schedule Actions', exact: true }).click()
  await page.getByRole('menuitem', { name: 'Trigger', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Trigger Immediately' })
  await dialog.waitFor()
  const policy = dialog.getByRole('radio', { name: options.overlap ?? 'Use Policy', exact: true })
  await policy.check()
  await options.screenshot?.('trigger-dialog')
  // The UI patches the schedule (a trigger is a patch): its answer says whether the server took it.
  const path = `/namespaces/${encodeURIComponent(namespace)}/schedules/${encodeURIComponent(scheduleId)}`
  const answered = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname.includes(path),
  )
  await dialog.getByRole('button', { name: 'Trigger', exact: true }).click()
  const response = await answered
  if (!response.ok())
    throw new Error(
      `The Web UI did not trigger ${scheduleId}: HTTP ${response.status()} ${(await response.text().catch(() => '')).slice(0, 300)}`,
    )
  await dialog.waitFor({ state: 'hidden' })
}

/**
 * A test file's browser, launched by the first test that needs it (without chromium each
 * browser test fails with its one line), and a page per test named after it; a failing test
 * leaves a screenshot of where it stopped.
 */
export function testPages(): { page(context: TestContext): Promise<TestPage>; close(): Promise<void> } {
  let browser: Promise<Browser> | undefined
  return {
    async page(context) {
      browser ??= launchChromium()
      const page = await newTestPage(await browser, context.task.name)
      context.onTestFinished(async ({ task }) => {
        if (task.result?.state === 'fail') await page.screenshot('failed').catch(() => undefined)
        await page.page.context().close()
      })
      return page
    },
    async close() {
      await (await browser?.catch(() => undefined))?.close()
    },
  }
}

/** Polls `probe` every half second until it returns a value, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: () => Promise<string>,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() >= deadline) throw new Error(`After ${timeoutMs / 1000} s: ${await what()}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
