// A pipelineRun whose commands changed without patched(): it plans the run before recording it
// (planRun, then startRun), the other way round from every recorded history. Only the replay
// test bundles it: replaying a recorded pipelineRun history against it must fail.
import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../../../activities/index.ts'
import type { PipelineRunInput } from '../../../lib/contract.ts'

const { planRun, startRun } = proxyActivities<Activities>({ startToCloseTimeout: '10m' })

export async function pipelineRun(input: PipelineRunInput): Promise<void> {
  const { workflowId } = workflowInfo()
  await planRun()
  await startRun({ runId: input.runId ?? workflowId, workflowId, mode: input.mode })
}
