// Errors that retrying cannot fix stop the run at once, with a typed failure and a clear
// message, and leave the warehouse as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureTypes, type Harness, rootMessage } from '../support/harness.ts'

let h: Harness

describe('a run that cannot succeed', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
  })
  afterAll(async () => {
    await h?.close()
  })

  it('stops on schema drift before staging, naming the table, column and types', async () => {
    await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
    await h.source`alter table employees drop column role`
    const { runId, error } = await h.runExpectingFailure('full')
    const message = rootMessage(error)
    expect(failureTypes(error)).toContain('BadInputError')
    expect(message).toMatch(/Schema drift in source table public\.(customers|employees)/)
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/Schema drift/)
    const steps = await h.warehouse`
      select table_name, error from etl.steps where run_id = ${runId} and step = 'extract' and status = 'failed'
      order by table_name`
    expect(steps.map((s) => s.error)).toEqual(
      expect.arrayContaining([expect.stringContaining('column loyalty_points is numeric(10,2), expected integer')]),
    )
    // Nothing was staged and no attempt was retried: a non-retryable failure.
    const [staged] = await h.warehouse`select count(*)::int as n from staging.customers`
    expect(staged?.n).toBe(0)
    const description = await h.client.workflow.getHandle(`paccafe-pipeline-${runId}`).describe()
    expect(description.status.name).toBe('FAILED')
  })
})
