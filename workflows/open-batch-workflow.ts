// After a run that held rows back (a pipeline run, a reload run): its quarantine batch, a
// workflow of its own that waits for a person.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common'
import { ParentClosePolicy, startChild } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import { QUARANTINE_WORKFLOW_PREFIX, type QuarantineBatchSummary } from '../lib/contract.ts'
import { batchMemo } from './batch-memo.ts'
import { quarantineBatch } from './quarantine-batch.ts'

/**
 * The rows this run held back wait for a person in a batch workflow of their own, a child that
 * outlives the run (ABANDON); its start is awaited, since a child not yet started when its
 * parent closes never starts. Started again (a reset run), it is already there.
 */
export async function openBatchWorkflow(
  runId: string,
  openQuarantineBatch: Activities['openQuarantineBatch'],
): Promise<QuarantineBatchSummary | undefined> {
  const { opened, summary } = await openQuarantineBatch({ runId })
  if (!opened || !summary) return undefined
  try {
    await startChild(quarantineBatch, {
      workflowId: QUARANTINE_WORKFLOW_PREFIX + runId,
      args: [{ batchId: runId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      memo: batchMemo(summary),
      staticSummary: `Quarantine batch of run ${runId}: ${summary.rowsOpen} rows waiting`,
    })
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
  }
  return summary
}
