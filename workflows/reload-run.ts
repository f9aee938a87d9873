// A reload: a run of its own (etl.runs mode 'reload') that stages failed loads again from their
// archive in the bucket, without reading the source (it may be offline, or have moved on), then
// publishes them as a pipeline run would (`paccafe reprocess-load`).
//
//   startRun, then wait for the writer lock
//   stage each failed load from the bucket   (one batch of the run per table)
//   retire the corrections the source has moved past
//   clean, validate, publish, reconcile      (workflows/run-stages.ts)
//   open the run's quarantine batch when rows were held back
//   finishRun, then release the writer lock
//   tell the outcome: the report, memo, search attributes, the webhook (workflows/run-outcome.ts)
// A failed reload opens its failed loads again for another reload.
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import {
  type QuarantineBatchSummary,
  type ReloadRunInput,
  ReloadRunInputSchema,
  type ReloadRunResult,
  type RunProgress,
} from '../lib/contract.ts'
import { checkWorkflowInput } from '../lib/input-checks.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { bindDeployment } from './deployment.ts'
import { progressQuery } from './messages.ts'
import { openBatchWorkflow } from './open-batch-workflow.ts'
import { accountingCounts, tellingOutcome } from './run-outcome.ts'
import { allOf, cleanValidatePublish, failRun, publishStepCount, stepCounter } from './run-stages.ts'
import { withWriterLock } from './writer-lock.ts'

export async function reloadRun(rawInput: ReloadRunInput): Promise<ReloadRunResult> {
  const input = checkWorkflowInput('reloadRun', ReloadRunInputSchema, rawInput, workflowInfo().workflowId)
  const { runId, heartbeatSeconds } = input
  const { startRun, finishRun, planRun, retireCorrections, openQuarantineBatch, archiveFailedLoads } =
    proxyActivities<Activities>(bookkeepingOptions(heartbeatSeconds))
  const { stageFailedLoad } = proxyActivities<Activities>(longWorkOptions(heartbeatSeconds))
  const progress: RunProgress = { runId, stage: 'starting', stepsDone: 0, stepsTotal: 0 }
  setHandler(progressQuery, () => progress)
  const step = stepCounter(progress)

  let quarantine: QuarantineBatchSummary | undefined
  const run = async (): Promise<ReloadRunResult> => {
    bindDeployment(await startRun({ runId, workflowId: workflowInfo().workflowId, mode: 'reload' }))
    progress.stage = 'waiting'
    return withWriterLock(runId, heartbeatSeconds, async () => {
      try {
        const plan = await planRun()
        progress.stepsTotal = input.failedLoadIds.length + publishStepCount(plan)
        progress.stage = 'extracting'
        const staged = await allOf(
          input.failedLoadIds.map((failedLoadId) => step(stageFailedLoad({ runId, failedLoadId }))),
        )
        await retireCorrections({ runId })
        const published = await cleanValidatePublish(
          { runId, plan, progress, heartbeatSeconds, modelConcurrency: input.modelConcurrency },
          staged,
        )
        quarantine = await openBatchWorkflow(runId, openQuarantineBatch)
        await finishRun({ runId, status: 'succeeded' })
        progress.stage = 'done'
        return { runId, staged, ...published, ...(quarantine ? { quarantineBatch: quarantine.workflowId } : {}) }
      } catch (error) {
        progress.stage = 'failed'
        return failRun(runId, error, heartbeatSeconds, async (message) => {
          await archiveFailedLoads({ runId, error: message })
        })
      }
    })
  }
  return tellingOutcome({ runId, mode: 'reload' }, run, (result) => ({
    counts: accountingCounts(result.accounting),
    quarantine,
  }))
}
