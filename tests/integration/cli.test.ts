// The CLI as a user and a script meet it: a bad setting stops it with one clear line and the
// bad-input exit code; the seed command never writes into a database that already has tables;
// `run`, `runs`, `status` and `batches` print the same facts as text and as JSON, and their
// exit codes tell a succeeded run, a failed one, a bad flag and a service that cannot be reached.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../cli/exit-codes.ts'
import type { RunListing, RunReport } from '../../cli/run-report.ts'
import { sourceAdminUrl } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../../lib/db.ts'
import { projectRoot } from '../../lib/paths.ts'
import { createHarness, type Harness, testConfig, uniqueTestId } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf } from '../support/processes.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')

async function paccafe(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(cli, args, { env: { ...process.env, ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('the paccafe CLI', () => {
  const config = testConfig(uniqueTestId('cli'))
  afterAll(async () => {
    await dropDatabase(sourceAdminUrl(config))
    await rm(config.sheets.dir, { recursive: true, force: true })
  })

  it('stops on a bad setting with one line: variable, value, expectation', async () => {
    const result = await paccafe(['run'], { PACCAFE_WAREHOUSE_URL: 'mysql://localhost/warehouse' })
    expect(result.code).toBe(EXIT.badInput)
    expect(result.stderr.trim()).toBe(
      'paccafe: Invalid configuration: PACCAFE_WAREHOUSE_URL="mysql://localhost/warehouse": expected a PostgreSQL URL such as postgres://user@host:5432/database',
    )
  })

  it('seeds an empty source database with a reader role, then refuses to write into it again', async () => {
    // The demo sheets go to the test's own folder, not the project's .data/sheets.
    const env = { PACCAFE_SOURCE_URL: config.sourceUrl, PACCAFE_SHEETS_DIR: config.sheets.dir }
    const first = await paccafe(['seed'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('"customers":200')
    const again = await paccafe(['seed'], env)
    expect(again.code).toBe(EXIT.badInput)
    expect(again.stderr).toContain('already has tables')
    await ensureDatabase(sourceAdminUrl(config))
    // The pipeline's reader role can read what seed wrote, and write nothing.
    const reader = connect(config.sourceUrl, { max: 1 })
    try {
      const [count] = await reader`select count(*)::int as n from customers`
      expect(count?.n).toBe(200)
      await expect(reader`delete from customers`).rejects.toThrow(/permission denied/)
    } finally {
      await reader.end()
    }
  })
})

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('paccafe for scripts: exit codes, --version', () => {
  it('a bad flag exits with the bad-input code and one line', async () => {
    const result = await runPaccafe(['run', '--bogus'], {})
    expect(result.code).toBe(EXIT.badInput)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toEqual(["paccafe: unknown option '--bogus' (see --help)"])
  })

  it('a Temporal server that cannot be reached exits with the service code and one line', async () => {
    const port = await closedPort()
    const result = await runPaccafe(['run', '--json'], { PACCAFE_TEMPORAL_ADDRESS: `127.0.0.1:${port}` })
    expect(result.code).toBe(EXIT.serviceUnavailable)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `paccafe: Cannot reach the Temporal server at 127.0.0.1:${port} (connection refused): is it running? (paccafe services up) Check PACCAFE_TEMPORAL_ADDRESS.`,
    ])
  })

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
    const result = await runPaccafe(['--version'], {})
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})

describe('paccafe run, runs, status and batches on a real run', () => {
  let h: Harness
  let env: NodeJS.ProcessEnv
  let report: RunReport

  beforeAll(async () => {
    h = await createHarness()
    env = { ...environmentOf(h.config), PACCAFE_LOG_LEVEL: 'error' }
  }, 600_000)

  afterAll(async () => {
    await h?.close()
  })

  it('run --json prints the summary as one JSON document, notices on stderr, and exits 0', async () => {
    const result = await runPaccafe(['run', '--json'], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    report = JSON.parse(result.stdout) as RunReport
    expect(report).toMatchObject({ status: 'succeeded', mode: 'full', startedBy: 'cli', error: null })
    expect(report.workflowId).toBe(`paccafe-pipeline-${report.runId}`)
    expect(report.webUiUrl).toContain(encodeURIComponent(report.workflowId))
    expect(result.stderr).toContain(`Started ${report.workflowId}`)
    // The same facts as the warehouse's: every table accounted for, rows held back in the batch.
    const [accounting] = await h.warehouse<{ published: number; rejected: number }[]>`
      select sum(rows_published)::int as published, sum(rows_rejected)::int as rejected
      from etl.row_accounting where run_id = ${report.runId}`
    expect(report.rowsPublished).toBe(accounting?.published)
    expect(report.rowsRejected).toBe(accounting?.rejected)
    expect(report.summary?.tables.map((t) => t.difference)).toEqual(report.summary?.tables.map(() => 0))
    expect(report.summary?.tables.length).toBeGreaterThan(0)
    expect(report.quarantineBatch?.batchId).toBe(report.runId)
  })

  it('run in a log (not a terminal) prints plain lines, then the summary', async () => {
    const result = await runPaccafe(['run', '--mode', 'incremental'], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    // No carriage return and no escape sequence: what a terminal's bar would draw.
    for (const output of [result.stdout, result.stderr]) {
      expect(output.includes('\r') || output.includes(String.fromCharCode(27))).toBe(false)
    }
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(/^Started paccafe-pipeline-run-\d{8}T\d{6}Z-incremental$/)
    expect(lines[1]).toMatch(/^Watch it in the Web UI: http/)
    expect(lines).toContain('Published (extracted = published + rejected):')
    expect(result.stdout).toMatch(/\nRun run-\d{8}T\d{6}Z-incremental \(incremental\): succeeded\n/)
  })

  it('run on a terminal draws a bar (steps done of total, stage), then prints the summary', async () => {
    // script(1) gives the command a pseudo-terminal, as a person's shell does.
    const result = await runPaccafe(['-q', '-e', '-c', `${cli} run --mode incremental`, '/dev/null'], env, {
      command: 'script',
    })
    expect(result.code, result.stdout).toBe(EXIT.ok)
    expect(result.stdout).toMatch(/\d+\/\d+ steps \| (starting|waiting|extracting|cleaning|validating|publishing)/)
    expect(result.stdout).toContain('\r')
    expect(result.stdout).toMatch(/Run run-\d{8}T\d{6}Z-incremental \(incremental\): succeeded/)
  })

  it('runs --json lists the runs, the latest first; runs prints them as a table', async () => {
    const result = await runPaccafe(['runs', '--json'], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    const runs = JSON.parse(result.stdout) as RunListing[]
    expect(runs.map((run) => [run.mode, run.status])).toEqual([
      ['incremental', 'succeeded'],
      ['incremental', 'succeeded'],
      ['full', 'succeeded'],
    ])
    expect(runs[2]).toMatchObject({
      runId: report.runId,
      rowsPublished: report.rowsPublished,
      quarantineBatch: report.quarantineBatch,
    })
    const text = await runPaccafe(['runs', '--limit', '1'], env)
    const lines = text.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^run +mode +status +started +seconds +extracted +published +rejected +batch +by$/)
    expect(lines[1]).toMatch(new RegExp(`^${runs[0]?.runId} +incremental +succeeded `))
  })

  it('status <run> --json is what run --json printed; an unknown run exits 2', async () => {
    const result = await runPaccafe(['status', report.workflowId, '--json'], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    expect(JSON.parse(result.stdout)).toEqual(report)
    const text = await runPaccafe(['status', report.runId], env)
    expect(text.stdout.split('\n').slice(0, 1)).toEqual([`Run ${report.runId} (full): succeeded`])
    expect(text.stdout).toContain(`Web UI: ${report.webUiUrl}`)
    const unknown = await runPaccafe(['status', 'run-20000101T000000Z-full'], env)
    expect(unknown.code).toBe(EXIT.badInput)
    expect(unknown.stderr.trim()).toBe('paccafe: There is no run run-20000101T000000Z-full (see: paccafe runs)')
  })

  it('batches --json lists the batch the full run opened', async () => {
    const result = await runPaccafe(['batches', '--json'], env)
    expect(result.code, result.stderr).toBe(EXIT.ok)
    const batches = JSON.parse(result.stdout) as { batch_id: string; status: string; rows_held: number }[]
    expect(batches.find((batch) => batch.batch_id === report.runId)).toMatchObject({
      status: 'open',
      rows_held: report.quarantineBatch?.rowsHeld,
    })
  })

  it('a failed run prints its summary and exits with the failed-run code', async () => {
    await h.source`alter table customers alter column loyalty_points type numeric(10, 2)`
    try {
      const result = await runPaccafe(['run', '--json'], env)
      expect(result.code, result.stderr).toBe(EXIT.runFailed)
      const failed = JSON.parse(result.stdout) as RunReport
      expect(failed.status).toBe('failed')
      expect(failed.error).toMatch(/Schema drift in source table public\.customers: column loyalty_points/)
      expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(/^paccafe: The run failed: .*Schema drift/)
    } finally {
      await h.source`alter table customers alter column loyalty_points type integer`
    }
  })
})
