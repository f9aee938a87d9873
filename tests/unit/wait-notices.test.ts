import { describe, expect, it } from 'vitest'
import { waitNotices } from '../../cli/wait-notices.ts'

const noWorker = { key: 'no worker', text: 'waiting: no worker polls task queue q' }
const extracting = (done: number) => ({ key: 'extracting', text: `extracting (${done}/9 steps done)` })

describe('notices of a followed run', () => {
  it('says a status when it changes, again while it lasts, and nothing in between', () => {
    const notice = waitNotices(10_000)
    expect(notice(undefined, 0)).toBeUndefined()
    expect(notice(noWorker, 1_000)).toBe('waiting: no worker polls task queue q')
    expect(notice(noWorker, 5_000)).toBeUndefined()
    expect(notice(noWorker, 11_000)).toBe('still waiting: no worker polls task queue q')
    expect(notice(noWorker, 12_000)).toBeUndefined()
    expect(notice(extracting(0), 13_000)).toBe('extracting (0/9 steps done)')
    // Steps done within a stage are not a change; the repeat says how far it got.
    expect(notice(extracting(4), 14_000)).toBeUndefined()
    expect(notice(extracting(6), 23_000)).toBe('still extracting (6/9 steps done)')
  })
})
