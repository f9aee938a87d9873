// An incremental model keeps its rows across runs, so a table whose columns no longer match its
// model file is reported, not silently merged into: the run fails at once (a ConfigurationError,
// not retried) naming the model file and the columns, and once the table is changed to match,
// the next run succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'
import { activityAttempts } from '../support/run-watch.ts'

let h: Harness

describe('an incremental model whose column list changed (a scenario: reported, then mended)', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('is reported by the run that builds it, naming the model and the columns', async () => {
    // The table gained a column the model does not select (as if the model file lost one).
    await h.warehouse`alter table warehouse.dim_customers add column legacy_code text`
    const { runId, error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('ConfigurationError')
    expect(failureMessage(error, 'ConfigurationError')).toMatch(
      /^Model \S*models\/warehouse\/dim_customers\.sql no longer matches warehouse\.dim_customers; removed columns: legacy_code\. Its rows come from past runs, so it cannot be rebuilt/,
    )
    const build = (await activityAttempts(h.client.workflow.getHandle(`paccafe-pipeline-${runId}`))).filter(
      (a) => a.type === 'runModel' && (a.input as { model?: string }).model === 'warehouse.dim_customers',
    )
    expect(build.map((a) => ({ attempt: a.attempt, nonRetryable: a.failure?.nonRetryable }))).toEqual([
      { attempt: 1, nonRetryable: true },
    ])
    const [step] = await h.warehouse`
      select status from etl.steps where run_id = ${runId} and step = 'model:warehouse.dim_customers'`
    expect(step?.status).toBe('failed')
  })

  it('builds again once the table matches its model', async () => {
    await h.warehouse`alter table warehouse.dim_customers drop column legacy_code`
    const { result } = await h.run('full')
    expect(result.accounting.filter((row) => row.difference !== 0)).toEqual([])
  })
})
