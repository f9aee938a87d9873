// The models-run workflow (`paccafe models run`): rebuilds a selection of models without
// extracting, under the writer lock, each model as one activity once what it reads is built.
// Clean models in a selection see no batches (nothing was extracted), so incremental models
// merge nothing new (and refuse a full refresh); table models and marts are rebuilt from what
// the warehouse holds.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import { type ModelBuildResult, type ModelsRunInput, ModelsRunInputSchema } from '../lib/contract.ts'
import { checkWorkflowInput } from '../lib/input-checks.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { bindDeployment } from './deployment.ts'
import { failureMessage } from './failure-message.ts'
import { runGraph } from './model-graph.ts'
import { withWriterLock } from './writer-lock.ts'

export async function modelsRun(rawInput: ModelsRunInput): Promise<ModelBuildResult[]> {
  const input = checkWorkflowInput('modelsRun', ModelsRunInputSchema, rawInput, workflowInfo().workflowId)
  const { runId, heartbeatSeconds } = input
  const { startRun, finishRun } = proxyActivities<Activities>(bookkeepingOptions(heartbeatSeconds))
  const { runModel } = proxyActivities<Activities>(longWorkOptions(heartbeatSeconds))

  bindDeployment(await startRun({ runId, workflowId: workflowInfo().workflowId, mode: 'models' }))
  return withWriterLock(runId, heartbeatSeconds, async () => {
    const results: ModelBuildResult[] = []
    try {
      await runGraph(input.graph, input.modelConcurrency ?? 2, async (model) => {
        results.push(
          await runModel.executeWithOptions({ summary: model }, [{ runId, model, fullRefresh: input.fullRefresh }]),
        )
      })
      await finishRun({ runId, status: 'succeeded' })
      return results
    } catch (error) {
      const message = isCancellation(error) ? 'cancelled' : failureMessage(error)
      await CancellationScope.nonCancellable(() => finishRun({ runId, status: 'failed', error: message }))
      if (isCancellation(error)) throw error
      throw ApplicationFailure.create({
        message: `Models run ${runId} failed: ${message}`,
        type: 'ModelsRunFailed',
        nonRetryable: true,
        cause: error instanceof Error ? error : undefined,
      })
    }
  })
}
