// Replay tests: every recorded workflow history in tests/fixtures/histories/ must replay against
// the current workflow code, so a change to a workflow's commands that would break the runs
// already in flight (or their Web UI history) fails here, before it is deployed. Old fixtures
// stay when a workflow changes (with patched()); docs/workflows.md says how to record one.
// Replay is offline: no Temporal server, no database. The last two tests prove the check can
// fail: a pipelineRun, and a quarantineBatch, that call their activities in another order are
// refused with a determinism error.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  bundleWorkflowCode,
  DefaultLogger,
  type History,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker'
import { DeterminismViolationError } from '@temporalio/workflow'
import { beforeAll, describe, expect, it } from 'vitest'
import { projectRoot, workflowInterceptorsEntry, workflowsEntry } from '../../lib/paths.ts'
import { historyFromJson } from '../../scripts/record-history.ts'

interface Fixture {
  file: string
  workflowId: string
  workflowType: string
  history: History
}

const FIXTURES_DIR = path.join(projectRoot, 'tests', 'fixtures', 'histories')
const fixtures: Fixture[] = readdirSync(FIXTURES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const { workflowId, workflowType, history } = JSON.parse(readFileSync(path.join(FIXTURES_DIR, file), 'utf8'))
    // Not Worker.runReplayHistory's own JSON reading: it fails in this install (scripts/record-history.ts says why).
    return { file, workflowId, workflowType, history: historyFromJson(history) }
  })

/**
 * Bundled from source with the workflow interceptors, as a worker without a pre-built bundle
 * does: the code as it is now, never a stale dist/.
 */
const bundle = (workflowsPath: string) =>
  bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [workflowInterceptorsEntry],
    logger: new DefaultLogger('WARN'),
  })

/** Replays one fixture; resolves to the replay's error, or undefined when it replayed. */
async function replay(workflowBundle: WorkflowBundleWithSourceMap, fixture: Fixture): Promise<unknown> {
  return Worker.runReplayHistory({ workflowBundle }, fixture.history, fixture.workflowId).then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe('recorded workflow histories replay against the current workflows', () => {
  let current: WorkflowBundleWithSourceMap
  beforeAll(async () => {
    // Quiet: the replay worker logs the determinism failure that the last test expects.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR' } } },
    })
    current = await bundle(workflowsEntry)
  })

  it('has the pipelineRun fixtures: a full run, an incremental run and a failed run', () => {
    expect(fixtures.map((fixture) => fixture.file)).toEqual(
      expect.arrayContaining(['pipeline-run-failed.json', 'pipeline-run-full.json', 'pipeline-run-incremental.json']),
    )
  })

  it('has fixtures of the patched code: a run that opened its quarantine batch, the batch, a reprocess run', () => {
    expect(fixtures.map((fixture) => [fixture.file, fixture.workflowType])).toEqual(
      expect.arrayContaining([
        ['pipeline-run-full-with-batch.json', 'pipelineRun'],
        ['quarantine-batch-reprocessed-and-discarded.json', 'quarantineBatch'],
        ['reprocess-run.json', 'reprocessRun'],
      ]),
    )
  })

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s replays', async (_file, fixture) => {
    expect(await replay(current, fixture)).toBeUndefined()
  })

  describe('against workflows changed without patched()', () => {
    let changed: WorkflowBundleWithSourceMap
    beforeAll(async () => {
      changed = await bundle(path.join(projectRoot, 'tests', 'support', 'nondeterministic', 'workflows.ts'))
    })

    const refusesEvery = async (workflowType: string) => {
      const histories = fixtures.filter((fixture) => fixture.workflowType === workflowType)
      expect(histories.length).toBeGreaterThan(0)
      for (const fixture of histories) {
        const error = await replay(changed, fixture)
        expect(error, fixture.file).toBeInstanceOf(DeterminismViolationError)
      }
    }

    it('a pipelineRun that calls planRun before startRun fails every pipelineRun history with a DeterminismViolationError', async () => {
      await refusesEvery('pipelineRun')
    })

    it('a quarantineBatch that calls settleBatch before describeBatch fails every quarantineBatch history with a DeterminismViolationError', async () => {
      await refusesEvery('quarantineBatch')
    })
  })
})
