// The contract between the client, the workflows and the activities: every input and result
// that crosses a Temporal boundary, declared once. Workflow inputs are typebox schemas (a Web
// UI user types them by hand, so they are checked: lib/input-checks.ts) and their types are
// derived from the schemas. Everything here carries ids, counts and object keys only: workflow
// history is visible to anyone who can open the Web UI.
import Type, { type Static } from 'typebox'

/** The activity header that carries the deployment of the run an activity belongs to. */
export const DEPLOYMENT_HEADER = 'paccafe-deployment'

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
  /** The workflow id of the run's quarantine batch, when it held rows back. */
  quarantineBatch?: string
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
  /** Rows read from the source so far: the extract steps done (POS tables and sheets). */
  rowsExtracted?: number
}

// ---- activity inputs and results -------------------------------------------------------------

export interface RunIdInput {
  runId: string
}

export interface StartRunInput {
  runId: string
  workflowId: string
  /** models: a models-only run (paccafe models run), which extracts nothing; reprocess: a batch's rows sent again. */
  mode: RunMode | 'models' | 'reprocess' | 'reload'
}

export interface StartRunResult {
  /** The deployment (warehouse) of the worker that recorded the start (lib/deployment.ts). */
  deployment: string
}

export interface FinishRunInput {
  runId: string
  status: 'succeeded' | 'failed'
  error?: string
}

/** What a run's notification reports (lib/notifications.ts posts it to the configured webhook). */
export type NotificationEvent = 'run.failed' | 'run.succeeded' | 'schedule.paused' | 'batch.waiting'

export interface NotifyInput {
  event: NotificationEvent
  runId: string
  /** The workflow the event is about (the run's, or its quarantine batch's). */
  workflowId: string
  /** Counts only: rows published, rejected, held back... */
  counts?: Record<string, number>
  /** A failed run's one line. */
  error?: string
  /** The schedule that started the run, when one did. */
  scheduleId?: string
  /** The workflow id of the run's quarantine batch. */
  quarantineBatch?: string
  /** The run's report in the bucket (reports/run=<run>/report.html), when it was built. */
  reportKey?: string
}

export interface NotifyResult {
  /** Whether a webhook received it; false when none is configured or the event is not opted in. */
  delivered: boolean
  /** Why it was not sent, when it was not. */
  skipped?: string
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
  /** A reprocess run: the quarantine batch it reprocesses, which rows that still fail stay in. */
  quarantineBatchId?: string
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

// ---- quarantine batches and reprocessing (docs/reprocessing.md) -------------------------------

/** A batch's workflow id is `paccafe-quarantine-<run id of the run that held the rows back>`. */
export const QUARANTINE_WORKFLOW_PREFIX = 'paccafe-quarantine-'
/** A reprocess run's workflow id is `paccafe-reprocess-<its run id>`. */
export const REPROCESS_WORKFLOW_PREFIX = 'paccafe-reprocess-'

export type BatchStatus = 'open' | 'reprocessing' | 'reprocessed' | 'partly_reprocessed' | 'discarded'

export const QuarantineBatchInputSchema = Type.Object(
  {
    /** The run id of the run that held the rows back. */
    batchId: RunIdSchema,
    heartbeatSeconds: Type.Optional(Seconds),
  },
  { additionalProperties: false },
)
export type QuarantineBatchInput = Static<typeof QuarantineBatchInputSchema>

const Who = Type.String({ minLength: 1, maxLength: 200, description: 'who asks, such as a name or an e-mail' })
const TableName = Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'a source table such as order_details' })

/** The argument of the `reprocess` update and signal: which rows, and where their corrections are. */
export const ReprocessRequestSchema = Type.Object(
  {
    /** Only this table of the batch (default: every table). */
    table: Type.Optional(TableName),
    /** Only these natural keys (default: every row of the batch, or of the file). */
    keys: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, description: 'a list of natural keys' }),
    ),
    /** A corrected CSV in the bucket: a key under the batch's corrected/ prefix, or a file name there. */
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'an object key or file name' })),
    /** Read the rows from the source again (it was fixed there) instead of applying a file. */
    fromSource: Type.Optional(Type.Boolean({ description: 'true or false' })),
    requestedBy: Type.Optional(Who),
  },
  { additionalProperties: false },
)
export type ReprocessRequest = Static<typeof ReprocessRequestSchema>

/** The argument of the `discard` update and signal. */
export const DiscardRequestSchema = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why the rows are given up' }),
    requestedBy: Type.Optional(Who),
  },
  { additionalProperties: false },
)
export type DiscardRequest = Static<typeof DiscardRequestSchema>

export interface BatchTableSummary {
  tableName: string
  rowsHeld: number
  rowsOpen: number
  /** Open violations per rule. */
  rules: Record<string, number>
  /** The CSV to correct. */
  file: string
}

/** A batch as the CLI, the workflow's memo and its status query show it. */
export interface QuarantineBatchSummary {
  batchId: string
  workflowId: string
  status: BatchStatus
  rowsHeld: number
  rowsOpen: number
  objectPrefix: string
  correctedPrefix: string
  tables: BatchTableSummary[]
}

