// The activities a worker hosts, each wrapped to heartbeat and to fail with a typed error.
// Workflows import this module as types only.
import { withTypedFailures } from '../lib/activity-failures.ts'
import { withHeartbeats } from '../lib/heartbeat.ts'
import { makeBuildReport } from './build-report.ts'
import type { ActivityContext } from './context.ts'
import { makeExtractPosTable } from './extract-pos-table.ts'
import { makeArchiveFailedLoads, makeStageFailedLoad } from './failed-loads.ts'
import { makeAdoptFailedRuns, makeReleaseFailedRun } from './failed-runs.ts'
import { makeIngestSheet } from './ingest-sheet.ts'
import { makeNotify } from './notify.ts'
import { makePlanRun } from './plan-run.ts'
import {
  makeDescribeBatch,
  makeDiscardBatch,
  makeOpenQuarantineBatch,
  makePrepareReprocess,
  makeResolveReprocess,
  makeRetireCorrections,
  makeSettleBatch,
} from './quarantine-batches.ts'
import { makeReconcileRowAccounting } from './reconcile-row-accounting.ts'
import { makeReconcileWarehouse } from './reconcile-warehouse.ts'
import { makeRunModel } from './run-model.ts'
import { makeFinishRun, makeStartRun } from './run-records.ts'
import { makeStageReprocess } from './stage-reprocess.ts'
import { makeValidateTable } from './validate-table.ts'
import { makeAcquireWriterLock, makeReleaseWriterLock } from './writer-lock.ts'

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
      retireCorrections: makeRetireCorrections(context),
      openQuarantineBatch: makeOpenQuarantineBatch(context),
      describeBatch: makeDescribeBatch(context),
      prepareReprocess: makePrepareReprocess(context),
      stageReprocess: makeStageReprocess(context),
      resolveReprocess: makeResolveReprocess(context),
      settleBatch: makeSettleBatch(context),
      discardBatch: makeDiscardBatch(context),
      archiveFailedLoads: makeArchiveFailedLoads(context),
      stageFailedLoad: makeStageFailedLoad(context),
      notify: makeNotify(context),
      buildReport: makeBuildReport(context),
    }),
  )
}

export type Activities = ReturnType<typeof createActivities>
export type { ActivityContext } from './context.ts'
