// Starting the workflows from a client (the CLI, tests, later schedules): by the workflow
// functions themselves, so a renamed workflow is a type error, not a run that never starts.
// The input is checked first with the schema the workflow checks it with.
import type { Client } from '@temporalio/client'
import {
  type ModelsRunInput,
  ModelsRunInputSchema,
  type PipelineRunInput,
  PipelineRunInputSchema,
  type ReloadRunInput,
  ReloadRunInputSchema,
} from '../lib/contract.ts'
import { DEPLOYMENT_MEMO_KEY } from '../lib/deployment.ts'
import { BadInputError } from '../lib/errors.ts'
import { inputProblem } from '../lib/input-checks.ts'
import { workflowIdFor } from '../lib/temporal.ts'
import { modelsRun, pipelineRun, reloadRun } from '../workflows/index.ts'

/**
 * `deployment` (lib/deployment.ts) binds the run to the starter's warehouse; without it the run
 * takes the deployment of the worker that records its start, as one started from the Web UI does.
 */
export async function startPipelineRun(
  client: Client,
  taskQueue: string,
  input: PipelineRunInput & { runId: string },
  deployment?: string,
) {
  assertInput('pipelineRun', PipelineRunInputSchema, input)
  return client.workflow.start(pipelineRun, {
    taskQueue,
    workflowId: workflowIdFor(input.runId),
    args: [input],
    ...deploymentMemo(deployment),
  })
}

export async function startModelsRun(
  client: Client,
  taskQueue: string,
  input: ModelsRunInput & { runId: string },
  deployment?: string,
) {
  assertInput('modelsRun', ModelsRunInputSchema, input)
  return client.workflow.start(modelsRun, {
    taskQueue,
    workflowId: workflowIdFor(input.runId),
    args: [input],
    ...deploymentMemo(deployment),
  })
}

/** Replays failed loads from the bucket (`paccafe reprocess-load`). */
export async function startReloadRun(
  client: Client,
  taskQueue: string,
  input: ReloadRunInput & { runId: string },
  deployment?: string,
) {
  assertInput('reloadRun', ReloadRunInputSchema, input)
  return client.workflow.start(reloadRun, {
    taskQueue,
    workflowId: workflowIdFor(input.runId),
    args: [input],
    ...deploymentMemo(deployment),
  })
}

const deploymentMemo = (deployment: string | undefined) =>
  deployment ? { memo: { [DEPLOYMENT_MEMO_KEY]: deployment } } : {}

function assertInput(workflow: string, schema: Parameters<typeof inputProblem>[0], input: unknown): void {
  const problem = inputProblem(schema, input)
  if (problem) throw new BadInputError(`${workflow} input: ${problem}`)
}
