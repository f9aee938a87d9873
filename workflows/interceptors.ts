// Workflow interceptors: every activity a run schedules carries the run's deployment in a
// header (from its memo), so a worker of another warehouse refuses it (worker/activity-interceptors.ts);
// child workflows (a run's quarantine batch, a batch's reprocess runs) inherit the memo entry.
import { defaultPayloadConverter } from '@temporalio/common'
import { type WorkflowInterceptorsFactory, workflowInfo } from '@temporalio/workflow'
import { DEPLOYMENT_HEADER } from '../lib/contract.ts'
import { DEPLOYMENT_MEMO_KEY } from '../lib/deployment.ts'

function runDeployment(): string | undefined {
  const deployment = workflowInfo().memo?.[DEPLOYMENT_MEMO_KEY]
  return typeof deployment === 'string' ? deployment : undefined
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        const deployment = runDeployment()
        if (!deployment) return next(input)
        return next({
          ...input,
          headers: { ...input.headers, [DEPLOYMENT_HEADER]: defaultPayloadConverter.toPayload(deployment) },
        })
      },
      startChildWorkflowExecution(input, next) {
        const deployment = runDeployment()
        if (!deployment) return next(input)
        return next({
          ...input,
          options: { ...input.options, memo: { ...input.options.memo, [DEPLOYMENT_MEMO_KEY]: deployment } },
        })
      },
    },
  ],
})
