// The pipeline-run workflow: the ETL DAG of one run (write, audit, publish).
//
//   startRun, then wait for the writer lock (one run writes at a time)
//   take over the rows that failed runs published part-way (so every table converges)
//   extract every POS table and sheet    (in parallel, into staging)
//   retire the corrections the source has moved past
//   clean models                         (in parallel)
//   validate each modeled table          (in parallel: verdicts, violations, quarantine)
//   warehouse and mart models            (a graph: each starts once what it reads is built)
//   reconcile row accounting             (fails the run if a row went missing)
//   reconcile the warehouse with staging (revenue, lines, orders; fails the run on a gap)
//   open the run's quarantine batch, a workflow of its own, when rows were held back
//   finishRun, then release the writer lock
//   tell the outcome: the report, memo, search attributes, the webhook (workflows/run-outcome.ts)
// A failed run archives the rows it extracted (failed loads), hands them back, and records its failure.
//
// Inputs, results and the progress query carry ids and counts only, never rows or secrets.

import { patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import {
  type ExtractResult,
  type PipelineRunInput,
  PipelineRunInputSchema,
  type PipelineRunResult,
  type QuarantineBatchSummary,
  type RunProgress,
} from '../lib/contract.ts'
import { checkWorkflowInput } from '../lib/input-checks.ts'
import { bookkeepingOptions, longWorkOptions } from './activity-options.ts'
import { bindDeployment } from './deployment.ts'
import { progressQuery } from './messages.ts'
import { openBatchWorkflow } from './open-batch-workflow.ts'
import { accountingCounts, tellingOutcome } from './run-outcome.ts'
import { allOf, cleanValidatePublish, extractCounter, failRun, publishStepCount } from './run-stages.ts'
import { withWriterLock } from './writer-lock.ts'

export { progressQuery }

export async function pipelineRun(rawInput: PipelineRunInput): Promise<PipelineRunResult> {
  const input = checkWorkflowInput('pipelineRun', PipelineRunInputSchema, rawInput, workflowInfo().workflowId)
  const { runId, mode, heartbeatSeconds } = input
  const { startRun, finishRun, adoptFailedRuns, planRun, retireCorrections, openQuarantineBatch, archiveFailedLoads } =
    proxyActivities<Activities>(bookkeepingOptions(heartbeatSeconds))
  const { extractPosTable, ingestSheet } = proxyActivities<Activities>(longWorkOptions(heartbeatSeconds))

  const progress: RunProgress = { runId, stage: 'starting', stepsDone: 0, stepsTotal: 0 }
  setHandler(progressQuery, () => progress)

  let quarantine: QuarantineBatchSummary | undefined
  const run = async (): Promise<PipelineRunResult> => {
    bindDeployment(await startRun({ runId, workflowId: workflowInfo().workflowId, mode }))
    progress.stage = 'waiting'
    return withWriterLock(runId, heartbeatSeconds, async () => {
      try {
        await adoptFailedRuns({ runId })
        const plan = await planRun()
        progress.stepsTotal = plan.extractTables.length + plan.sheets.length + publishStepCount(plan)

        progress.stage = 'extracting'
        const extract = extractCounter(progress)
        const extracted: ExtractResult[] = await allOf([
          ...plan.extractTables.map((tableName) =>
            extract(
              extractPosTable.executeWithOptions({ summary: `extract ${tableName}` }, [{ runId, tableName, mode }]),
            ),
          ),
          ...plan.sheets.map((sheet) =>
            extract(ingestSheet.executeWithOptions({ summary: `sheet ${sheet}` }, [{ runId, sheet, mode }])),
          ),
        ])
        // Corrections whose source value changed give way to the source before the clean models read them.
        if (patched('retire-corrections')) await retireCorrections({ runId })

        const published = await cleanValidatePublish(
          { runId, plan, progress, heartbeatSeconds, modelConcurrency: input.modelConcurrency },
          extracted,
        )
        quarantine = patched('quarantine-batches') ? await openBatchWorkflow(runId, openQuarantineBatch) : undefined

        await finishRun({ runId, status: 'succeeded' })
        progress.stage = 'done'
        return { runId, extracted, ...published, ...(quarantine ? { quarantineBatch: quarantine.workflowId } : {}) }
      } catch (error) {
        progress.stage = 'failed'
        // The rows its batches extracted are archived (failed/run=<run>/table=<table>/) before they are handed back.
        return failRun(runId, error, heartbeatSeconds, async (message) => {
          if (patched('failed-loads')) await archiveFailedLoads({ runId, error: message })
        })
      }
    })
  }
  return tellingOutcome({ runId, mode }, run, (result) => ({ counts: accountingCounts(result.accounting), quarantine }))
}
