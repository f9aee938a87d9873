// Runs a dependency graph of models inside a workflow: each model starts as soon as the models
// it reads are built, with at most `limit` running at once. On a failure no new model starts,
// the running ones finish, and the first failure is thrown (nothing is left writing).
// Deterministic: the order only depends on completions recorded in workflow history.
import type { ModelNode } from '../lib/pipeline-types.ts'

export async function runGraph(
  nodes: ModelNode[],
  limit: number,
  build: (name: string) => Promise<unknown>,
): Promise<void> {
  const names = new Set(nodes.map((node) => node.name))
  const waitingOn = new Map(
    nodes.map((node) => [node.name, new Set(node.dependsOn.filter((dependency) => names.has(dependency)))]),
  )
  const running = new Map<string, Promise<{ name: string; error?: unknown }>>()
  let failure: { error: unknown } | undefined

  const startReady = () => {
    const ready = [...waitingOn]
      .filter(([, deps]) => deps.size === 0)
      .map(([name]) => name)
      .sort()
    for (const name of ready) {
      if (running.size >= limit) break
      waitingOn.delete(name)
      running.set(
        name,
        build(name).then(
          () => ({ name }),
          (error: unknown) => ({ name, error }),
        ),
      )
    }
  }

  startReady()
  while (running.size > 0) {
    const done = await Promise.race(running.values())
    running.delete(done.name)
    if ('error' in done) failure ??= { error: done.error }
    if (failure) continue
    for (const deps of waitingOn.values()) deps.delete(done.name)
    startReady()
  }
  if (failure) throw failure.error
  if (waitingOn.size > 0) throw new Error(`Models never became ready: ${[...waitingOn.keys()].join(', ')}`)
}
