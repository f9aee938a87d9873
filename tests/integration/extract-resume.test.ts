// A worker killed in the middle of a chunked copy: Temporal retries the extract on another
// worker, which resumes after the last committed chunk, and every row is staged once.
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../../lib/paths.ts'
import { createHarness, type Harness } from '../support/harness.ts'

let h: Harness
let child: ChildProcess | undefined

function startWorkerProcess(h: Harness): ChildProcess {
  const { config } = h
  return spawn(path.join(projectRoot, 'bin', 'paccafe'), ['worker'], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PACCAFE_SOURCE_URL: config.sourceUrl,
      PACCAFE_WAREHOUSE_URL: config.warehouseUrl,
      PACCAFE_TASK_QUEUE: config.temporal.taskQueue,
      PACCAFE_S3_BUCKET: config.s3.bucket,
      PACCAFE_SHEETS_DIR: config.sheets.dir,
      PACCAFE_EXTRACT_CHUNK_ROWS: String(config.extractChunkRows),
      PACCAFE_LOG_LEVEL: 'error',
    },
  })
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`Timed out waiting for ${what}`)
}

describe('a worker killed during a chunked copy', () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 10 }, { startWorker: false, extractChunkRows: 200 })
  })
  afterAll(async () => {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL')
    await h?.close()
  })

  it('resumes on another worker and stages each row once', async () => {
    child = startWorkerProcess(h)
    const { runId, workflow } = await h.start('full', 3)
    const batchId = `${runId}.order_details`
    // Kill the worker once a few chunks of the largest table are committed, mid-copy.
    const chunksAtKill = await waitFor('order_details chunks', async () => {
      const [batch] = await h.warehouse<{ chunks: number }[]>`
        select chunks_copied as chunks from etl.batches where batch_id = ${batchId}`
      return batch && batch.chunks >= 3 ? batch.chunks : undefined
    })
    process.kill(-(child.pid as number), 'SIGKILL')
    child = undefined

    await h.startWorker()
    await workflow.result()

    const [batch] = await h.warehouse`
      select status, rows_read, rows_inserted, resumed_times, chunks_copied from etl.batches where batch_id = ${batchId}`
    const [source] = await h.source`select count(*)::int as n from order_details`
    expect(batch?.status).toBe('staged')
    expect(batch?.resumed_times).toBeGreaterThanOrEqual(1)
    expect(batch?.chunks_copied).toBeGreaterThan(chunksAtKill)
    // Each source row was read once: no chunk was copied twice, none was skipped.
    expect(batch?.rows_read).toBe(source?.n)
    expect(batch?.rows_inserted).toBe(source?.n)
    const [staged] = await h.warehouse`select count(*)::int as n from staging.order_details`
    expect(staged?.n).toBe(source?.n)
    const steps = await h.warehouse`
      select count(*)::int as n from etl.steps where run_id = ${runId} and status <> 'succeeded'`
    expect(steps[0]?.n).toBe(0)
  })
})
