// The display of a followed run: on a terminal a bar (stage, steps done of total, rows so far),
// redrawn in place; otherwise a plain line when the stage or the wait changes, said again while
// it lasts (cli/wait-notices.ts), so a log shows what the run did and what it waited for.
import type { Client, WorkflowHandle } from '@temporalio/client'
import { SingleBar } from 'cli-progress'
import { followRun, type Look } from './follow-run.ts'
import { waitNotices } from './wait-notices.ts'

export interface DisplayOptions {
  /** Plain lines to stderr (stdout holds one JSON document). */
  toStderr?: boolean
  /** Draw the bar; by default when stderr, where the bar is drawn, is a terminal. */
  interactive?: boolean
}

/** The bar's fields for a look: what it shows before the run reports progress too. */
export function barFields(look: Look): { value: number; total: number; stage: string; rows: string } {
  const progress = look.progress
  return {
    value: progress?.stepsDone ?? 0,
    total: Math.max(progress?.stepsTotal ?? 0, 1),
    stage: progress?.stage ?? look.status?.text ?? 'starting',
    rows: progress?.rowsExtracted === undefined ? '' : ` | ${progress.rowsExtracted.toLocaleString('en')} rows so far`,
  }
}

export function followWithDisplay(
  client: Client,
  handle: WorkflowHandle,
  taskQueue: string,
  { toStderr = false, interactive = process.stderr.isTTY === true }: DisplayOptions = {},
): { stop: () => Promise<void> } {
  const write = toStderr ? (line: string) => console.error(line) : (line: string) => console.log(line)
  const bar = new SingleBar({
    format: '  {bar} {value}/{total} steps | {stage}{rows}',
    hideCursor: true,
    stream: process.stderr,
  })
  if (interactive) bar.start(1, 0, { stage: 'starting', rows: '' })
  const notice = waitNotices()
  const follower = followRun({ client, handle, taskQueue, hasProgressQuery: true }, (look) => {
    if (interactive) {
      const { value, total, ...payload } = barFields(look)
      bar.setTotal(total)
      bar.update(value, payload)
      return
    }
    const line = notice(look.status, Date.now())
    if (line) write(`  ${line}`)
  })
  return {
    stop: async () => {
      await follower.stop()
      if (interactive) bar.stop()
    },
  }
}
