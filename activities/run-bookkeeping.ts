// etl.runs: a run's start and end. Both are idempotent upserts keyed by run id.
import { getClient } from '@temporalio/activity'
import { WorkflowNotFoundError } from '@temporalio/client'
import type { TransactionSql } from '../lib/db.ts'
import { qualified } from '../lib/model-compiler.ts'
import { PREVIOUS_VERSIONS_SUFFIX } from '../lib/models.ts'
import type { RunMode } from '../lib/pipeline-types.ts'
import { quoteIdentifier } from '../lib/sql-text.ts'
import type { ActivityContext } from './context.ts'

export interface StartRunInput {
  runId: string
  workflowId: string
  /** models: a models-only run (paccafe models run), which extracts nothing. */
  mode: RunMode | 'models'
}

export interface FinishRunInput {
  runId: string
  status: 'succeeded' | 'failed'
  error?: string
}

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

/**
 * A run that fails after staging must not strand its rows: they are in the mirror under its
 * batches, but were never published, and the next run would find them unchanged (or below the
 * watermark, or in a file already ingested). So, in one transaction: the rows of its batches get
 * a row hash no source row has, the watermarks it moved go back, and its sheet files are
 * forgotten. The next run then stages those rows again, and publishes them.
 */
export function makeReleaseFailedRun(context: ActivityContext) {
  return async function releaseFailedRun(input: { runId: string }): Promise<void> {
    await context.warehouse.begin((tx) => releaseRun(tx, input.runId))
  }
}

async function releaseRun(tx: TransactionSql, runId: string): Promise<void> {
  const batches = await tx<{ batch_id: string; table_name: string }[]>`
    select batch_id, table_name from etl.batches where run_id = ${runId}`
  for (const batch of batches) {
    await tx.unsafe(
      `update staging.${quoteIdentifier(batch.table_name)} set _row_hash = 'released' where _batch_id = $1`,
      [batch.batch_id],
    )
  }
  await tx`
    update etl.watermarks as w set high_water_mark = b.watermark_before, last_batch_id = null, updated_at = now()
    from etl.batches as b
    where b.run_id = ${runId} and w.table_name = b.table_name and w.last_batch_id = b.batch_id`
  await tx`
    delete from etl.ingested_files where batch_id in (select batch_id from etl.batches where run_id = ${runId})`
}

/**
 * A run that failed part-way through publishing wrote rows that the models after its failure
 * never read: the sums follow the rows a run wrote (`_run_id`, and the previous versions it
 * saved, `_replaced_in`). The next pipeline run takes them over, in one transaction, before it
 * builds anything: they become its own rows, so its models read them as rows it changed, and
 * every table converges to what a clean build gives, with no manual step. Only runs after the
 * last successful pipeline run can have left such rows (that run took over those before it).
 */
export function makeAdoptFailedRuns(context: ActivityContext) {
  return async function adoptFailedRuns(input: { runId: string }): Promise<{ runs: string[]; rows: number }> {
    return context.warehouse.begin(async (tx) => {
      const failed = await tx<{ run_id: string }[]>`
        select run_id from etl.runs
        where status = 'failed' and run_id <> ${input.runId}
          and started_at > coalesce((select max(started_at) from etl.runs
                                     where status = 'succeeded' and mode in ('full', 'incremental')), '-infinity')`
      const runs = failed.map((row) => row.run_id)
      let rows = 0
      if (runs.length === 0) return { runs, rows }
      for (const model of context.models.filter((m) => m.materialized === 'incremental' || m.materialized === 'scd2')) {
        const tables = [
          { table: qualified(model), column: '_run_id' },
          ...(model.keepsPreviousVersions
            ? [
                {
                  table: qualified({ ...model, table: `${model.table}${PREVIOUS_VERSIONS_SUFFIX}` }),
                  column: '_replaced_in',
                },
              ]
            : []),
        ]
        for (const { table, column } of tables) {
          const [exists] = await tx<{ found: boolean }[]>`select to_regclass(${table}) is not null as found`
          if (!exists?.found) continue
          const updated = await tx.unsafe(`update ${table} set ${column} = $1 where ${column} = any($2::text[])`, [
            input.runId,
            runs,
          ])
          rows += updated.count
        }
      }
      return { runs, rows }
    })
  }
}

/**
 * One writer at a time: runs (and later reprocessing) never write staging and the warehouse
 * side by side. Taking the lock again with the same run id is a no-op, so a retry is safe;
 * while another run holds it, this fails with a retryable error and Temporal tries again. A
 * holder whose workflow has ended without finishing its run (terminated, timed out, reset) is
 * a dead run: its run is marked failed and its staged rows handed back, and the lock is taken
 * over at once, as from a run that failed (the next run also takes over what it published).
 */
export function makeAcquireWriterLock(context: ActivityContext) {
  return async function acquireWriterLock(input: { runId: string }): Promise<void> {
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
  return async function releaseWriterLock(input: { runId: string }): Promise<void> {
    await context.warehouse`delete from etl.publish_lock where lock_name = 'warehouse' and run_id = ${input.runId}`
  }
}
