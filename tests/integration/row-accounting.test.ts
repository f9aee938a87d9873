// Row accounting fails a run that loses a row: a row extracted, not rejected and not in the
// warehouse table that publishes it makes rows_extracted <> rows_published + rows_rejected, and
// the run fails at once (an AccountingMismatchError, not retried), naming the table and counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureMessage, failureTypes, type Harness } from '../support/harness.ts'
import { activityAttempts } from '../support/run-watch.ts'

let h: Harness

describe('a run whose rows do not balance', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('fails, naming the table and its counts, and records the difference', async () => {
    // A new customer, valid, that the warehouse silently drops on its way into dim_customers.
    await h.source`insert into customers (customer_id, first_name, last_name, email, phone, loyalty_points, created_at)
                   values (9001, 'Hilang', 'Sekali', 'hilang@example.com', '6281234567890', 5, '2030-01-01 09:00')`
    await h.warehouse.unsafe(`
      create function public.drop_customer() returns trigger language plpgsql as $$
      begin return null; end $$;
      create trigger drop_customer before insert on warehouse.dim_customers
      for each row when (new.nk_customer_id = 9001) execute function public.drop_customer();`)
    const { runId, error } = await h.runExpectingFailure('full')
    expect(failureTypes(error)).toContain('AccountingMismatchError')
    expect(failureMessage(error, 'AccountingMismatchError')).toBe(
      `Row accounting does not balance for run ${runId}: customers: extracted 1 != published 0 + rejected 0`,
    )
    const accounting = await h.warehouse`
      select rows_extracted, rows_published, rows_rejected, difference from etl.row_accounting
      where run_id = ${runId} and table_name = 'customers'`
    expect(accounting).toEqual([{ rows_extracted: 1, rows_published: 0, rows_rejected: 0, difference: 1 }])
    const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('failed')
    expect(run?.error).toMatch(/customers: extracted 1 != published 0 \+ rejected 0/)
    // Not retried: retrying cannot bring the row back.
    const reconcile = (await activityAttempts(h.client.workflow.getHandle(`paccafe-pipeline-${runId}`))).filter(
      (a) => a.type === 'reconcileRowAccounting',
    )
    expect(reconcile.map((a) => ({ attempt: a.attempt, nonRetryable: a.failure?.nonRetryable }))).toEqual([
      { attempt: 1, nonRetryable: true },
    ])
  })
})
