// The activities a worker hosts. Workflows import this module as types only.
import { withTypedFailures } from '../lib/activity-failures.ts'
import { withHeartbeats } from '../lib/heartbeat.ts'
import type { ActivityContext } from './context.ts'
import { makeExtractPosTable } from './extract-pos-table.ts'
import { makeIngestSheet } from './ingest-sheet.ts'
import { makeReconcileRowAccounting } from './reconcile-row-accounting.ts'
import { makeReconcileWarehouse } from './reconcile-warehouse.ts'
import {
  makeAcquireWriterLock,
  makeAdoptFailedRuns,
  makeFinishRun,
  makeReleaseFailedRun,
  makeReleaseWriterLock,
  makeStartRun,
} from './run-bookkeeping.ts'
import { makePlanRun, makeRunModel } from './run-model.ts'
import { makeValidateTable } from './validate-table.ts'

export function createActivities(context: ActivityContext) {
  return withTypedFailures(
    withHeartbeats({
      startRun: makeStartRun(context),
      finishRun: makeFinishRun(context),
      releaseFailedRun: makeReleaseFailedRun(context),
      adoptFailedRuns: makeAdoptFailedRuns(context),
      acquireWriterLock: makeAcquireWriterLock(context),
      releaseWriterLock: makeReleaseWriterLock(context),
      planRun: makePlanRun(context),
      extractPosTable: makeExtractPosTable(context),
      ingestSheet: makeIngestSheet(context),
      runModel: makeRunModel(context),
      validateTable: makeValidateTable(context),
      reconcileRowAccounting: makeReconcileRowAccounting(context),
      reconcileWarehouse: makeReconcileWarehouse(context),
    }),
  )
}

export type Activities = ReturnType<typeof createActivities>
export type { ActivityContext } from './context.ts'
