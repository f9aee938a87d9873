import { describe, expect, it } from 'vitest'
import { largestStagedFirst, runGraph } from '../../workflows/model-graph.ts'

const graph = [
  { name: 'dim_a', dependsOn: [] },
  { name: 'dim_b', dependsOn: [] },
  { name: 'dim_c', dependsOn: [] },
  { name: 'fct', dependsOn: ['dim_a', 'dim_b'] },
  { name: 'mart', dependsOn: ['fct', 'outside_the_selection'] },
]

/** A build that records what runs when, and finishes when the test says so. */
function recorder(fail: string[] = []) {
  const started: string[] = []
  let running = 0
  let peak = 0
  const build = async (name: string) => {
    started.push(name)
    running += 1
    peak = Math.max(peak, running)
    await new Promise((resolve) => setTimeout(resolve, 5))
    running -= 1
    if (fail.includes(name)) throw new Error(`${name} failed`)
  }
  return { started, build, peak: () => peak }
}

describe('running the model graph', () => {
  it('starts a model only after everything it reads, never more than the limit at once', async () => {
    const r = recorder()
    await runGraph(graph, 2, r.build)
    expect(r.started).toHaveLength(5)
    expect(r.started.indexOf('fct')).toBeGreaterThan(Math.max(r.started.indexOf('dim_a'), r.started.indexOf('dim_b')))
    expect(r.started.indexOf('mart')).toBeGreaterThan(r.started.indexOf('fct'))
    expect(r.peak()).toBe(2)
  })

  it('runs independent models side by side when the limit allows', async () => {
    const r = recorder()
    await runGraph(graph, 8, r.build)
    expect(r.peak()).toBe(3)
  })

  it('on a failure starts nothing more, lets running models finish, and throws the failure', async () => {
    const r = recorder(['dim_a'])
    await expect(runGraph(graph, 3, r.build)).rejects.toThrow('dim_a failed')
    expect(r.started.sort()).toEqual(['dim_a', 'dim_b', 'dim_c'])
  })

  it('starts first, of the models ready, the one with the longest chain of models waiting on it', async () => {
    const r = recorder()
    const chain = [
      { name: 'a_alone', dependsOn: [] },
      { name: 'b_header', dependsOn: [] },
      { name: 'c_lines', dependsOn: ['b_header'] },
      { name: 'd_orders', dependsOn: ['c_lines'] },
    ]
    await runGraph(chain, 1, r.build)
    expect(r.started).toEqual(['b_header', 'c_lines', 'a_alone', 'd_orders'])
  })

  it('can start the clean models largest staged batch first', async () => {
    const r = recorder()
    const clean = ['clean.customers', 'clean.order_details', 'clean.orders'].map((name) => ({ name, dependsOn: [] }))
    const staged = (tableName: string, rowsInserted: number) => ({ tableName, rowsInserted, rowsUpdated: 0 })
    await runGraph(
      clean,
      1,
      r.build,
      largestStagedFirst([staged('customers', 200), staged('order_details', 3000), staged('orders', 1000)]),
    )
    expect(r.started).toEqual(['clean.order_details', 'clean.orders', 'clean.customers'])
  })
})
