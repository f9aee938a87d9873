// etl.publish_lock: one writer of staging and the warehouse at a time.
import { getClient } from '@temporalio/activity'
import { WorkflowNotFoundError } from '@temporalio/client'
import type { RunIdInput } from '../lib/contract.ts'
import type { ActivityContext } from './context.ts'
import { releaseRun } from './failed-runs.ts'

/**
 * One writer at a time: runs (and later reprocessing) never write staging and the warehouse
 * side by side. Taking the lock again with the same run id is a no-op, so a retry is safe;
 * while another run holds it, this fails with a retryable error and Temporal tries again. A
 * holder whose workflow has ended without finishing its run (terminated, timed out, reset) is
 * a dead run: its run is marked failed and its staged rows handed back, and the lock is taken
 * over at once, as from a run that failed (the next run also takes over what it published).
 */
export function makeAcquireWriterLock(context: ActivityContext) {
  return async function acquireWriterLock(input: RunIdInput): Promise<void> {
    const [taken] = await context.warehouse<{ run_id: string }[]>`
      insert into etl.publish_lock (lock_name, run_id) values ('warehouse', ${input.runId})
      on conflict (lock_name) do update set run_id = excluded.run_id, acquired_at = now()
      where etl.publish_lock.run_id = excluded.run_id
         or not exists (select 1 from etl.runs r where r.run_id = etl.publish_lock.run_id and r.status = 'running')
      returning run_id`
    if (taken) return
    const [holder] = await context.warehouse<{ run_id: string; workflow_id: string }[]>`
      select l.run_id, r.workflow_id from etl.publish_lock as l join etl.runs as r using (run_id)
      where l.lock_name = 'warehouse'`
    const ended = holder ? await workflowEndedAt(holder.workflow_id) : undefined
    if (holder && ended && Date.now() - ended.getTime() >= ENDED_RUN_GRACE_SECONDS * 1000) {
      await context.warehouse.begin(async (tx) => {
        await releaseRun(tx, holder.run_id)
        await tx`
          update etl.runs set status = 'failed', finished_at = now(),
            error = 'its workflow ended before the run finished; the writer lock was taken over'
          where run_id = ${holder.run_id} and status = 'running'`
      })
      return acquireWriterLock(input)
    }
    throw new Error(
      ended
        ? `Run ${holder?.run_id} ended without finishing; its lock is taken over once its activities have stopped`
        : `The warehouse is being written by run ${holder?.run_id}; waiting for it to finish`,
    )
  }
}

/**
 * How long after a dead run's workflow ended its lock is taken over: the default heartbeat
 * timeout. The activities it still had running heartbeat three times in that time, learn that it
 * ended, and stop (their statements cancelled), so the new writer never writes beside them.
 */
const ENDED_RUN_GRACE_SECONDS = 20

/** When a workflow closed, or undefined while it runs (gone past the namespace's retention: long ago). */
async function workflowEndedAt(workflowId: string): Promise<Date | undefined> {
  try {
    const description = await getClient().workflow.getHandle(workflowId).describe()
    if (description.status.name === 'RUNNING') return undefined
    return description.closeTime ?? new Date(0)
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return new Date(0)
    throw error
  }
}

export function makeReleaseWriterLock(context: ActivityContext) {
  return async function releaseWriterLock(input: RunIdInput): Promise<void> {
    await context.warehouse`delete from etl.publish_lock where lock_name = 'warehouse' and run_id = ${input.runId}`
  }
}
