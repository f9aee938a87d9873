// A reprocess: a run of its own (etl.runs mode 'reprocess'), under the writer lock like any run,
// that sends a quarantine batch's selected rows through the same clean, validation and publish
// models as a pipeline run, with the corrections recorded for them; then marks what now passes.
//
//   startRun, then wait for the writer lock
//   stage the request's rows again       (one batch of the run per table)
//   retire the corrections the source has moved past
//   clean, validate, publish, reconcile  (as a pipeline run: workflows/run-stages.ts)
//   mark the violations that no longer fail reprocessed, record the outcome
//   finishRun, then release the writer lock
//   tell the outcome: the report, memo, search attributes, the webhook (workflows/run-outcome.ts)
import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import type { ReprocessOutcome, ReprocessRunInput, RunProgress } from '../lib/contract.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { bindDeployment } from './deployment.ts'
import { progressQuery } from './messages.ts'
import { tellingOutcome } from './run-outcome.ts'
import { cleanValidatePublish, failRun, publishStepCount, stepCounter } from './run-stages.ts'
import { withWriterLock } from './writer-lock.ts'

export async function reprocessRun(input: ReprocessRunInput): Promise<ReprocessOutcome> {
  const { runId, batchId, requestId, heartbeatSeconds } = input
  const { startRun, finishRun, planRun, retireCorrections, resolveReprocess } = proxyActivities<Activities>(
    bookkeepingOptions(heartbeatSeconds),
  )
  const { stageReprocess } = proxyActivities<Activities>(longWorkOptions(heartbeatSeconds))
  const progress: RunProgress = { runId, stage: 'starting', stepsDone: 0, stepsTotal: 0 }
  setHandler(progressQuery, () => progress)
  const step = stepCounter(progress)

  const run = async (): Promise<ReprocessOutcome> => {
    bindDeployment(await startRun({ runId, workflowId: workflowInfo().workflowId, mode: 'reprocess' }))
    progress.stage = 'waiting'
    return withWriterLock(runId, heartbeatSeconds, async () => {
      try {
        const plan = await planRun()
        progress.stepsTotal = 2 + publishStepCount(plan)
        progress.stage = 'extracting'
        const staged = await step(stageReprocess({ runId, requestId }))
        await retireCorrections({ runId })
        await cleanValidatePublish(
          {
            runId,
            plan,
            progress,
            heartbeatSeconds,
            modelConcurrency: input.modelConcurrency,
            quarantineBatchId: batchId,
          },
          staged,
        )
        const outcome = await step(resolveReprocess({ runId, requestId }))
        await finishRun({ runId, status: 'succeeded' })
        progress.stage = 'done'
        return outcome
      } catch (error) {
        progress.stage = 'failed'
        return failRun(runId, error, heartbeatSeconds)
      }
    })
  }
  return tellingOutcome({ runId, mode: 'reprocess' }, run, (outcome) => ({
    counts: {
      rowsSubmitted: outcome.rowsSubmitted,
      rowsPublished: outcome.rowsPublished,
      rowsStillRejected: outcome.rowsStillRejected,
      rowsOpen: outcome.rowsOpen,
    },
  }))
}
