import { describe, expect, it } from 'vitest'
import { largestStagedFirst, runGraph } from '../../workflows/model-graph.ts'

const graph = [
  { name: 'dim_a', dependsOn: [] },
  { name: 'dim_b', dependsOn: [] },
  { name: 'dim_c', dependsOn: [] },
  { name: 'fct', dependsOn: ['dim_a', 'dim_b'] },
  { name: 'mart', dependsOn: ['fct', 'outside_the_selection'] },
]

/** Lets every callback already due run (no clock involved: only queued jobs). */
const settle = () => new Promise<void>((done) => setImmediate(done))

/** A build that records what starts, and finishes each model only when the test says so. */
function controlledBuild() {
  const started: string[] = []
  const pending = new Map<string, { resolve: () => void; reject: (error: Error) => void }>()
  let peak = 0
  const build = (name: string) =>
    new Promise<void>((resolve, reject) => {
      started.push(name)
      pending.set(name, { resolve, reject })
      peak = Math.max(peak, pending.size)
    })
  return {
    started,
    build,
    peak: () => peak,
    /** The models building now, in the order they started. */
    running: () => [...pending.keys()],
    /** Finishes a running model (with a failure if given) and lets the graph react. */
    async finish(name: string, failure?: Error) {
      const model = pending.get(name)
      if (!model) throw new Error(`${name} is not running`)
      pending.delete(name)
      if (failure) model.reject(failure)
      else model.resolve()
      await settle()
    },
  }
}

/** Follows a graph run: `settled` tells whether it ended, `outcome` how. */
function follow(run: Promise<void>) {
  const state: { settled: boolean; outcome: Promise<void> } = { settled: false, outcome: run }
  run.then(
    () => {
      state.settled = true
    },
    () => {
      state.settled = true
    },
  )
  return state
}

/** Finishes the running models oldest first until the graph run ends. */
async function finishAll(b: ReturnType<typeof controlledBuild>, run: ReturnType<typeof follow>): Promise<void> {
  await settle()
  while (!run.settled) {
    const [oldest] = b.running()
    if (!oldest) throw new Error('The graph run waits but nothing is running')
    await b.finish(oldest)
  }
  await run.outcome
}

describe('running the model graph', () => {
  it('starts a model only after everything it reads, never more than the limit at once', async () => {
    const b = controlledBuild()
    const run = follow(runGraph(graph, 2, b.build))
    await settle()
    expect(b.running()).toEqual(['dim_a', 'dim_b'])
    await b.finish('dim_a')
    // fct still waits for dim_b; the free slot goes to dim_c.
    expect(b.running()).toEqual(['dim_b', 'dim_c'])
    await b.finish('dim_b')
    expect(b.running()).toEqual(['dim_c', 'fct'])
    await b.finish('fct')
    // mart reads a model outside the selection, which it does not wait for.
    expect(b.running()).toEqual(['dim_c', 'mart'])
    await b.finish('mart')
    await b.finish('dim_c')
    await run.outcome
    expect(b.started).toEqual(['dim_a', 'dim_b', 'dim_c', 'fct', 'mart'])
    expect(b.peak()).toBe(2)
  })

  it('runs independent models side by side when the limit allows', async () => {
    const b = controlledBuild()
    const run = follow(runGraph(graph, 8, b.build))
    await settle()
    expect(b.running()).toEqual(['dim_a', 'dim_b', 'dim_c'])
    await finishAll(b, run)
    expect(b.peak()).toBe(3)
  })

  it('on a failure starts nothing more, lets running models finish, and throws the failure', async () => {
    // Two models nothing reads are ready the whole time: starting more would start them.
    const withIndependents = [...graph, { name: 'dim_d', dependsOn: [] }, { name: 'dim_e', dependsOn: [] }]
    const b = controlledBuild()
    const run = follow(runGraph(withIndependents, 2, b.build))
    await settle()
    expect(b.running()).toEqual(['dim_a', 'dim_b'])
    await b.finish('dim_a', new Error('dim_a failed'))
    // dim_c, dim_d and dim_e were ready and a slot was free: none started, and the run waits for dim_b.
    expect(b.running()).toEqual(['dim_b'])
    expect(run.settled).toBe(false)
    await b.finish('dim_b')
    await expect(run.outcome).rejects.toThrow('dim_a failed')
    expect(b.started).toEqual(['dim_a', 'dim_b'])
  })

  it('starts first, of the models ready, the one with the longest chain of models waiting on it', async () => {
    const b = controlledBuild()
    const chain = [
      { name: 'a_alone', dependsOn: [] },
      { name: 'b_header', dependsOn: [] },
      { name: 'c_lines', dependsOn: ['b_header'] },
      { name: 'd_orders', dependsOn: ['c_lines'] },
    ]
    await finishAll(b, follow(runGraph(chain, 1, b.build)))
    expect(b.started).toEqual(['b_header', 'c_lines', 'a_alone', 'd_orders'])
  })

  it('can start the clean models largest staged batch first', async () => {
    const b = controlledBuild()
    const clean = ['clean.customers', 'clean.order_details', 'clean.orders'].map((name) => ({ name, dependsOn: [] }))
    const staged = (tableName: string, rowsInserted: number) => ({ tableName, rowsInserted, rowsUpdated: 0 })
    const priority = largestStagedFirst([
      staged('customers', 200),
      staged('order_details', 3000),
      staged('orders', 1000),
    ])
    await finishAll(b, follow(runGraph(clean, 1, b.build, priority)))
    expect(b.started).toEqual(['clean.order_details', 'clean.orders', 'clean.customers'])
  })
})
