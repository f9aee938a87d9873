// What a run will do, read from the model files: the tables to extract, the sheets to ingest,
// the clean models and the warehouse and mart DAG.
import type { RunPlan } from '../lib/contract.ts'
import { POS_TABLES } from '../lib/extract/sources.ts'
import { buildLayers, graphOf } from '../lib/model-engine/graph.ts'
import { sourceTableOf } from '../lib/model-engine/model-file.ts'
import { SHEET_SPECS } from '../lib/sheets/sheet-specs.ts'
import type { ActivityContext } from './context.ts'

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
