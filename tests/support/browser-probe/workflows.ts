// A test-only workflow for the Web UI browser tests (tests/integration/web-ui.test.ts): it waits
// for the signal `reprocess` with one object argument and returns it. Like the pipeline's
// `quarantineBatch`, it stays running until it is signalled, so the Web UI lists it as Running
// and its Send a Signal form can reach it. Bundled on its own; imports only the workflow API.
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow'

export interface ReprocessRequest {
  note: string
}

export const reprocessSignal = defineSignal<[ReprocessRequest]>('reprocess')
/** `waiting` until the signal arrived, then `received`. */
export const probeStateQuery = defineQuery<'waiting' | 'received'>('probeState')

export async function signalProbe(): Promise<ReprocessRequest> {
  let received: ReprocessRequest | undefined
  setHandler(
    reprocessSignal,
    (request) => {
      received ??= request
    },
    { description: 'Reprocess: one JSON object {"note": "..."}' },
  )
  setHandler(probeStateQuery, () => (received ? 'received' : 'waiting'), {
    description: 'waiting until the reprocess signal arrived, then received',
  })
  await condition(() => received !== undefined)
  return received as ReprocessRequest
}
