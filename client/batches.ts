// Asking a quarantine batch's workflow to reprocess or discard its rows, from a client (the CLI,
// tests): as updates, which answer with the outcome. The request is checked first with the
// schema the workflow's validator uses.
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import {
  type DiscardOutcome,
  type DiscardRequest,
  DiscardRequestSchema,
  QUARANTINE_WORKFLOW_PREFIX,
  type ReprocessOutcome,
  type ReprocessRequest,
  ReprocessRequestSchema,
} from '../lib/contract.ts'
import { BadInputError } from '../lib/errors.ts'
import { inputProblem } from '../lib/input-checks.ts'
import { discardUpdate, reprocessUpdate } from '../workflows/messages.ts'

export function batchWorkflowId(batchId: string): string {
  return QUARANTINE_WORKFLOW_PREFIX + batchId
}

export async function requestReprocess(
  client: Client,
  batchId: string,
  request: ReprocessRequest,
  updateId?: string,
): Promise<ReprocessOutcome> {
  const problem = inputProblem(ReprocessRequestSchema, request)
  if (problem) throw new BadInputError(`reprocess: ${problem}`)
  const handle = client.workflow.getHandle(batchWorkflowId(batchId))
  return handle
    .executeUpdate(reprocessUpdate, { args: [request], ...(updateId ? { updateId } : {}) })
    .catch(asRequestError)
}

export async function requestDiscard(
  client: Client,
  batchId: string,
  request: DiscardRequest,
): Promise<DiscardOutcome> {
  const problem = inputProblem(DiscardRequestSchema, request)
  if (problem) throw new BadInputError(`discard: ${problem}`)
  const handle = client.workflow.getHandle(batchWorkflowId(batchId))
  return handle.executeUpdate(discardUpdate, { args: [request] }).catch(asRequestError)
}

/** An update that failed, as the error it failed with: a refused request is a BadInputError. */
function asRequestError(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const cause = error.cause
    if (cause.type === 'BadInputError') throw new BadInputError(cause.message, { cause })
    throw new BatchRequestError(cause.message, { cause })
  }
  throw error
}

/** A reprocess or discard that was accepted but failed (its run failed, say). */
export class BatchRequestError extends Error {}
