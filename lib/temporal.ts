// Temporal client side: connecting, naming runs, and starting the pipeline-run workflow.
import { Client, Connection } from '@temporalio/client'
import type { Config } from './config.ts'
import type { ModelsRunInput, PipelineRunInput, RunMode } from './pipeline-types.ts'

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: '10s' })
  return new Client({ connection, namespace: config.temporal.namespace })
}

/** A run id says when and how it ran: run-20261125T180102Z-full. */
export function newRunId(mode: RunMode | 'models', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
  return `run-${stamp}-${mode}`
}

/** Workflow ids are deterministic per run, so starting the same run twice cannot run it twice. */
export function workflowIdFor(runId: string): string {
  return `paccafe-pipeline-${runId}`
}

export function webUiRunUrl(config: Config, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`
}

export async function startPipelineRun(client: Client, taskQueue: string, input: PipelineRunInput & { runId: string }) {
  return client.workflow.start('pipelineRun', {
    taskQueue,
    workflowId: workflowIdFor(input.runId),
    args: [input],
  })
}

export async function startModelsRun(client: Client, taskQueue: string, input: ModelsRunInput & { runId: string }) {
  return client.workflow.start('modelsRun', {
    taskQueue,
    workflowId: workflowIdFor(input.runId),
    args: [input],
  })
}
