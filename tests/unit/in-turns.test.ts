import { describe, expect, it } from 'vitest'
import { inTurns } from '../../lib/in-turns.ts'

describe('inTurns', () => {
  it('never runs more than the workers at once, and a free worker takes the next item', async () => {
    const started: string[] = []
    let running = 0
    let most = 0
    const waits: Record<string, number> = { long: 30, a: 1, b: 1, c: 1 }
    await inTurns(Object.keys(waits), 2, async (item, worker) => {
      started.push(`${item}@${worker}`)
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, waits[item]))
      running -= 1
    })
    expect(most).toBe(2)
    // While the long item holds worker 0, worker 1 works through the rest.
    expect(started).toEqual(['long@0', 'a@1', 'b@1', 'c@1'])
  })

  it('stops at the first failure it is handed', async () => {
    await expect(inTurns([1, 2], 1, async (n) => Promise.reject(new Error(`item ${n}`)))).rejects.toThrow('item 1')
  })
})
