import { describe, expect, it } from 'vitest'
import { barFields } from '../../cli/progress-display.ts'
import { formatRunHead, formatRunList, progressText, type RunListing, startedBy } from '../../cli/run-report.ts'
import { runIdOf } from '../../cli/run-status.ts'

const run: RunListing = {
  runId: 'run-20261201T020000Z-full',
  workflowId: 'paccafe-pipeline-run-20261201T020000Z-full',
  mode: 'full',
  status: 'succeeded',
  startedAt: '2026-12-01T02:00:00.123Z',
  finishedAt: '2026-12-01T02:00:04.500Z',
  durationSeconds: 4.4,
  rowsExtracted: 4504,
  rowsPublished: 4321,
  rowsRejected: 183,
  quarantineBatch: { batchId: 'run-20261201T020000Z-full', status: 'open', rowsHeld: 183 },
  startedBy: 'cli',
  error: null,
}

describe('paccafe runs and status, as text', () => {
  it('tells how a run was started from its id, when it can', () => {
    expect(startedBy('run-20261201T020000Z-incremental')).toBe('cli')
    expect(startedBy('scheduled-hourly-incremental-2026-12-01T02:00:00Z')).toBe('schedule')
    expect(startedBy('run-manual-1')).toBeNull()
  })

  it('lists runs in aligned columns, numbers to the right', () => {
    const lines = formatRunList([
      run,
      {
        ...run,
        runId: 'run-manual-1',
        status: 'running',
        finishedAt: null,
        durationSeconds: null,
        rowsExtracted: null,
        rowsPublished: null,
        rowsRejected: null,
        quarantineBatch: null,
        startedBy: null,
      },
    ])
    expect(lines).toEqual([
      'run                        mode  status     started               seconds  extracted  published  rejected  batch            by',
      'run-20261201T020000Z-full  full  succeeded  2026-12-01T02:00:00Z      4.4       4504       4321       183  open (183 held)  cli',
      'run-manual-1               full  running    2026-12-01T02:00:00Z        -          -          -         -  -                -',
    ])
    expect(formatRunList([])).toEqual(['no runs yet (start one with: paccafe run)'])
  })

  it('says the progress with the rows so far when the workflow reports them', () => {
    const progress = { runId: run.runId, stage: 'extracting' as const, stepsDone: 3, stepsTotal: 44 }
    expect(progressText(progress)).toBe('extracting: 3/44 steps done')
    expect(progressText({ ...progress, rowsExtracted: 4504 })).toBe('extracting: 3/44 steps done, 4,504 rows so far')
    expect(barFields({ progress: { ...progress, rowsExtracted: 4504 } })).toEqual({
      value: 3,
      total: 44,
      stage: 'extracting',
      rows: ' | 4,504 rows so far',
    })
    expect(barFields({ status: { key: 'w', text: 'waiting for the writer lock' } })).toEqual({
      value: 0,
      total: 1,
      stage: 'waiting for the writer lock',
      rows: '',
    })
  })

  it('heads a status with when, how long, by whom and the link', () => {
    const head = formatRunHead({ ...run, webUiUrl: 'http://ui/x', progress: null, waiting: null, summary: null })
    expect(head).toEqual([
      'Run run-20261201T020000Z-full (full): succeeded',
      '  started 2026-12-01T02:00:00.123Z, ended 2026-12-01T02:00:04.500Z (4.4 s) by cli',
      '  Web UI: http://ui/x',
    ])
  })

  it('takes a run id or its workflow id', () => {
    expect(runIdOf('paccafe-pipeline-run-20261201T020000Z-full')).toBe('run-20261201T020000Z-full')
    expect(runIdOf('run-20261201T020000Z-full')).toBe('run-20261201T020000Z-full')
  })
})
