// The deployment a run belongs to (lib/deployment.ts), in its memo: every activity then carries
// it (workflows/interceptors.ts), and a worker of another warehouse refuses it.
import { patched, upsertMemo, workflowInfo } from '@temporalio/workflow'
import type { StartRunResult } from '../lib/contract.ts'
import { DEPLOYMENT_MEMO_KEY } from '../lib/deployment.ts'

/** A run started without a deployment in its memo (from the Web UI) belongs to the worker that recorded its start. */
export function bindDeployment(started: StartRunResult | undefined): void {
  if (!patched('run-deployment')) return
  if (started?.deployment && workflowInfo().memo?.[DEPLOYMENT_MEMO_KEY] === undefined) {
    upsertMemo({ [DEPLOYMENT_MEMO_KEY]: started.deployment })
  }
}
