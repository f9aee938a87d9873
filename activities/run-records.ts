// etl.runs: a run's start and end. Both are idempotent upserts keyed by run id.
import type { FinishRunInput, StartRunInput, StartRunResult } from '../lib/contract.ts'
import type { ActivityContext } from './context.ts'

export function makeStartRun(context: ActivityContext) {
  /** Returns the deployment the run belongs to: a run started without one (the Web UI) takes this worker's. */
  return async function startRun(input: StartRunInput): Promise<StartRunResult> {
    await context.warehouse`
      insert into etl.runs (run_id, workflow_id, mode, status)
      values (${input.runId}, ${input.workflowId}, ${input.mode}, 'running')
      on conflict (run_id) do update set status = 'running', finished_at = null, error = null`
    return { deployment: context.deployment }
  }
}

export function makeFinishRun(context: ActivityContext) {
  return async function finishRun(input: FinishRunInput): Promise<void> {
    await context.warehouse`
      update etl.runs set status = ${input.status}, error = ${input.error ?? null}, finished_at = now()
      where run_id = ${input.runId}`
  }
}
