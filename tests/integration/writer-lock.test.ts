// One writer at a time: two runs started together do not write side by side; the second waits
// for the first to finish, and both succeed. A run whose workflow ended without finishing (a
// user terminated it) does not keep the lock: the next run takes it over. While a run waits for
// the lock, its progress query says `waiting`; a lock left by a run that no longer runs is taken over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PipelineRunResult } from '../../lib/contract.ts'
import { pipelineRun, progressQuery } from '../../workflows/index.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { until } from '../support/processes.ts'
import { pendingActivities, resultWithin, runState } from '../support/run-watch.ts'

let h: Harness

describe('two runs started at the same time', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.2 })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('take turns: every step of one run comes after the other run finished', async () => {
    const [first, second] = await Promise.all([h.start('full'), h.start('full')])
    await Promise.all([first.workflow.result(), second.workflow.result()])
    const runs = await h.warehouse<{ run_id: string; status: string; first_step: Date; finished_at: Date }[]>`
      select r.run_id, r.status, min(s.started_at) as first_step, r.finished_at
      from etl.runs r join etl.steps s using (run_id)
      where r.run_id in (${first.runId}, ${second.runId})
      group by r.run_id order by r.finished_at`
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded'])
    const [earlier, later] = runs
    expect(later?.first_step.getTime()).toBeGreaterThanOrEqual(
      earlier?.finished_at.getTime() ?? Number.POSITIVE_INFINITY,
    )
    const [lock] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
    expect(lock?.n).toBe(0)
  })

  it('is taken over from a run whose workflow was terminated, and the next run succeeds', async () => {
    const dead = await h.start('full')
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const [lock] = await h.warehouse`select run_id from etl.publish_lock where lock_name = 'warehouse'`
      if (lock?.run_id === dead.runId) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await dead.workflow.terminate('a user stopped it in the Web UI')
    const next = await h.start('full')
    const result: PipelineRunResult = await next.workflow.result()
    expect(result.accounting.every((row) => row.difference === 0)).toBe(true)
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${dead.runId}`
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/workflow ended before the run finished/)
    const [lock] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
    expect(lock?.n).toBe(0)
  })

  it('makes a run wait, saying so, while another run holds it, and is taken over once that run no longer runs', async () => {
    // The holder: a run recorded as running, whose workflow runs (on a task queue no worker polls).
    const holder = `run-holder-${Date.now()}`
    const holderWorkflow = await h.client.workflow.start(pipelineRun, {
      taskQueue: `${h.config.temporal.taskQueue}-nobody`,
      workflowId: `paccafe-pipeline-${holder}`,
      args: [{ runId: holder, mode: 'full' }],
    })
    try {
      await h.warehouse`insert into etl.runs (run_id, workflow_id, mode) values (${holder}, ${holderWorkflow.workflowId}, 'full')`
      await h.warehouse`insert into etl.publish_lock (lock_name, run_id) values ('warehouse', ${holder})`
      const waiting = await h.start('full')
      // Its lock was refused at least once: the holder was there when it asked.
      await until('the run to have asked for the lock twice', async () =>
        (await pendingActivities(waiting.workflow)).some((a) => a.type === 'acquireWriterLock' && a.attempt >= 2),
      )
      const progress = await waiting.workflow.query(progressQuery)
      expect(progress).toMatchObject({ runId: waiting.runId, stage: 'waiting', stepsDone: 0 })
      const [steps] = await h.warehouse`select count(*)::int as n from etl.steps where run_id = ${waiting.runId}`
      expect(steps?.n).toBe(0)

      // The holder stops running (it failed) but leaves its lock: the waiting run takes it over.
      await h.warehouse`update etl.runs set status = 'failed', finished_at = now() where run_id = ${holder}`
      const result = await resultWithin<PipelineRunResult>(waiting.workflow, 60_000, () =>
        runState(h.warehouse, waiting.workflow, waiting.runId),
      )
      expect(result.accounting.filter((row) => row.difference !== 0)).toEqual([])
      expect((await waiting.workflow.query(progressQuery)).stage).toBe('done')
      const [lock] = await h.warehouse`select count(*)::int as n from etl.publish_lock`
      expect(lock?.n).toBe(0)
    } finally {
      await holderWorkflow.terminate('the test is over')
    }
  })
})
