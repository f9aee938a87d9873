// One measured build of the model graph, in a process of its own: for the run an extract-once
// process staged (its run id is the argument), ingests the sheets (not timed), times the clean
// models and the warehouse and mart graph as the pipeline-run workflow runs them (two at a
// time, the clean models largest first), and between them times validation apart (the floor
// has none). Prints one JSON line with the time per model and in total.
// Usage: models-once.ts <full|incremental> <run id>
import { MockActivityEnvironment } from '@temporalio/testing'
import { closeActivityContext, createActivityContext } from '../activities/context.ts'
import { createActivities } from '../activities/index.ts'
import { loadConfig } from '../lib/config.ts'
import type { ModelBuildResult, RunMode, RunPlan } from '../lib/contract.ts'
import { readRunSummary } from '../lib/run-summary.ts'
import { largestStagedFirst, runGraph } from '../workflows/model-graph.ts'

const mode: RunMode = process.argv[2] === 'incremental' ? 'incremental' : 'full'
const runId = process.argv[3] as string
const concurrency = 2
const context = await createActivityContext(loadConfig())
const activities = createActivities(context)
const env = new MockActivityEnvironment()
const plan = (await env.run(activities.planRun)) as RunPlan
for (const sheet of plan.sheets) await env.run(activities.ingestSheet, { runId, sheet, mode })
// What the run staged per table, as the workflow has it from its extract activities.
const extracted = (await readRunSummary(context.warehouse, runId)).staged.map((batch) => ({
  tableName: batch.table_name,
  rowsInserted: batch.rows_inserted,
  rowsUpdated: batch.rows_updated,
}))

const perModel: Record<string, number> = {}
let rowsWritten = 0
const build = async (model: string) => {
  const started = performance.now()
  const result = (await env.run(activities.runModel, { runId, model })) as ModelBuildResult
  perModel[model] = (performance.now() - started) / 1000
  rowsWritten += result.rowsInserted + result.rowsUpdated + result.rowsDeleted
}
const cleanStarted = performance.now()
await runGraph(
  plan.cleanModels.map((name) => ({ name, dependsOn: [] })),
  concurrency,
  build,
  largestStagedFirst(extracted),
)
const cleanSeconds = (performance.now() - cleanStarted) / 1000
const validationStarted = performance.now()
for (const tableName of plan.tables) await env.run(activities.validateTable, { runId, tableName })
const validationSeconds = (performance.now() - validationStarted) / 1000
const publishStarted = performance.now()
await runGraph(plan.publishModels, concurrency, build)
const publishSeconds = (performance.now() - publishStarted) / 1000
await env.run(activities.reconcileRowAccounting, { runId, tables: plan.tables })
await env.run(activities.reconcileWarehouse, { runId })
await env.run(activities.finishRun, { runId, status: 'succeeded' as const })
await closeActivityContext(context)
console.log(
  JSON.stringify({
    mode,
    seconds: cleanSeconds + publishSeconds,
    validationSeconds,
    perModel,
    rows: rowsWritten,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
)
