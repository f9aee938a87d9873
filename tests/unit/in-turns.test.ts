import { describe, expect, it } from 'vitest'
import { inTurns } from '../../lib/in-turns.ts'

/** A promise the test settles when it chooses. */
function deferred() {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

/** Lets every callback already due run (no clock involved: only queued jobs). */
const settle = () => new Promise<void>((done) => setImmediate(done))

describe('inTurns', () => {
  it('never runs more than the workers at once, and a free worker takes the next item', async () => {
    const items = ['long', 'a', 'b', 'c']
    const finish = Object.fromEntries(items.map((item) => [item, deferred()]))
    const started: string[] = []
    let running = 0
    let most = 0
    const done = inTurns(items, 2, async (item, worker) => {
      started.push(`${item}@${worker}`)
      running += 1
      most = Math.max(most, running)
      await finish[item]?.promise
      running -= 1
    })
    await settle()
    expect(started).toEqual(['long@0', 'a@1'])
    // While the long item holds worker 0, worker 1 works through the rest, one at a time.
    finish.a?.resolve()
    await settle()
    expect(started).toEqual(['long@0', 'a@1', 'b@1'])
    finish.b?.resolve()
    await settle()
    expect(started).toEqual(['long@0', 'a@1', 'b@1', 'c@1'])
    finish.c?.resolve()
    await settle()
    expect(running).toBe(1)
    finish.long?.resolve()
    await done
    expect(running).toBe(0)
    expect(most).toBe(2)
  })

  it('stops at the first failure it is handed', async () => {
    await expect(inTurns([1, 2], 1, async (n) => Promise.reject(new Error(`item ${n}`)))).rejects.toThrow('item 1')
  })
})
