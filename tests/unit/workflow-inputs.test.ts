import { describe, expect, it } from 'vitest'
import { startPipelineRun } from '../../client/start-runs.ts'
import { PipelineRunInputSchema } from '../../lib/contract.ts'
import { BadInputError } from '../../lib/errors.ts'
import { inputProblem, runIdFrom } from '../../lib/input-checks.ts'

describe('workflow inputs', () => {
  it('take the run id from the workflow id when the input has none', () => {
    expect(runIdFrom('paccafe-pipeline-run-manual-1', undefined)).toBe('run-manual-1')
    expect(runIdFrom('my-run', undefined)).toBe('my-run')
    expect(runIdFrom('paccafe-pipeline-x', 'run-given')).toBe('run-given')
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
