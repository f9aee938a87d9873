// The stages every run that publishes shares, after its rows are staged: clean models, validation,
// the warehouse and mart graph, and the two reconciliations; and what a failed run does (hands
// its rows back, then records its failure). pipelineRun stages rows by extraction, reprocessRun
// by sending a quarantine batch's rows again.
import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import type {
  AccountingRow,
  ExtractResult,
  ReconciliationRow,
  RunPlan,
  RunProgress,
  ValidationResult,
} from '../lib/contract.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { failureMessage } from './failure-message.ts'
import { largestStagedFirst, runGraph } from './model-graph.ts'

export interface StageOptions {
  runId: string
  plan: RunPlan
  progress: RunProgress
  heartbeatSeconds?: number
  modelConcurrency?: number
  /** A reprocess run: the quarantine batch whose rows it sends again. */
  quarantineBatchId?: string
}

export interface Published {
  validations: ValidationResult[]
  accounting: AccountingRow[]
  reconciliation: ReconciliationRow[]
}

/**
 * Waits for every activity of a stage, then fails with the first failure, so that no sibling is
 * still writing when a failed run hands its rows back.
 */
export async function allOf<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work)
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value)
}

/** Counts a finished activity as a step of the run's progress. */
export function stepCounter(progress: RunProgress) {
  return async <T>(work: Promise<T>): Promise<T> => {
    const result = await work
    progress.stepsDone += 1
    return result
  }
}

/** Counts a finished extract as a step, and its rows as rows read so far. */
export function extractCounter(progress: RunProgress) {
  const step = stepCounter(progress)
  progress.rowsExtracted ??= 0
  return async (work: Promise<ExtractResult>): Promise<ExtractResult> => {
    const result = await step(work)
    progress.rowsExtracted = (progress.rowsExtracted ?? 0) + result.rowsRead
    return result
  }
}

/** The steps of the shared stages, for the progress query's total. */
export function publishStepCount(plan: RunPlan): number {
  return plan.tables.length + plan.cleanModels.length + plan.publishModels.length + 2
}

/** Clean, validate, publish, reconcile: the rows the run staged (`extracted`) reach the marts. */
export async function cleanValidatePublish(options: StageOptions, extracted: ExtractResult[]): Promise<Published> {
  const { runId, plan, progress } = options
  const { reconcileRowAccounting, reconcileWarehouse } = proxyActivities<Activities>(
    bookkeepingOptions(options.heartbeatSeconds),
  )
  const { runModel, validateTable } = proxyActivities<Activities>(longWorkOptions(options.heartbeatSeconds))
  const step = stepCounter(progress)
  const runModelStep = (model: string) => step(runModel.executeWithOptions({ summary: model }, [{ runId, model }]))
  const concurrency = options.modelConcurrency ?? 2

  progress.stage = 'cleaning'
  await runGraph(
    plan.cleanModels.map((name) => ({ name, dependsOn: [] })),
    concurrency,
    runModelStep,
    largestStagedFirst(extracted),
  )

  progress.stage = 'validating'
  const quarantine = options.quarantineBatchId ? { quarantineBatchId: options.quarantineBatchId } : {}
  const validations = await allOf(
    plan.tables.map((tableName) =>
      step(
        validateTable.executeWithOptions({ summary: `validate ${tableName}` }, [{ runId, tableName, ...quarantine }]),
      ),
    ),
  )

  progress.stage = 'publishing'
  await runGraph(plan.publishModels, concurrency, runModelStep)

  progress.stage = 'reconciling'
  const accounting = await step(reconcileRowAccounting({ runId, tables: plan.tables }))
  const reconciliation = await step(reconcileWarehouse({ runId }))
  return { validations, accounting, reconciliation }
}

/**
 * A failed run, still under the writer lock and outside a cancelled scope (a run cancelled from
 * the Web UI hands its rows back too, before another run may write): its rows go back, its
 * failure is recorded, and the workflow fails with one line. `beforeRelease` runs first (a
 * pipeline run archives its failed loads there).
 */
export async function failRun(
  runId: string,
  error: unknown,
  heartbeatSeconds: number | undefined,
  beforeRelease?: (message: string) => Promise<void>,
): Promise<never> {
  const { releaseFailedRun, finishRun } = proxyActivities<Activities>(bookkeepingOptions(heartbeatSeconds))
  const message = isCancellation(error) ? 'cancelled' : failureMessage(error)
  await CancellationScope.nonCancellable(async () => {
    // Archiving is a copy for people: its own failure must not keep the rows from going back.
    if (beforeRelease) await beforeRelease(message).catch(() => undefined)
    await releaseFailedRun({ runId })
    await finishRun({ runId, status: 'failed', error: message })
  })
  if (isCancellation(error)) throw error
  throw ApplicationFailure.create({
    message: `Run ${runId} failed: ${message}`,
    type: 'PipelineRunFailed',
    nonRetryable: true,
    cause: error instanceof Error ? error : undefined,
  })
}
