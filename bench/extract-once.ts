// One measured extraction, in a process of its own so that its peak memory is its own: the
// extract activities of every POS table, in parallel as the pipeline-run workflow runs them,
// in Temporal's activity context. Prints one JSON line.
// Usage: extract-once.ts <full|incremental> [run id]
import { MockActivityEnvironment } from '@temporalio/testing'
import { closeActivityContext, createActivityContext } from '../activities/context.ts'
import { createActivities } from '../activities/index.ts'
import { loadConfig } from '../lib/config.ts'
import type { ExtractResult, RunMode } from '../lib/contract.ts'
import { POS_TABLES } from '../lib/extract/sources.ts'

const mode: RunMode = process.argv[2] === 'incremental' ? 'incremental' : 'full'
// The models benchmark names the run, so that its models read this extraction's batches.
const runId = process.argv[3] ?? `bench-${mode}-${Date.now()}`
const context = await createActivityContext(loadConfig())
const activities = createActivities(context)
const env = new MockActivityEnvironment()
await env.run(activities.startRun, { runId, workflowId: runId, mode })
const started = performance.now()
const results = await Promise.all(
  POS_TABLES.map(
    (tableName) => env.run(activities.extractPosTable, { runId, tableName, mode }) as Promise<ExtractResult>,
  ),
)
const seconds = (performance.now() - started) / 1000
await closeActivityContext(context)
const rows = Object.fromEntries(results.map((r) => [r.tableName, r.rowsRead]))
console.log(JSON.stringify({ mode, seconds, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 }))
