// Workflows started as a Web UI user would start them, with hand-typed JSON: a bad input fails
// at once, not retried, naming the field and what it expects, before any activity runs; a run
// id left out is taken from the workflow id.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'

let h: Harness

async function startByHand(workflow: 'pipelineRun' | 'modelsRun', input: unknown) {
  const workflowId = `paccafe-pipeline-run-ui-${randomBytes(4).toString('hex')}`
  const handle = await h.client.workflow.start(workflow, {
    taskQueue: h.config.temporal.taskQueue,
    workflowId,
    args: [input],
  })
  return { workflowId, handle }
}

async function failureOf(workflow: 'pipelineRun' | 'modelsRun', input: unknown) {
  const { handle } = await startByHand(workflow, input)
  const error = await handle.result().then(
    () => undefined,
    (failure: unknown) => failure,
  )
  expect(error, 'the workflow was expected to fail').toBeDefined()
  const history = await handle.fetchHistory()
  const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes).length
  return { types: failureTypes(error), message: rootMessage(error), scheduled }
}

describe('workflow inputs typed in the Web UI', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('runs {"mode": "full"} with the run id taken from the workflow id', async () => {
    const { workflowId, handle } = await startByHand('pipelineRun', { mode: 'full' })
    const result = await handle.result()
    const runId = workflowId.replace(/^paccafe-pipeline-/, '')
    expect(result.runId).toBe(runId)
    const [run] = await h.warehouse`select status, workflow_id from etl.runs where run_id = ${runId}`
    expect(run).toEqual({ status: 'succeeded', workflow_id: workflowId })
  })

  it.each([
    [{ mode: 'fulll' }, 'pipelineRun input: mode: "fulll" is not valid, expected "full" or "incremental"'],
    [{}, 'pipelineRun input: mode is missing, expected "full" or "incremental"'],
    [{ mode: 'full', runId: 'run 1; drop' }, 'pipelineRun input: runId: "run 1; drop" is not valid, expected a run id'],
    [
      { mode: 'full', heartbeatSeconds: 0 },
      'pipelineRun input: heartbeatSeconds: 0 is not valid, expected whole seconds',
    ],
    [{ mode: 'full', mdoe: 'x' }, 'pipelineRun input: unknown field mdoe, expected only runId, mode'],
    [null, 'pipelineRun input: the input: null is not valid'],
  ])('fails %j at once, naming the field, before any activity', async (input, expected) => {
    const { types, message, scheduled } = await failureOf('pipelineRun', input)
    expect(types).toContain('BadInputError')
    expect(message.startsWith(expected), message).toBe(true)
    expect(scheduled).toBe(0)
  })

  it('checks a models run graph the same way', async () => {
    const { types, message, scheduled } = await failureOf('modelsRun', { graph: [{ name: 'marts.rfm' }] })
    expect(types).toContain('BadInputError')
    expect(message).toBe('modelsRun input: graph.0.dependsOn is missing, expected a list of model names')
    expect(scheduled).toBe(0)
  })
})
