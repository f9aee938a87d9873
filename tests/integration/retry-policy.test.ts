// The retry policy, seen in a real run's workflow history: an error that retrying may fix (a
// serialization failure) is retried with exponential back-off and the run succeeds; an error
// of a type that retrying cannot fix (bad data, here) fails the activity on its first attempt,
// as a non-retryable failure, and the run with it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, failureTypes, type Harness } from '../support/harness.ts'
import { type Attempt, activityAttempts } from '../support/run-watch.ts'

let h: Harness

/** The mart every run rebuilds (truncated and refilled), so a statement trigger on it always fires. */
const MART = 'marts.sales_by_hour'

/** The first `failures` builds of the mart fail with SQLSTATE `code`; later ones succeed. */
async function plantFailures(code: string, failures: number): Promise<void> {
  // A sequence counts the attempts: nextval is not rolled back with the failed statement.
  await h.warehouse.unsafe(`
    create sequence public.planted_attempts;
    create function public.planted_failure() returns trigger language plpgsql as $$
    begin
      if nextval('public.planted_attempts') <= ${failures} then
        raise exception 'planted failure' using errcode = '${code}';
      end if;
      return null;
    end $$;
    create trigger planted_failure before insert on ${MART}
    for each statement execute function public.planted_failure();`)
}

const martBuild = (attempts: Attempt[]) =>
  attempts.filter((a) => a.type === 'runModel' && (a.input as { model?: string }).model === MART)

describe('the retry policy of activities', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 })
    await h.run('full')
  })
  afterEach(async () => {
    await h.warehouse.unsafe(`
      drop trigger if exists planted_failure on ${MART};
      drop function if exists public.planted_failure();
      drop sequence if exists public.planted_attempts;`)
  })
  afterAll(async () => {
    await h?.close()
  })

  it('retries an error retrying may fix, after 2 s and then 4 s, and the run succeeds', async () => {
    await plantFailures('40001', 2)
    const { runId, workflow } = await h.start('full')
    await workflow.result()
    const [build] = martBuild(await activityAttempts(workflow))
    expect(build).toMatchObject({ attempt: 3, lastFailure: expect.stringMatching(/planted failure/) })
    // Exponential back-off: 2 s before the second attempt, 4 s before the third (a fixed
    // interval would give 4 s in all).
    const waited = (build?.startedAt ?? 0) - (build?.scheduledAt ?? 0)
    expect(waited).toBeGreaterThanOrEqual(6_000)
    expect(waited).toBeLessThan(15_000)
    const [run] = await h.warehouse`select status from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('succeeded')
  })

  it('fails an error of a type retrying cannot fix on its first attempt, not retried', async () => {
    await plantFailures('22023', 1)
    const { runId, workflow } = await h.start('full')
    const error = await workflow.result().then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(failureTypes(error)).toContain('BadInputError')
    const [build] = martBuild(await activityAttempts(workflow))
    expect(build).toMatchObject({
      attempt: 1,
      failure: {
        type: 'BadInputError',
        message: expect.stringMatching(/marts\.sales_by_hour: bad data: planted failure/),
        nonRetryable: true,
      },
    })
    // One attempt was made: the sequence was drawn once.
    const [drawn] = await h.warehouse`select last_value::int as n from public.planted_attempts`
    expect(drawn?.n).toBe(1)
    const [run] = await h.warehouse`select status from etl.runs where run_id = ${runId}`
    expect(run?.status).toBe('failed')
  })
})
