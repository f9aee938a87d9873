// Notifications: posts a run's events to the configured webhook (lib/notifications.ts).
import type { NotifyInput, NotifyResult } from '../lib/contract.ts'
import type { ActivityContext } from './context.ts'

export function makeNotify(_context: ActivityContext) {
  return async function notify(_input: NotifyInput): Promise<NotifyResult> {
    return { delivered: false, skipped: 'no webhook configured' }
  }
}
