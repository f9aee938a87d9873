// Workflows whose commands changed without patched(), the other way round from every recorded
// history. Only the replay test bundles this module: replaying a recorded history of the same
// workflow type against it must fail with a determinism error.
//
//   pipelineRun      plans the run before recording it (planRun, then startRun)
//   quarantineBatch  settles the batch before describing it (settleBatch, then describeBatch)
import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../../../activities/index.ts'
import type { PipelineRunInput, QuarantineBatchInput } from '../../../lib/contract.ts'

const { planRun, startRun, settleBatch, describeBatch } = proxyActivities<Activities>({ startToCloseTimeout: '10m' })

export async function pipelineRun(input: PipelineRunInput): Promise<void> {
  const { workflowId } = workflowInfo()
  await planRun()
  await startRun({ runId: input.runId ?? workflowId, workflowId, mode: input.mode })
}

export async function quarantineBatch(input: QuarantineBatchInput): Promise<void> {
  await settleBatch({ batchId: input.batchId })
  await describeBatch({ batchId: input.batchId })
}
