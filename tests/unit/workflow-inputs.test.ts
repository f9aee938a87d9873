import Value from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { startPipelineRun } from '../../client/start-runs.ts'
import { type PipelineRunInput, PipelineRunInputSchema, RunIdSchema } from '../../lib/contract.ts'
import { BadInputError } from '../../lib/errors.ts'
import { checkWorkflowInput, inputProblem, runIdFrom } from '../../lib/input-checks.ts'

describe('workflow inputs', () => {
  it('take the run id from the workflow id when the input has none', () => {
    expect(runIdFrom('paccafe-pipeline-run-manual-1', undefined)).toBe('run-manual-1')
    expect(runIdFrom('my-run', undefined)).toBe('my-run')
    expect(runIdFrom('paccafe-pipeline-x', 'run-given')).toBe('run-given')
  })

  it("make a scheduled run's id from its workflow id, the server's RFC3339 nominal time made compact", () => {
    expect(runIdFrom('paccafe-pipeline-scheduled-hourly-incremental-2026-12-03T14:00:00Z', undefined)).toBe(
      'scheduled-hourly-incremental-20261203T140000Z',
    )
    expect(
      runIdFrom('paccafe-pipeline-scheduled-nightly-full.paccafe-test-ab12cd34-2026-12-03T19:00:00Z', undefined),
    ).toBe('scheduled-nightly-full.paccafe-test-ab12cd34-20261203T190000Z')
    // An offset is turned into UTC (across midnight and the year), a fraction kept.
    expect(runIdFrom('paccafe-pipeline-scheduled-x-2027-01-01T02:00:00+07:00', undefined)).toBe(
      'scheduled-x-20261231T190000Z',
    )
    expect(runIdFrom('paccafe-pipeline-scheduled-x-2026-12-03T14:00:00.250-05:30', undefined)).toBe(
      'scheduled-x-20261203T193000.250Z',
    )
    // Made compact once: the same id twice gives the same run id, and a compact one is left as it is.
    const id = 'paccafe-pipeline-scheduled-hourly-incremental-2026-12-03T14:00:00Z'
    expect(runIdFrom(id, undefined)).toBe(runIdFrom(id, undefined))
    expect(runIdFrom('paccafe-pipeline-scheduled-x-20261203T140000Z', undefined)).toBe('scheduled-x-20261203T140000Z')
    // Only a whole timestamp at the end counts; the input's run id still wins.
    expect(runIdFrom('paccafe-pipeline-run-2026-12-03', undefined)).toBe('run-2026-12-03')
    expect(runIdFrom('paccafe-pipeline-x-2026-12-03T14:00:00Z-full', undefined)).toBe('x-2026-12-03T14:00:00Z-full')
    expect(runIdFrom('paccafe-pipeline-scheduled-x-2026-12-03T14:00:00Z', 'run-given')).toBe('run-given')
  })

  it('give a scheduled run a run id the contract accepts', () => {
    const runId = runIdFrom('paccafe-pipeline-scheduled-hourly-incremental-2026-12-03T14:00:00Z', undefined)
    expect(Value.Check(RunIdSchema, runId)).toBe(true)
    expect(
      checkWorkflowInput<PipelineRunInput>(
        'pipelineRun',
        PipelineRunInputSchema,
        { mode: 'incremental' },
        `paccafe-pipeline-scheduled-hourly-incremental-2026-12-03T14:00:00Z`,
      ),
    ).toEqual({ mode: 'incremental', runId: 'scheduled-hourly-incremental-20261203T140000Z' })
  })

  it('accept the inputs the CLI and the README give', () => {
    expect(inputProblem(PipelineRunInputSchema, { mode: 'full' })).toBeUndefined()
    expect(inputProblem(PipelineRunInputSchema, { runId: 'run-20261125T180102Z-full', mode: 'incremental' })).toBe(
      undefined,
    )
  })

  it('are checked by the client before a workflow starts', async () => {
    const client = {} as Parameters<typeof startPipelineRun>[0] // never reached: the check comes first
    const started = startPipelineRun(client, 'queue', { runId: 'run-1', mode: 'fulll' as 'full' })
    await expect(started).rejects.toThrow(BadInputError)
    await expect(started).rejects.toThrow(
      'pipelineRun input: mode: "fulll" is not valid, expected "full" or "incremental"',
    )
  })
})
