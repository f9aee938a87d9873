// The queries, updates and signals of the workflows, declared once for the workflows and the
// clients (CLI, tests) that send them. Signal and update arguments are one JSON object, as the
// Web UI's Send a Signal and Send an Update forms send.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import type {
  BatchState,
  DiscardOutcome,
  DiscardRequest,
  ReprocessOutcome,
  ReprocessRequest,
  RunProgress,
} from '../lib/contract.ts'

/** A run's stage and steps (pipelineRun, reprocessRun). */
export const progressQuery = defineQuery<RunProgress>('progress')

/** A quarantine batch's status, counts and last outcome. */
export const statusQuery = defineQuery<BatchState>('status')
export const reprocessUpdate = defineUpdate<ReprocessOutcome, [ReprocessRequest]>('reprocess')
export const discardUpdate = defineUpdate<DiscardOutcome, [DiscardRequest]>('discard')
export const reprocessSignal = defineSignal<[ReprocessRequest]>('reprocess')
export const discardSignal = defineSignal<[DiscardRequest]>('discard')
