// The contract between the client, the workflows and the activities: every input and result
// that crosses a Temporal boundary, declared once. Workflow inputs are typebox schemas (a Web
// UI user types them by hand, so they are checked: lib/input-checks.ts) and their types are
// derived from the schemas. Everything here carries ids, counts and object keys only: workflow
// history is visible to anyone who can open the Web UI.
import Type, { type Static } from 'typebox'

/** Workflow ids are `paccafe-pipeline-<run id>`, so the same run can never be started twice. */
export const WORKFLOW_ID_PREFIX = 'paccafe-pipeline-'

// A run id names batches, load tables and object keys: letters, digits, '.', '_' and '-'.
export const RUN_ID_EXPECTED = 'a run id of letters, digits, ".", "_" and "-" (at most 80), such as run-manual-1'
export const RunIdSchema = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$', description: RUN_ID_EXPECTED })
const ModelName = Type.String({
  pattern: '^(clean|warehouse|marts)\\.[a-z][a-z0-9_]*$',
  description: 'a model name such as marts.customer_rfm',
})
const Seconds = Type.Integer({ minimum: 1, maximum: 600, description: 'whole seconds from 1 to 600' })
const Concurrency = Type.Integer({ minimum: 1, maximum: 16, description: 'a whole number from 1 to 16' })
const Mode = Type.Union([Type.Literal('full'), Type.Literal('incremental')], { description: '"full" or "incremental"' })

export type RunMode = Static<typeof Mode>

// ---- workflow inputs -------------------------------------------------------------------------

export const PipelineRunInputSchema = Type.Object(
  {
    /** Taken from the workflow id (paccafe-pipeline-<run id>) when absent. */
    runId: Type.Optional(RunIdSchema),
    mode: Mode,
    /** How long an activity may go without a heartbeat before it is retried elsewhere (default 20). */
    heartbeatSeconds: Type.Optional(Seconds),
    /** How many models may build at once (default 2). */
    modelConcurrency: Type.Optional(Concurrency),
  },
  { additionalProperties: false },
)
export type PipelineRunInput = Static<typeof PipelineRunInputSchema>

const ModelNodeSchema = Type.Object(
  { name: ModelName, dependsOn: Type.Array(ModelName, { description: 'a list of model names' }) },
  { additionalProperties: false, description: 'a model as {"name": ..., "dependsOn": [...]}' },
)
/** A model and the models it reads, as the workflow schedules them. */
export type ModelNode = Static<typeof ModelNodeSchema>

/** Rebuilds a selection of models, without extracting (`paccafe models run`). */
export const ModelsRunInputSchema = Type.Object(
  {
    /** Taken from the workflow id when absent. */
    runId: Type.Optional(RunIdSchema),
    /** The selected models and which of them each reads. */
    graph: Type.Array(ModelNodeSchema, { minItems: 1, description: 'a non-empty list of models' }),
    /** Rebuild table models from what their selects return now; incremental and scd2 models refuse it (their history would be lost). */
    fullRefresh: Type.Optional(Type.Boolean({ description: 'true or false' })),
    heartbeatSeconds: Type.Optional(Seconds),
    modelConcurrency: Type.Optional(Concurrency),
  },
  { additionalProperties: false },
)
export type ModelsRunInput = Static<typeof ModelsRunInputSchema>

// ---- workflow results and queries ------------------------------------------------------------

export interface PipelineRunResult {
  runId: string
  extracted: ExtractResult[]
  validations: ValidationResult[]
  accounting: AccountingRow[]
  reconciliation: ReconciliationRow[]
}

/** What the pipeline run's `progress` query answers. */
export interface RunProgress {
  runId: string
  stage:
    | 'starting'
    | 'waiting'
    | 'extracting'
    | 'cleaning'
    | 'validating'
    | 'publishing'
    | 'reconciling'
    | 'done'
    | 'failed'
  stepsDone: number
  stepsTotal: number
}

// ---- activity inputs and results -------------------------------------------------------------

export interface RunIdInput {
  runId: string
}

export interface StartRunInput {
  runId: string
  workflowId: string
  /** models: a models-only run (paccafe models run), which extracts nothing. */
  mode: RunMode | 'models'
}

export interface FinishRunInput {
  runId: string
  status: 'succeeded' | 'failed'
  error?: string
}

/** Failed runs whose rows a new run took over. */
export interface AdoptedRuns {
  runs: string[]
  rows: number
}

/** What a run will do, read from the model files: the tables to extract and the model DAG. */
export interface RunPlan {
  /** Source tables to extract into staging: every POS table. */
  extractTables: string[]
  /** Hand-kept sheets to ingest into staging. */
  sheets: string[]
  /** Source tables that go on through clean, validation and publish (a clean model exists). */
  tables: string[]
  /** Clean models, all independent of each other. */
  cleanModels: string[]
  /** Warehouse and mart models with the models each reads (clean models have run by then). */
  publishModels: ModelNode[]
}

export interface ExtractPosTableInput {
  runId: string
  tableName: string
  mode: RunMode
}

export interface IngestSheetInput {
  runId: string
  sheet: string
  mode: RunMode
}

/** A POS table's or a sheet's batch, as staged. */
export interface ExtractResult {
  batchId: string
  tableName: string
  rowsRead: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
  rowsDeleted: number
}

export interface RunModelInput {
  runId: string
  model: string
  /** Rebuild a table model from scratch; incremental and scd2 models refuse it. */
  fullRefresh?: boolean
}

/** One model's build: the rows its select returned and what the merge did with them (the model engine's own type). */
export type { ModelBuildResult } from './model-engine/runner.ts'

export interface ValidateTableInput {
  runId: string
  tableName: string
}

export interface ValidationResult {
  tableName: string
  rowsChecked: number
  rowsRejected: number
  /** Rule failures found on the rows of this run (a row failing two rules counts twice). */
  violations: number
  quarantineObjects: string[]
}

export interface ReconcileRowAccountingInput {
  runId: string
  tables: string[]
}

export interface AccountingRow {
  tableName: string
  rowsExtracted: number
  rowsPublished: number
  rowsRejected: number
  rowsDeleted: number
  difference: number
}

/** One warehouse-versus-source check of a run (numbers as text: sums of money are exact). */
export interface ReconciliationRow {
  check: string
  source: string
  rejected: string
  warehouse: string
  difference: string
}
