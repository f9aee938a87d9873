// Start-up as an operator meets it, through the real CLI in child processes: a service that
// cannot be reached or logged in to stops the worker or `paccafe run` within seconds with one
// line naming the service, its address and what to check, never a secret; `paccafe run` with
// no worker on its task queue says so and how to start one; a worker told to stop (SIGTERM)
// exits within a bounded time even while an activity ignores the request.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPipelineRun } from '../../client/start-runs.ts'
import { databaseName, sourceAdminUrl, withDatabaseName } from '../../lib/config.ts'
import { connect, dropDatabase, ensureDatabase, type TransactionSql } from '../../lib/db.ts'
import { createObjectStore } from '../../lib/object-store.ts'
import { projectRoot } from '../../lib/paths.ts'
import { connectClient } from '../../lib/temporal.ts'
import { testConfig } from '../support/harness.ts'

const id = `startup${randomBytes(3).toString('hex')}`
const config = testConfig(id)
const warehouseUrl = config.warehouseUrl
// The owner, not the reader role: a start-up check only needs a database that answers.
const sourceUrl = sourceAdminUrl(config)
const secretKey = config.s3.secretKey

/** Settings that all work: each test breaks one. */
const goodEnv = (taskQueue = `paccafe-test-${id}-${randomBytes(3).toString('hex')}`) => ({
  PACCAFE_WAREHOUSE_URL: warehouseUrl,
  PACCAFE_SOURCE_URL: sourceUrl,
  PACCAFE_TASK_QUEUE: taskQueue,
  PACCAFE_S3_BUCKET: config.s3.bucket,
  PACCAFE_LOG_LEVEL: 'info',
})

interface Child {
  process: ChildProcess
  stdout: string
  stderr: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>
}

/** Starts the CLI as `./bin/paccafe` would; the kill timer bounds how long it may run. */
function paccafe(args: string[], env: Record<string, string>, killAfterMs = 30_000): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'cli', 'paccafe.ts'), ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const result: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => {
      let killed = false
      const timer = setTimeout(() => {
        killed = true
        child.kill('SIGKILL')
      }, killAfterMs)
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        resolve({ code, signal, killed })
      })
    }),
  }
  child.stdout?.on('data', (chunk: Buffer) => {
    result.stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    result.stderr += chunk.toString()
  })
  return result
}

