// When to print what a followed run is doing: a line when it changes, and again at intervals
// while it stays the same, so a log never goes quiet about what the run is waiting for.

/** How often an unchanged status is said again. */
export const REPEAT_MS = 10_000

export interface Status {
  /** What counts as a change: the stage, or the whole text of a wait. */
  key: string
  /** What to say: "extracting (3/20 steps done)", "waiting: no worker polls task queue q ...". */
  text: string
}

/** Returns the line to print for the status seen at `now`, if any. */
export function waitNotices(repeatMs = REPEAT_MS): (status: Status | undefined, now: number) => string | undefined {
  let last: { key: string; at: number } | undefined
  return (status, now) => {
    if (!status) return undefined
    if (status.key !== last?.key) {
      last = { key: status.key, at: now }
      return status.text
    }
    if (now - last.at < repeatMs) return undefined
    last.at = now
    return `still ${status.text}`
  }
}
