// The pipeline-run workflow: the ETL DAG of one run (write, audit, publish).
//
//   startRun, then wait for the writer lock (one run writes at a time)
//   take over the rows that failed runs published part-way (so every table converges)
//   extract every POS table and sheet    (in parallel, into staging)
//   clean models                         (in parallel)
//   validate each modeled table          (in parallel: verdicts, violations, quarantine)
//   warehouse and mart models            (a graph: each starts once what it reads is built)
//   reconcile row accounting             (fails the run if a row went missing)
//   reconcile the warehouse with staging (revenue, lines, orders; fails the run on a gap)
//   finishRun
//
// Inputs, results and the progress query carry ids and counts only, never rows or secrets.
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import type { ExtractResult, PipelineRunInput, PipelineRunResult, RunProgress } from '../lib/pipeline-types.ts'
import { checkWorkflowInput, PipelineRunInputSchema } from '../lib/workflow-inputs.ts'
import { activitiesFor } from './activities.ts'
import { failureMessage } from './failure-message.ts'
import { largestStagedFirst, runGraph } from './model-graph.ts'

export const progressQuery = defineQuery<RunProgress>('progress')

/**
 * Waits for every activity of a stage, then fails with the first failure, so that no sibling is
 * still writing when a failed run hands its rows back.
 */
async function allOf<T>(work: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work)
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value)
}

export async function pipelineRun(rawInput: PipelineRunInput): Promise<PipelineRunResult> {
  const input = checkWorkflowInput('pipelineRun', PipelineRunInputSchema, rawInput, workflowInfo().workflowId)
  const { writerLock, bookkeeping, long } = activitiesFor(input.heartbeatSeconds)
  const progress: RunProgress = { runId: input.runId, stage: 'starting', stepsDone: 0, stepsTotal: 0 }
  setHandler(progressQuery, () => progress)
  const step = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work
    progress.stepsDone += 1
    return result
  }

  await bookkeeping.startRun({ runId: input.runId, workflowId: workflowInfo().workflowId, mode: input.mode })
  progress.stage = 'waiting'
  await writerLock.acquireWriterLock({ runId: input.runId })
  try {
    await bookkeeping.adoptFailedRuns({ runId: input.runId })
    const plan = await bookkeeping.planRun()
    const concurrency = input.modelConcurrency ?? 2
    progress.stepsTotal =
      plan.extractTables.length +
      plan.sheets.length +
      plan.tables.length +
      plan.cleanModels.length +
      plan.publishModels.length +
      2

    progress.stage = 'extracting'
    const extracted: ExtractResult[] = await allOf([
      ...plan.extractTables.map((tableName) =>
        step(long.extractPosTable({ runId: input.runId, tableName, mode: input.mode })),
      ),
      ...plan.sheets.map((sheet) => step(long.ingestSheet({ runId: input.runId, sheet, mode: input.mode }))),
    ])

    progress.stage = 'cleaning'
    const buildModel = (model: string) => step(long.runModel({ runId: input.runId, model }))
    await runGraph(
      plan.cleanModels.map((name) => ({ name, dependsOn: [] })),
      concurrency,
      buildModel,
      largestStagedFirst(extracted),
    )

    progress.stage = 'validating'
    const validations = await allOf(
      plan.tables.map((tableName) => step(long.validateTable({ runId: input.runId, tableName }))),
    )

    progress.stage = 'publishing'
    await runGraph(plan.publishModels, concurrency, buildModel)

    progress.stage = 'reconciling'
    const accounting = await step(bookkeeping.reconcileRowAccounting({ runId: input.runId, tables: plan.tables }))
    const reconciliation = await step(bookkeeping.reconcileWarehouse({ runId: input.runId }))

    await bookkeeping.finishRun({ runId: input.runId, status: 'succeeded' })
    await bookkeeping.releaseWriterLock({ runId: input.runId })
    progress.stage = 'done'
    return { runId: input.runId, extracted, validations, accounting, reconciliation }
  } catch (error) {
    progress.stage = 'failed'
    const message = isCancellation(error) ? 'cancelled' : failureMessage(error)
    // A run cancelled from the Web UI cleans up too: these run outside the cancelled scope.
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.releaseFailedRun({ runId: input.runId })
      await bookkeeping.finishRun({ runId: input.runId, status: 'failed', error: message })
      await bookkeeping.releaseWriterLock({ runId: input.runId })
    })
    if (isCancellation(error)) throw error
    throw ApplicationFailure.create({
      message: `Run ${input.runId} failed: ${message}`,
      type: 'PipelineRunFailed',
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    })
  }
}
