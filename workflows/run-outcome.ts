// What a run tells once it ends, outside the writer lock: its report (lib/report/, in the
// bucket), its outcome in its memo and search attributes (the Web UI shows them and filters on
// them), and the webhook's events (activities/notify.ts). A report that cannot be built or a
// notification that cannot be delivered never fails the run.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import type { AccountingRow, NotifyInput, QuarantineBatchSummary } from '../lib/contract.ts'
import { RUN_MODE, RUN_OUTCOME, RUN_QUARANTINED, SCHEDULED_BY } from '../lib/search-attributes.ts'
import { bookkeepingOptions, notificationOptions } from './activity-options.ts'
import { failureMessage } from './failure-message.ts'

/** What a finished run reports: counts and ids only. */
export interface RunOutcome {
  counts: Record<string, number>
  /** The run's quarantine batch, when it held rows back. */
  quarantine?: QuarantineBatchSummary
}

/** The counts of a run's row accounting, summed over its tables. */
export function accountingCounts(accounting: AccountingRow[]): Record<string, number> {
  const sum = (pick: (row: AccountingRow) => number) => accounting.reduce((total, row) => total + pick(row), 0)
  return {
    rowsExtracted: sum((row) => row.rowsExtracted),
    rowsPublished: sum((row) => row.rowsPublished),
    rowsRejected: sum((row) => row.rowsRejected),
  }
}

/** Memo and webhook lines are for people: one line, and short. */
const MAX_LINE = 500

/** The one line of a run's failure: what went wrong (a failed run's cause), not how it was wrapped. */
function failureLine(error: unknown): string {
  if (isCancellation(error)) return 'cancelled'
  const wrapped = error instanceof ApplicationFailure && error.type?.endsWith('RunFailed') && error.cause
  const line = failureMessage(wrapped ? error.cause : error).split('\n')[0] ?? ''
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line
}

/**
 * Runs `work` (the run, under its writer lock) and tells its outcome: `describe` turns a
 * successful result into counts. The failure is thrown on, unchanged.
 */
export async function tellingOutcome<T>(
  run: { runId: string; mode: string },
  work: () => Promise<T>,
  describe: (result: T) => RunOutcome,
): Promise<T> {
  if (!patched('run-outcome')) return work()
  const { notify } = proxyActivities<Activities>(notificationOptions)
  const tell = (input: Omit<NotifyInput, 'runId'>) =>
    notify({ runId: run.runId, ...input }).then(
      () => undefined,
      () => undefined,
    )
  // The run's report (lib/report/, in the bucket), built once the run has ended either way: like
  // a notification, a report that cannot be built never fails the run.
  const { buildReport } = proxyActivities<Activities>(bookkeepingOptions())
  const report = async (): Promise<{ reportKey?: string }> => {
    if (!patched('run-report')) return {}
    return buildReport({ runId: run.runId }).then(
      ({ reportKey }) => ({ reportKey }),
      () => ({}),
    )
  }
  const { workflowId } = workflowInfo()
  upsertSearchAttributes([
    { key: RUN_MODE, value: run.mode },
    { key: RUN_OUTCOME, value: 'running' },
  ])
  let result: T
  try {
    result = await work()
  } catch (error) {
    const line = failureLine(error)
    upsertMemo({ outcome: 'failed', error: line })
    upsertSearchAttributes([{ key: RUN_OUTCOME, value: 'failed' }])
    const scheduleId = workflowInfo().typedSearchAttributes.get(SCHEDULED_BY)
    // The server pauses a schedule on a failed run, not on a cancelled one.
    const pausing = scheduleId !== undefined && !isCancellation(error)
    await CancellationScope.nonCancellable(async () => {
      const built = await report()
      if (built.reportKey) upsertMemo({ reportKey: built.reportKey })
      await tell({ event: 'run.failed', workflowId, error: line, ...built, ...(scheduleId ? { scheduleId } : {}) })
      if (pausing) await tell({ event: 'schedule.paused', workflowId, scheduleId, error: line })
    })
    throw error
  }
  const { counts, quarantine } = describe(result)
  const quarantineBatch = quarantine?.workflowId
  const built = await report()
  upsertMemo({
    outcome: 'succeeded',
    ...counts,
    quarantineBatch: quarantineBatch ?? null,
    reportKey: built.reportKey ?? null,
  })
  upsertSearchAttributes([
    { key: RUN_OUTCOME, value: 'succeeded' },
    { key: RUN_QUARANTINED, value: quarantineBatch !== undefined },
  ])
  await Promise.all([
    tell({ event: 'run.succeeded', workflowId, counts, ...built, ...(quarantineBatch ? { quarantineBatch } : {}) }),
    quarantineBatch
      ? tell({
          event: 'batch.waiting',
          workflowId: quarantineBatch,
          counts: { rowsHeld: quarantine?.rowsHeld ?? 0, rowsOpen: quarantine?.rowsOpen ?? 0 },
          quarantineBatch,
        })
      : undefined,
  ])
  return result
}
