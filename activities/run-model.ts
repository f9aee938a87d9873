// Runs one SQL model (clean, warehouse or mart) as one activity, in one transaction, on a
// session of its own whose statement is cancelled if the activity is.
import { withCancellableSession } from '../lib/db.ts'
import { ConfigurationError } from '../lib/errors.ts'
import { POS_TABLES } from '../lib/extract/sources.ts'
import { runModel as buildModel } from '../lib/model-runner.ts'
import { buildLayers, graphOf, sourceTableOf } from '../lib/models.ts'
import type { ModelRunResult, RunPlan } from '../lib/pipeline-types.ts'
import { SHEET_SPECS } from '../lib/sheets/sheet-specs.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

export interface RunModelInput {
  runId: string
  model: string
  fullRefresh?: boolean
}

export function makeRunModel(context: ActivityContext) {
  return async function runModel(input: RunModelInput): Promise<ModelRunResult> {
    const model = context.models.find((candidate) => candidate.name === input.model)
    if (!model) throw new ConfigurationError(`There is no model named ${input.model}`)
    const result = await recordStep(
      context.warehouse,
      { runId: input.runId, step: `model:${model.name}` },
      async () => {
        const built = await withCancellableSession(
          context.config.warehouseUrl,
          context.warehouse,
          'paccafe-worker-model',
          (session) =>
            buildModel(
              session,
              model,
              { runId: input.runId, timezone: context.config.timezone },
              { fullRefresh: input.fullRefresh },
            ),
        )
        return { ...built, rowsIn: built.rowsSelected, rowsOut: built.rowsSelected }
      },
    )
    return {
      model: result.model,
      rowsSelected: result.rowsSelected,
      rowsInserted: result.rowsInserted,
      rowsUpdated: result.rowsUpdated,
      rowsUnchanged: result.rowsUnchanged,
      rowsDeleted: result.rowsDeleted,
    }
  }
}

/** What a run will do, read from the model files: the tables to extract and the model DAG. */
export function makePlanRun(context: ActivityContext) {
  return async function planRun(): Promise<RunPlan> {
    const cleanModels = context.models.filter((model) => model.schema === 'clean')
    const publishing = context.models.filter((model) => model.schema !== 'clean')
    const tables = cleanModels.map(sourceTableOf).filter((table): table is string => table !== undefined)
    // Clean models have all run before publishing starts: edges to them are dropped.
    const publishModels = graphOf(publishing, buildLayers(publishing).flat())
    return {
      extractTables: [...POS_TABLES].sort(),
      sheets: SHEET_SPECS.map((sheet) => sheet.name),
      tables: [...new Set(tables)].sort(),
      cleanModels: cleanModels.map((model) => model.name).sort(),
      publishModels,
    }
  }
}
