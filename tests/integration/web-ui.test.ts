// The Temporal Web UI in a real browser (Debian's chromium, tests/support/browser.ts), against
// the real dev server: a running workflow shows in the workflow list, and a signal with one JSON
// object argument sent from the workflow page's Send a Signal form reaches the workflow. Proven
// on a test-only workflow (tests/support/browser-probe/) hosted by an in-process worker on a
// task queue of this file's own. Screenshots: .data/test-artifacts/<test name>/.
import path from 'node:path'
import type { Client, WorkflowHandle } from '@temporalio/client'
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { connectClient } from '../../lib/temporal.ts'
import {
  assertChromiumInstalled,
  openWorkflow,
  openWorkflowList,
  sendSignalFromWebUi,
  testPages,
  workflowListRow,
  workflowListShows,
} from '../support/browser.ts'
import type { ReprocessRequest, signalProbe } from '../support/browser-probe/workflows.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const id = uniqueTestId('webui')
const config = testConfig(id)
const namespace = config.temporal.namespace
const probeWorkflows = path.join(import.meta.dirname, '..', 'support', 'browser-probe', 'workflows.ts')

let client: Client
let connection: NativeConnection
let worker: Worker
let running: Promise<void>
let probes = 0
/** Every probe started, so that none is left running on the shared dev server. */
const started: WorkflowHandle[] = []

/** Starts a signalProbe workflow (on the test worker's task queue unless told another). */
async function startProbe(taskQueue = config.temporal.taskQueue) {
  const workflowId = `paccafe-test-${id}-probe-${++probes}`
  const handle = await client.workflow.start<typeof signalProbe>('signalProbe', { taskQueue, workflowId })
  started.push(handle)
  return { workflowId, handle }
}

/** The signals in a workflow's history: each name and its JSON arguments. */
async function signalsRecorded(handle: WorkflowHandle): Promise<{ name: string; args: unknown[] }[]> {
  const history = await handle.fetchHistory()
  return (history.events ?? []).flatMap((event) => {
    const signalled = event.workflowExecutionSignaledEventAttributes
    if (!signalled) return []
    const args = (signalled.input?.payloads ?? []).map((payload) =>
      JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')),
    )
    return [{ name: signalled.signalName ?? '', args }]
  })
}

const pages = testPages()
const testPage = (context: TestContext) => pages.page(context)

describe('the Temporal Web UI in a real browser', () => {
  beforeAll(async () => {
    // Before anything else: the worker logs only errors (its start and stop would fill the report).
    Runtime.install({ logger: new DefaultLogger('ERROR') })
    connection = await NativeConnection.connect({ address: config.temporal.address })
    worker = await Worker.create({
      connection,
      namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: probeWorkflows, logger: new DefaultLogger('WARN') }),
    })
    running = worker.run()
    client = await connectClient(config)
  })
  afterAll(async () => {
    await pages.close()
    for (const handle of started) {
      const { status } = await handle.describe()
      if (status.name === 'RUNNING') await handle.terminate('the web-ui test file ended')
    }
    worker?.shutdown()
    await running
    await connection?.close()
    await client?.connection.close()
  })

  it('fails with one line when the browser is missing', () => {
    expect(() => assertChromiumInstalled('/nonexistent/chromium')).toThrowError(
      /^Chromium is missing at \/nonexistent\/chromium: the browser tests need Debian's chromium/,
    )
  })

  it('lists a running workflow in the workflow list', async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    const { workflowId, handle } = await startProbe()
    await openWorkflowList(page, namespace)
    expect(await workflowListShows(page, workflowId)).toBe(true)
    const row = workflowListRow(page, workflowId)
    expect(await row.getByRole('cell', { name: 'Running', exact: true }).count()).toBe(1)
    expect(await row.getByRole('cell', { name: 'signalProbe', exact: true }).count()).toBe(1)
    await screenshot('workflow-list')
    expect(await workflowListShows(page, `${workflowId}-never-started`, 3_000)).toBe(false)
    const shown = await openWorkflow(page, namespace, workflowId)
    expect(shown).toEqual({ runId: handle.firstExecutionRunId, workers: 1 })
    await screenshot('workflow-page')
    expect(consoleErrors).toEqual([])
  })

  it('a signal sent from the Send a Signal form reaches the workflow with its JSON object', async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    const { workflowId, handle } = await startProbe()
    expect(await handle.query<string>('probeState')).toBe('waiting')
    // Quotes, braces and non-ASCII text: the JSON must reach the workflow unchanged.
    const payload: ReprocessRequest = { note: 'reprocess batch "b-42" {after fix} — café' }
    await sendSignalFromWebUi(page, namespace, workflowId, 'reprocess', payload, { screenshot })
    await screenshot('signalled')
    expect(await handle.result()).toEqual(payload)
    expect(await handle.query<string>('probeState')).toBe('received')
    expect(consoleErrors).toEqual([])
  })

  it("a signal name the workflow does not declare goes through the select's Custom option", async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    const { workflowId, handle } = await startProbe()
    const payload = { note: 'not a declared signal' }
    await sendSignalFromWebUi(page, namespace, workflowId, 'reprocessLater', payload, { screenshot })
    expect(await signalsRecorded(handle)).toEqual([{ name: 'reprocessLater', args: [payload] }])
    // The workflow has no handler for it and goes on waiting.
    expect(await handle.query<string>('probeState')).toBe('waiting')
    expect(consoleErrors).toEqual([])
  })

  it('with no worker polling, the form has a text field for the signal name, and the signal is recorded', async (context) => {
    const { page, consoleErrors, screenshot } = await testPage(context)
    // Nothing polls this queue: the UI cannot ask the workflow for its signal names.
    const { workflowId, handle } = await startProbe(`${config.temporal.taskQueue}-unpolled`)
    const payload = { note: 'typed by hand' }
    await sendSignalFromWebUi(page, namespace, workflowId, 'reprocess', payload, { screenshot })
    expect(await signalsRecorded(handle)).toEqual([{ name: 'reprocess', args: [payload] }])
    expect(consoleErrors).toEqual([])
  })
})
