// Runs one SQL model (clean, warehouse or mart) as one activity, in one transaction, on a
// session of its own whose statement is cancelled if the activity is.

import type { ModelBuildResult, RunModelInput } from '../lib/contract.ts'
import { withCancellableSession } from '../lib/db.ts'
import { ConfigurationError } from '../lib/errors.ts'
import { buildModel } from '../lib/model-engine/runner.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

export function makeRunModel(context: ActivityContext) {
  return async function runModel(input: RunModelInput): Promise<ModelBuildResult> {
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