export interface OpenQuarantineBatchResult {
  opened: boolean
  summary?: QuarantineBatchSummary
}

export interface BatchIdInput {
  batchId: string
}

export interface PrepareReprocessInput {
  batchId: string
  request: ReprocessRequest
}

export interface PreparedReprocess {
  requestId: string
  runId: string
  rowsSelected: number
  correctionsRecorded: number
  /** The same request finished before: its outcome, and nothing is run again. */
  done?: ReprocessOutcome
}

export interface ReprocessRunInput {
  runId: string
  batchId: string
  requestId: string
  heartbeatSeconds?: number
  modelConcurrency?: number
}

export interface RequestInput {
  runId: string
  requestId: string
}

export interface ReprocessOutcome {
  requestId: string
  runId: string
  rowsSubmitted: number
  rowsPublished: number
  rowsStillRejected: number
  rowsStillNullified: number
  /** Rows of the batch still waiting for a person afterwards. */
  rowsOpen: number
  batchStatus: BatchStatus
  /** The batch afterwards (counts and files), so that its workflow need not ask again. */
  batch?: QuarantineBatchSummary
}

export interface DiscardInput {
  batchId: string
  request: DiscardRequest
}

export interface DiscardOutcome {
  requestId: string
  violationsDiscarded: number
  rowsDiscarded: number
  batchStatus: BatchStatus
}

/** What a batch workflow's `status` query answers. */
export interface BatchState {
  batchId: string
  status: BatchStatus
  rowsOpen: number
  requestsHandled: number
  lastOutcome?: ReprocessOutcome | DiscardOutcome
  /** The last signal that could not be carried out, and why (a signal has no caller to tell). */
  lastError?: string
}

// ---- failed loads (docs/reprocessing.md#failed-loads) ------------------------------------------

export type FailedLoadSource = 'pos' | 'sheets'
/** rows: the rows a batch had extracted, as NDJSON; file: a sheet file that could not be read, as it was. */
export type FailedLoadKind = 'rows' | 'file'
export type FailedLoadStatus = 'open' | 'reloaded' | 'discarded'

export interface ArchiveFailedLoadsInput {
  /** The run that failed for good. */
  runId: string
  /** Why it failed, as the run records it (etl.runs.error). */
  error: string
}

/** One failed load of a run, as etl.failed_loads records it. */
export interface FailedLoadRecord {
  /** `<run id>.<table>` for rows, `<run id>.<sheet>/<file name>` for a file. */
  failedLoadId: string
  tableName: string
  source: FailedLoadSource
  kind: FailedLoadKind
  /** rows.jsonl, or the archived file. */
  objectKey: string
  /** error.json (or `<file name>.error.json` for a file). */
  errorKey: string
  /** Lines of rows.jsonl; null for a file, whose rows were never read whole. */
  rowsArchived: number | null
  status: FailedLoadStatus
}

export interface ArchiveFailedLoadsResult {
  runId: string
  /** Every failed load of the run, those archived by this call and the sheet files archived by ingestion, by id. */
  failedLoads: FailedLoadRecord[]
  /** The sum of rowsArchived. */
  rowsArchived: number
  /** A failed reload run: the failed loads it had staged, open again (by id). */
  reopened: string[]
}

export interface StageFailedLoadInput {
  /** The reload run (etl.runs mode 'reload'), already started. */
  runId: string
  failedLoadId: string
}

/**
 * The reload run's batch of the table, as staged: rowsRead lines of the archive, of which
 * rowsInserted new, rowsUpdated changed and rowsResubmitted unchanged but sent on again (the
 * three are the batch's rows, which go on to clean, validation and publish); rowsUnchanged are
 * rows that the mirror holds in a later version than the archive's (kept, not sent on);
 * rowsRejected are a reloaded sheet file's rows held back (cells that do not parse, a repeated key).
 */
export interface StageFailedLoadResult extends ExtractResult {
  failedLoadId: string
  rowsResubmitted: number
  rowsRejected: number
}

/** Replays failed loads from the bucket, without reading the source (`paccafe reprocess-load`). */
export const ReloadRunInputSchema = Type.Object(
  {
    runId: Type.Optional(RunIdSchema),
    /** etl.failed_loads ids (`<run id>.<table>`), at most one per table. */
    failedLoadIds: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      minItems: 1,
      description: 'a non-empty list of failed load ids',
    }),
    heartbeatSeconds: Type.Optional(Seconds),
    modelConcurrency: Type.Optional(Concurrency),
  },
  { additionalProperties: false },
)
export type ReloadRunInput = Static<typeof ReloadRunInputSchema>

export interface ReloadRunResult {
  runId: string
  staged: StageFailedLoadResult[]
  validations: ValidationResult[]
  accounting: AccountingRow[]
  reconciliation: ReconciliationRow[]
  quarantineBatch?: string
}

// ---- the run report ----------------------------------------------------------------------------

/** Where a run's report goes in the bucket, next to its quarantine and failed-load objects. */
export const reportKeyOf = (runId: string) => `reports/run=${runId}/report.html`

export interface BuildReportInput {
  runId: string
}

/** The report's object in the bucket (reportKeyOf) and its size. */
export interface ReportResult {
  reportKey: string
  bytes: number
}