/** Resolves once `text` has appeared in the child's output; fails if it exits first or after `ms`. */
async function waitForOutput(child: Child, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const match = `${child.stdout}\n${child.stderr}`.match(pattern)
    if (match) return match
    if (child.process.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`No ${pattern} in the output:\n${child.stdout}\n${child.stderr}`)
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const passwordInUrl = 'url-password-never-shown'

/**
 * Runs the CLI with one setting broken and returns its one line of error; it exits with `code`
 * (docs/cli.md: 4 a service cannot be reached or refused the login, 2 bad input).
 */
async function failsWithOneLine(args: string[], broken: Record<string, string>, code = 4): Promise<string> {
  const child = paccafe(args, { ...goodEnv(), ...broken })
  const exit = await child.exited
  expect(exit.killed, `still running at the kill timer:\n${child.stdout}\n${child.stderr}`).toBe(false)
  expect(exit.code, child.stderr).toBe(code)
  const lines = child.stderr.trim().split('\n')
  expect(lines, child.stderr).toHaveLength(1)
  for (const secret of [secretKey, passwordInUrl, ...Object.values(broken).filter((v) => v.includes('secret'))]) {
    expect(`${child.stdout}${child.stderr}`).not.toContain(secret)
  }
  return lines[0] as string
}

let client: Client

beforeAll(async () => {
  await ensureDatabase(warehouseUrl)
  await ensureDatabase(sourceUrl)
  client = await connectClient(config)
})

afterAll(async () => {
  await client?.connection.close()
  await dropDatabase(warehouseUrl)
  await dropDatabase(sourceUrl)
  const store = createObjectStore(config.s3)
  if (await store.client.bucketExists(store.bucket)) await store.client.removeBucket(store.bucket)
})

describe.concurrent('a worker that cannot use a service stops at once with one line', () => {
  it('names the S3 gateway that refuses a wrong secret, without showing either secret', async () => {
    const line = await failsWithOneLine(['worker'], { PACCAFE_S3_SECRET_KEY: 'a-wrong-secret-key' })
    expect(line).toMatch(
      /^paccafe: The S3 gateway at http:\/\/127\.0\.0\.1:7070 refused access key paccafe \(\w+\): check PACCAFE_S3_ACCESS_KEY and PACCAFE_S3_SECRET_KEY/,
    )
  })

  it('names an S3 endpoint where nothing listens', async () => {
    const port = await closedPort()
    const line = await failsWithOneLine(['worker'], { PACCAFE_S3_ENDPOINT: `http://127.0.0.1:${port}` })
    expect(line).toBe(
      `paccafe: Cannot reach the S3 gateway at http://127.0.0.1:${port} (connection refused): is it running? (paccafe services up) Check PACCAFE_S3_ENDPOINT.`,
    )
  })

  it('names an unreachable warehouse, its password masked', async () => {
    const port = await closedPort()
    const url = `postgres://postgres:${passwordInUrl}@127.0.0.1:${port}/${databaseName(warehouseUrl)}`
    const line = await failsWithOneLine(['worker'], { PACCAFE_WAREHOUSE_URL: url })
    expect(line).toBe(
      `paccafe: Cannot reach the warehouse database at postgres://postgres:***@127.0.0.1:${port}/${databaseName(warehouseUrl)} (connection refused): is PostgreSQL running there? Check PACCAFE_WAREHOUSE_URL.`,
    )
  })

  it('names a warehouse database that does not exist', async () => {
    const missing = `paccafe_test_${id}_missing`
    const line = await failsWithOneLine(['worker'], { PACCAFE_WAREHOUSE_URL: withDatabaseName(warehouseUrl, missing) })
    expect(line).toBe(
      `paccafe: The warehouse database ${missing} does not exist on 127.0.0.1:5432: create it with paccafe services up, or check PACCAFE_WAREHOUSE_URL.`,
    )
  })

  it('names the user PostgreSQL refuses for the source', async () => {
    const url = `postgres://paccafe_no_such_role:${passwordInUrl}@127.0.0.1:5432/${databaseName(sourceUrl)}`
    const line = await failsWithOneLine(['worker'], { PACCAFE_SOURCE_URL: url })
    expect(line).toMatch(
      /^paccafe: PostgreSQL at 127\.0\.0\.1:5432 refused user paccafe_no_such_role for the source \(POS\) database \w+ \(.+\): check the user in PACCAFE_SOURCE_URL/,
    )
  })

  it('names a Temporal address where nothing listens', async () => {
    const port = await closedPort()
    const line = await failsWithOneLine(['worker'], { PACCAFE_TEMPORAL_ADDRESS: `127.0.0.1:${port}` })
    expect(line).toBe(
      `paccafe: Cannot reach the Temporal server at 127.0.0.1:${port} (connection refused): is it running? (paccafe services up) Check PACCAFE_TEMPORAL_ADDRESS.`,
    )
  })
})

describe.concurrent('paccafe run stops before starting anything, with one line', () => {
  it('names a Temporal address where nothing listens', async () => {
    const port = await closedPort()
    const line = await failsWithOneLine(['run'], { PACCAFE_TEMPORAL_ADDRESS: `127.0.0.1:${port}` })
    expect(line).toMatch(new RegExp(`^paccafe: Cannot reach the Temporal server at 127\\.0\\.0\\.1:${port} \\(`))
  })

  it('names an unreachable warehouse, where it would read the summary', async () => {
    const port = await closedPort()
    const line = await failsWithOneLine(['run'], {
      PACCAFE_WAREHOUSE_URL: `postgres://postgres@127.0.0.1:${port}/${databaseName(warehouseUrl)}`,
    })
    expect(line).toMatch(
      new RegExp(`^paccafe: Cannot reach the warehouse database at postgres://postgres@127\\.0\\.0\\.1:${port}/`),
    )
  })

  it('refuses a mistyped mode', async () => {
    const line = await failsWithOneLine(['run', '--mode', 'fulll'], {}, 2)
    expect(line).toBe('paccafe: --mode must be full or incremental, not "fulll"')
  })
})

describe('paccafe run with no worker on its task queue', () => {
  it('says so within seconds, and how to start one, and says it again while it waits', async () => {
    const taskQueue = `paccafe-test-${id}-idle`
    const child = paccafe(['run'], goodEnv(taskQueue), 60_000)
    try {
      const [, workflowId] = await waitForOutput(child, /Started (\S+)/, 20_000)
      await waitForOutput(
        child,
        new RegExp(`waiting: no worker polls task queue ${taskQueue}: start one with \\./bin/paccafe worker`),
        10_000,
      )
      await waitForOutput(child, /still waiting: no worker polls task queue/, 15_000)
      await client.workflow.getHandle(workflowId as string).terminate('test: no worker was meant to run it')
    } finally {
      child.process.kill('SIGKILL')
      await child.exited
    }
  })
})

describe('a worker told to stop', () => {
  it('exits within a bounded time, even while an activity ignores the request', async () => {
    const taskQueue = `paccafe-test-${id}-drain`
    const worker = paccafe(['worker'], goodEnv(taskQueue), 90_000)
    const blocker = connect(warehouseUrl, { name: 'paccafe-test-blocker', max: 1 })
    let runWorkflowId: string | undefined
    try {
      await waitForOutput(worker, /worker polling/, 60_000)
      // The run's first activity writes etl.runs; a lock held here makes it wait, deaf to cancellation.
      await blocker.begin(async (tx) => {
        await tx`lock table etl.runs in access exclusive mode`
        const run = await startPipelineRun(client, taskQueue, { runId: `run-${id}-drain`, mode: 'full' })
        runWorkflowId = run.workflowId
        await waitUntilBlocked(tx)
        worker.process.kill('SIGTERM')
        const exit = await worker.exited
        expect(exit.killed, `still running at the kill timer:\n${worker.stdout}\n${worker.stderr}`).toBe(false)
        expect(exit.code).not.toBeNull()
      })
    } finally {
      worker.process.kill('SIGKILL')
      if (runWorkflowId)
        await client.workflow
          .getHandle(runWorkflowId)
          .terminate('test done')
          .catch(() => {})
      await blocker.end()
    }
  }, 150_000)
})

/** Waits until a session of the worker waits for a lock in the test's warehouse. */
async function waitUntilBlocked(sql: TransactionSql): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`
    if ((row?.n ?? 0) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error('The run never reached its first statement')
}
