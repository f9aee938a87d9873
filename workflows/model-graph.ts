// Runs a dependency graph of models inside a workflow: each model starts as soon as the models
// it reads are built, with at most `limit` running at once. On a failure no new model starts,
// the running ones finish, and the first failure is thrown (nothing is left writing).
// Deterministic: the order only depends on completions recorded in workflow history.
//
// When more models are ready than may run, the one with the longest chain of models waiting on
// it starts first, so the graph's longest path is not held up; a caller may rank them otherwise.
import type { ExtractResult, ModelNode } from '../lib/contract.ts'

/** Ranks ready models: the higher, the sooner. */
export type Priority = (name: string) => number

/** For each model, how many models the longest chain of its readers holds (0 for a model nothing reads). */
export function readerChains(nodes: ModelNode[]): Priority {
  const readers = new Map<string, string[]>(nodes.map((node) => [node.name, []]))
  for (const node of nodes) for (const dependency of node.dependsOn) readers.get(dependency)?.push(node.name)
  const chains = new Map<string, number>()
  const chain = (name: string): number => {
    const known = chains.get(name)
    if (known !== undefined) return known
    const length = Math.max(0, ...(readers.get(name) ?? []).map((reader) => chain(reader) + 1))
    chains.set(name, length)
    return length
  }
  return (name) => chain(name)
}

/**
 * Clean models by the rows their run staged, largest first: the clean stage lasts at least as
 * long as its largest copy, so that one starts at once rather than after smaller ones.
 */
export function largestStagedFirst(
  extracted: Pick<ExtractResult, 'tableName' | 'rowsInserted' | 'rowsUpdated'>[],
): Priority {
  const staged = new Map(extracted.map((batch) => [batch.tableName, batch.rowsInserted + batch.rowsUpdated]))
  // A clean model is named after the staging table it reads (sourceTableOf).
  return (name) => staged.get(name.slice(name.indexOf('.') + 1)) ?? 0
}

export async function runGraph(
  nodes: ModelNode[],
  limit: number,
  build: (name: string) => Promise<unknown>,
  priority: Priority = readerChains(nodes),
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
      .sort((a, b) => priority(b) - priority(a) || (a < b ? -1 : a > b ? 1 : 0))
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
