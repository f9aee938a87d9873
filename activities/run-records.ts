// etl.runs: a run's start and end. Both are idempotent upserts keyed by run id.
import type { FinishRunInput, StartRunInput } from '../lib/contract.ts'
import type { ActivityContext } from './context.ts'

export function makeStartRun(context: ActivityContext) {
  return async function startRun(input: StartRunInput): Promise<void> {
    await context.warehouse`
      insert into etl.runs (run_id, workflow_id, mode, status)
      values (${input.runId}, ${input.workflowId}, ${input.mode}, 'running')
      on conflict (run_id) do update set status = 'running', finished_at = null, error = null`
  }
}

export function makeFinishRun(context: ActivityContext) {
  return async function finishRun(input: FinishRunInput): Promise<void> {
    await context.warehouse`
      update etl.runs set status = ${input.status}, error = ${input.error ?? null}, finished_at = now()
      where run_id = ${input.runId}`
  }
}
