// Shapes that cross the workflow/activity boundary. They carry ids, counts and object keys
// only: workflow history is visible to anyone who can open the Web UI.

export type RunMode = 'full' | 'incremental'

/** A model and the models it reads, as the workflow schedules them. */
export interface ModelNode {
  name: string
  dependsOn: string[]
}

export interface PipelineRunInput {
  /** Taken from the workflow id (paccafe-pipeline-<run id>) when absent. */
  runId?: string
  mode: RunMode
  /** How long an activity may go without a heartbeat before it is retried elsewhere (default 20). */
  heartbeatSeconds?: number
  /** How many models may build at once (default 2). */
  modelConcurrency?: number
}

/** Rebuilds a selection of models, without extracting (`paccafe models run`). */
export interface ModelsRunInput {
  /** Taken from the workflow id when absent. */
  runId?: string
  /** The selected models and which of them each reads. */
  graph: ModelNode[]
  /** Drop and rebuild incremental and scd2 tables from what their selects return now. */
  fullRefresh?: boolean
  heartbeatSeconds?: number
  modelConcurrency?: number
}

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

export interface ExtractResult {
  batchId: string
  tableName: string
  rowsRead: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
  rowsDeleted: number
}

export interface ModelRunResult {
  model: string
  rowsSelected: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
  rowsDeleted: number
}

export interface ValidationResult {
  tableName: string
  rowsChecked: number
  rowsRejected: number
  /** Rule failures found on the rows of this run (a row failing two rules counts twice). */
  violations: number
  quarantineObjects: string[]
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

export interface PipelineRunResult {
  runId: string
  extracted: ExtractResult[]
  validations: ValidationResult[]
  accounting: AccountingRow[]
  reconciliation: ReconciliationRow[]
}
