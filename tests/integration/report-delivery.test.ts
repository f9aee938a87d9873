// The run report's delivery: the buildReport activity uploads it under the run's key (the same
// object when built again), the run summary names it, and `paccafe report` writes the same
// page locally; an unknown run or a path that cannot be written exits 2 with one line.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeBuildReport, REPORT_CONTENT_TYPE } from '../../activities/build-report.ts'
import { EXIT } from '../../cli/exit-codes.ts'
import { reportKeyOf } from '../../lib/contract.ts'
import { readText } from '../../lib/object-store.ts'
import { formatRunSummary, readRunSummary } from '../../lib/run-summary.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf } from '../support/processes.ts'

describe('the run report, delivered', () => {
  let h: Harness
  let runId: string
  let env: NodeJS.ProcessEnv
  let folder: string
  let uploaded: string

  beforeAll(async () => {
    h = await createHarness({ scale: 0.05 })
    ;({ runId } = await h.run('full'))
    env = { ...environmentOf(h.config), PACCAFE_LOG_LEVEL: 'error' }
    folder = await mkdtemp(path.join(tmpdir(), 'paccafe-report-'))
  }, 600_000)

  afterAll(async () => {
    await h?.close()
    if (folder) await rm(folder, { recursive: true, force: true })
  })

  it('uploads the report under the run key, the same object when built twice, and the summary names it', async () => {
    const buildReport = makeBuildReport(h.handle.context)
    const first = await buildReport({ runId })
    expect(first.reportKey).toBe(`reports/run=${runId}/report.html`)
    expect(first.reportKey).toBe(reportKeyOf(runId))
    const stat = await h.store.client.statObject(h.store.bucket, first.reportKey)
    expect(stat.metaData['content-type']).toBe(REPORT_CONTENT_TYPE)
    expect(stat.size).toBe(first.bytes)
    uploaded = await readText(h.store, first.reportKey)
    expect(Buffer.byteLength(uploaded)).toBe(first.bytes)
    expect(uploaded).toMatch(/^<!doctype html>/i)

    const second = await buildReport({ runId })
    expect(second).toEqual(first)
    expect(await readText(h.store, second.reportKey)).toBe(uploaded)
    // Nothing else was written under reports/.
    const keys: string[] = []
    for await (const item of h.store.client.listObjectsV2(h.store.bucket, 'reports/', true))
      if (item.name) keys.push(item.name)
    expect(keys).toEqual([first.reportKey])

    const summary = await readRunSummary(h.warehouse, runId)
    expect(summary.report).toEqual({ report_key: first.reportKey, report_bytes: first.bytes })
    expect(formatRunSummary(summary, h.store.bucket, 'http://ui')).toContain(
      `Report: s3://${h.store.bucket}/${first.reportKey}`,
    )
  })

  it('refuses a run the warehouse never recorded', async () => {
    await expect(makeBuildReport(h.handle.context)({ runId: 'run-never-1' })).rejects.toThrow(
      'There is no run run-never-1 to report on',
    )
  })

  it('paccafe report <run> --out writes the same page as the bucket holds, and says where', async () => {
    const out = path.join(folder, 'named.html')
    const result = await runPaccafe(['report', runId, '--out', out], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    const written = await readFile(out, 'utf8')
    expect(written).toBe(uploaded)
    expect(result.stdout.trim()).toBe(
      `Report of run ${runId}: ${out} (${Buffer.byteLength(written).toLocaleString('en')} bytes)`,
    )
  })

  it('paccafe report without a run writes the latest run', async () => {
    const out = path.join(folder, 'latest.html')
    const result = await runPaccafe(['report', '--out', out], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    expect(result.stdout).toContain(`Report of run ${runId}:`)
    expect(await readFile(out, 'utf8')).toBe(uploaded)
  })

  it('an unknown run exits 2 with one line', async () => {
    const result = await runPaccafe(['report', 'run-no-such-run', '--out', path.join(folder, 'x.html')], env)
    expect(result.code).toBe(EXIT.badInput)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'paccafe: There is no run run-no-such-run (see: paccafe runs)',
    ])
  })

  it('a path that cannot be written exits 2 with one line', async () => {
    const out = path.join(folder, 'missing-folder', 'report.html')
    const result = await runPaccafe(['report', runId, '--out', out], env)
    expect(result.code).toBe(EXIT.badInput)
    expect(result.stderr.trimEnd().split('\n')).toEqual([`paccafe: Cannot write the report to ${out} (ENOENT)`])
  })
})
