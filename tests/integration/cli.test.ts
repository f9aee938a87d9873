// The CLI as a user meets it: a bad setting stops it with one clear line; the seed command
// never writes into a database that already has tables.
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { sourceAdminUrl } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../../lib/db.ts'
import { projectRoot } from '../../lib/paths.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

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
    expect(result.code).toBe(1)
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
    expect(again.code).toBe(1)
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
