// One writer at a time, for every workflow that writes: the lock is taken before the work and
// released in `finally` through one retry policy, whatever the work's outcome (a cancelled run
// included: the release runs outside the cancelled scope).
import { CancellationScope, proxyActivities } from '@temporalio/workflow'
import type { Activities } from '../activities/index.ts'
import { writerLockOptions } from './activity-options.ts'

export async function withWriterLock<T>(
  runId: string,
  heartbeatSeconds: number | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const { acquireWriterLock, releaseWriterLock } = proxyActivities<Activities>(writerLockOptions(heartbeatSeconds))
  await acquireWriterLock({ runId })
  try {
    return await work()
  } finally {
    await CancellationScope.nonCancellable(() => releaseWriterLock({ runId }))
  }
}
