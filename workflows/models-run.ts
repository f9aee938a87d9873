// The models-run workflow (`paccafe models run`): rebuilds a selection of models without
// extracting, under the writer lock, each model as one activity once what it reads is built.
// Clean models in a selection see no batches (nothing was extracted), so incremental models
// merge nothing new (and refuse a full refresh); table models and marts are rebuilt from what
// the warehouse holds.
import { ApplicationFailure, CancellationScope, isCancellation, workflowInfo } from '@temporalio/workflow'
import type { ModelRunResult, ModelsRunInput } from '../lib/pipeline-types.ts'
import { checkWorkflowInput, ModelsRunInputSchema } from '../lib/workflow-inputs.ts'
import { activitiesFor } from './activities.ts'
import { failureMessage } from './failure-message.ts'
import { runGraph } from './model-graph.ts'

export async function modelsRun(rawInput: ModelsRunInput): Promise<ModelRunResult[]> {
  const input = checkWorkflowInput('modelsRun', ModelsRunInputSchema, rawInput, workflowInfo().workflowId)
  const { writerLock, bookkeeping, long } = activitiesFor(input.heartbeatSeconds)
  await bookkeeping.startRun({ runId: input.runId, workflowId: workflowInfo().workflowId, mode: 'models' })
  await writerLock.acquireWriterLock({ runId: input.runId })
  const results: ModelRunResult[] = []
  try {
    await runGraph(input.graph, input.modelConcurrency ?? 2, async (model) => {
      results.push(await long.runModel({ runId: input.runId, model, fullRefresh: input.fullRefresh }))
    })
    await bookkeeping.finishRun({ runId: input.runId, status: 'succeeded' })
    return results
  } catch (error) {
    const message = isCancellation(error) ? 'cancelled' : failureMessage(error)
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishRun({ runId: input.runId, status: 'failed', error: message }),
    )
    if (isCancellation(error)) throw error
    throw ApplicationFailure.create({
      message: `Models run ${input.runId} failed: ${message}`,
      type: 'ModelsRunFailed',
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    })
  } finally {
    await CancellationScope.nonCancellable(() => writerLock.releaseWriterLock({ runId: input.runId }))
  }
}
