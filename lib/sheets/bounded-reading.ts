// A sheet's rows read with two bounds: a reading that makes no progress for a while fails,
// naming the file, instead of holding its worker for ever; and a cancelled activity (timed
// out, or its worker shutting down) stops reading at once and gives its slot back.
import { BadInputError } from '../errors.ts'
import { cancellationSignal } from '../heartbeat.ts'

/** How long a file may go without yielding a row before its reading is given up. */
export const STALLED_READING_SECONDS = 60

export interface ReadingBounds {
  stalledSeconds?: number
  signal?: AbortSignal
}

/** Yields what `source` yields, failing when it stalls or the reading is cancelled; closes it either way. */
export async function* bounded<T>(
  source: AsyncGenerator<T>,
  file: string,
  bounds: ReadingBounds = {},
): AsyncGenerator<T> {
  const seconds = bounds.stalledSeconds ?? STALLED_READING_SECONDS
  const signal = bounds.signal ?? cancellationSignal()
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error(`${file}: reading cancelled`))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  stop.catch(() => {}) // observed by the race below
  try {
    while (true) {
      signal.throwIfAborted()
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new BadInputError(
                `${file}: reading stopped making progress (no row for ${seconds} s): the file may be damaged`,
              ),
            ),
          seconds * 1000,
        )
      })
      const next = await Promise.race([source.next(), stalled, stop]).finally(() => clearTimeout(timer))
      if (next.done) return
      yield next.value
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
    // A stalled source may never settle its return; do not wait for it.
    void source.return(undefined).catch(() => {})
  }
}
