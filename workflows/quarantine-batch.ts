// A quarantine batch: the rows one run held back or nullified, waiting for a person. The
// workflow (paccafe-quarantine-<run id>) stays open until none of its rows is waiting, so the
// Web UI's Running list is the list of batches to look at; its memo shows the counts and where
// the files are.
//
//   update or signal `reprocess` {table?, keys?, file?, fromSource?, requestedBy?}
//       checks and records the request and its corrections, then runs a reprocessRun child
//       (a run of its own) and answers with what it published and what still fails
//   update or signal `discard` {reason, requestedBy?}   gives the rows up and closes the batch
//   query `status`
//
// Requests are carried out one at a time, in the order they came. Updates answer their caller;
// a signal's failure (it has no caller) is kept in the status as lastError.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
} from '@temporalio/workflow'
import type { TSchema } from 'typebox'
import type { Activities } from '../activities/index.ts'
import {
  type BatchState,
  type DiscardRequest,
  DiscardRequestSchema,
  type QuarantineBatchInput,
  QuarantineBatchInputSchema,
  type QuarantineBatchSummary,
  REPROCESS_WORKFLOW_PREFIX,
  type ReprocessOutcome,
  type ReprocessRequest,
  ReprocessRequestSchema,
} from '../lib/contract.ts'
import { inputProblem } from '../lib/input-checks.ts'
import { bookkeepingOptions } from './activity-options.ts'
import { batchMemo } from './batch-memo.ts'
import { failureMessage } from './failure-message.ts'
import { discardSignal, discardUpdate, reprocessSignal, reprocessUpdate, statusQuery } from './messages.ts'
import { reprocessRun } from './reprocess-run.ts'

const refused = (message: string) => ApplicationFailure.create({ message, type: 'BadInputError', nonRetryable: true })

/** The type of the innermost application failure of an error chain (an activity's error type). */
function failureType(error: unknown): string {
  let type = 'BatchRequestFailed'
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type) type = e.type
  }
  return type
}

export async function quarantineBatch(rawInput: QuarantineBatchInput): Promise<BatchState> {
  const problem = inputProblem(QuarantineBatchInputSchema, rawInput)
  if (problem) {
    throw ApplicationFailure.create({
      message: `quarantineBatch input: ${problem}`,
      type: 'BadInputError',
      nonRetryable: true,
    })
  }
  const input = rawInput
  const { batchId, heartbeatSeconds } = input
  const { describeBatch, prepareReprocess, settleBatch, discardBatch } = proxyActivities<Activities>(
    bookkeepingOptions(heartbeatSeconds),
  )
  // Until the batch is described, its state is what a batch workflow starts with: open rows.
  let summary: QuarantineBatchSummary | undefined
  const state: BatchState = { batchId, status: 'open', rowsOpen: 0, requestsHandled: 0 }
  setHandler(statusQuery, () => state)

  const show = (latest: QuarantineBatchSummary) => {
    summary = latest
    state.status = latest.status
    state.rowsOpen = latest.rowsOpen
    upsertMemo(batchMemo(latest))
  }
  const refresh = async () => show(await describeBatch({ batchId }))
  const described = refresh()

  // One request at a time: each waits for the one before it, and the first for the batch to be
  // described (a request can arrive in the workflow's first task, as soon as the run that
  // opened the batch returns: its handler is registered before anything is awaited).
  let queue: Promise<unknown> = described.catch(() => undefined)
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = queue.then(work)
    queue = turn.catch(() => undefined)
    return turn
  }

  const reprocess = (request: ReprocessRequest) =>
    inTurn(async () => {
      const prepared = await prepareReprocess({ batchId, request })
      let outcome = prepared.done
      if (!outcome) {
        // A reprocess that ran settled the batch and describes it in its outcome: nothing to ask.
        const describedByOutcome = patched('reprocess-outcome-describes-batch')
        let ran: ReprocessOutcome | undefined
        try {
          ran = await executeChild(reprocessRun, {
            workflowId: REPROCESS_WORKFLOW_PREFIX + prepared.runId,
            args: [{ runId: prepared.runId, batchId, requestId: prepared.requestId, heartbeatSeconds }],
            staticSummary: `Reprocess of quarantine batch ${batchId}: ${prepared.rowsSelected} rows`,
          })
        } finally {
          if (describedByOutcome && ran?.batch) show(ran.batch)
          else {
            await settleBatch({ batchId })
            await refresh()
          }
        }
        outcome = ran
      }
      state.requestsHandled += 1
      state.lastOutcome = outcome
      return outcome
    })

  const discard = (request: DiscardRequest) =>
    inTurn(async () => {
      const outcome = await discardBatch({ batchId, request })
      await refresh()
      state.requestsHandled += 1
      state.lastOutcome = outcome
      return outcome
    })

  const validator = (schema: TSchema, what: string) => (request: unknown) => {
    const problem = inputProblem(schema, request)
    if (problem) throw refused(`${what}: ${problem}`)
    // Not described yet: the request's first activity checks the batch instead.
    if (!summary) return
    if (state.rowsOpen === 0) throw refused(`Quarantine batch ${batchId} is ${state.status}: no row is waiting`)
    const table = (request as ReprocessRequest).table
    if (table && !summary.tables.some((t) => t.tableName === table)) {
      throw refused(`Quarantine batch ${batchId} holds no rows of table ${table}`)
    }
  }
  // The caller gets the failure's own type: a refused request is a BadInputError.
  const asFailure = (error: unknown) =>
    ApplicationFailure.create({ message: failureMessage(error), type: failureType(error), nonRetryable: true })
  const kept = (error: unknown) => {
    state.lastError = failureMessage(error)
  }

  setHandler(reprocessUpdate, (request) => reprocess(request).catch((error) => Promise.reject(asFailure(error))), {
    validator: validator(ReprocessRequestSchema, 'reprocess'),
  })
  setHandler(discardUpdate, (request) => discard(request).catch((error) => Promise.reject(asFailure(error))), {
    validator: validator(DiscardRequestSchema, 'discard'),
  })
  // A signal's handler lasts as long as its work, so the batch does not close under it.
  setHandler(reprocessSignal, async (request) => {
    const problem = inputProblem(ReprocessRequestSchema, request)
    if (problem) return kept(new Error(`reprocess: ${problem}`))
    await reprocess(request).catch(kept)
  })
  setHandler(discardSignal, async (request) => {
    const problem = inputProblem(DiscardRequestSchema, request)
    if (problem) return kept(new Error(`discard: ${problem}`))
    await discard(request).catch(kept)
  })

  await described
  await condition(() => state.rowsOpen === 0 && allHandlersFinished())
  return state
}
