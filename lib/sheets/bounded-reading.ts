// A sheet's rows read with two bounds: a reading that makes no progress for a while fails,
// naming the file, instead of holding its worker for ever; and a cancelled activity (timed
// out, or its worker shutting down) stops reading at once and gives its slot back.
import { BadInputError } from '../errors.ts'

/** How long a file may go without yielding a row before its reading is given up. */
export const STALLED_READING_SECONDS = 60

export interface ReadingBounds {
  /** Overrides STALLED_READING_SECONDS (tests lower it). */
  stalledSeconds?: number
  /** Aborted when the reading must stop: the activity was cancelled or timed out. */
  signal?: AbortSignal
}

export interface BoundedOptions {
  stalledSeconds: number
  signal: AbortSignal
  /** Called once when the source stalls, to close what it reads (its pending read may never settle). */
  onStall?: (error: BadInputError) => void
}

export function stalledError(file: string, seconds: number): BadInputError {
  return new BadInputError(
    `${file}: reading stopped making progress (no row for ${seconds} s): the file may be damaged`,
  )
}

/**
 * Yields what `source` yields, failing when it stalls or `signal` aborts; closes it either way.
 * Only the time spent waiting on the source counts: a consumer slow to ask for the next row
 * (a busy database) is no stall.
 */
export async function* bounded<T>(source: AsyncGenerator<T>, file: string, options: BoundedOptions): AsyncGenerator<T> {
  const { signal, stalledSeconds } = options
  // Rejects the wait in progress; a fresh promise per wait, so nothing accumulates over a million rows.
  let interrupt: ((reason: unknown) => void) | undefined
  const timer = setTimeout(() => {
    if (!interrupt) return // the consumer holds a row: not the source's delay
    const error = stalledError(file, stalledSeconds)
    options.onStall?.(error)
    interrupt(error)
  }, stalledSeconds * 1000)
  timer.unref()
  const onAbort = () => interrupt?.(signal.reason)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    while (true) {
      signal.throwIfAborted()
      timer.refresh()
      const stop = new Promise<never>((_, reject) => {
        interrupt = reject
      })
      const next = await Promise.race([source.next(), stop]).finally(() => {
        interrupt = undefined
      })
      if (next.done) return
      yield next.value
    }
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
    // A stalled source may never settle its return; do not wait for it.
    void source.return(undefined).catch(() => {})
  }
}
