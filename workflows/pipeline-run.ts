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
//   finishRun, then release the writer lock
//
// Inputs, results and the progress query carry ids and counts only, never rows or secrets.
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import {
  type ExtractResult,
  type PipelineRunInput,
  PipelineRunInputSchema,
  type PipelineRunResult,
  type RunProgress,
} from '../lib/contract.ts'
import { checkWorkflowInput } from '../lib/input-checks.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { failureMessage } from './failure-message.ts'
import { largestStagedFirst, runGraph } from './model-graph.ts'
import { withWriterLock } from './writer-lock.ts'

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
  const { runId, mode, heartbeatSeconds } = input
  const {
    startRun,
    finishRun,
    releaseFailedRun,
    adoptFailedRuns,
    planRun,
    reconcileRowAccounting,
    reconcileWarehouse,
  } = proxyActivities<Activities>(bookkeepingOptions(heartbeatSeconds))
  const { extractPosTable, ingestSheet, runModel, validateTable } = proxyActivities<Activities>(
    longWorkOptions(heartbeatSeconds),
  )

  const progress: RunProgress = { runId, stage: 'starting', stepsDone: 0, stepsTotal: 0 }
  setHandler(progressQuery, () => progress)
  const step = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work
    progress.stepsDone += 1
    return result
  }
  const runModelStep = (model: string) => step(runModel({ runId, model }))

  await startRun({ runId, workflowId: workflowInfo().workflowId, mode })
  progress.stage = 'waiting'
  return withWriterLock(runId, heartbeatSeconds, async () => {
    try {
      await adoptFailedRuns({ runId })
      const plan = await planRun()
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
        ...plan.extractTables.map((tableName) => step(extractPosTable({ runId, tableName, mode }))),
        ...plan.sheets.map((sheet) => step(ingestSheet({ runId, sheet, mode }))),
      ])

      progress.stage = 'cleaning'
      await runGraph(
        plan.cleanModels.map((name) => ({ name, dependsOn: [] })),
        concurrency,
        runModelStep,
        largestStagedFirst(extracted),
      )

      progress.stage = 'validating'
      const validations = await allOf(plan.tables.map((tableName) => step(validateTable({ runId, tableName }))))

      progress.stage = 'publishing'
      await runGraph(plan.publishModels, concurrency, runModelStep)

      progress.stage = 'reconciling'
      const accounting = await step(reconcileRowAccounting({ runId, tables: plan.tables }))
      const reconciliation = await step(reconcileWarehouse({ runId }))

      await finishRun({ runId, status: 'succeeded' })
      progress.stage = 'done'
      return { runId, extracted, validations, accounting, reconciliation }
    } catch (error) {
      progress.stage = 'failed'
      const message = isCancellation(error) ? 'cancelled' : failureMessage(error)
      // Still under the writer lock, and outside a cancelled scope: a run cancelled from the
      // Web UI hands its rows back too, before another run may write.
      await CancellationScope.nonCancellable(async () => {
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
  })
}
