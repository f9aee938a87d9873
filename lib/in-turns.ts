// Works through a list with a fixed number of workers: each takes the next item when it is
// free, so a long item does not hold up the ones behind it.

export async function inTurns<T>(
  items: readonly T[],
  workers: number,
  work: (item: T, worker: number) => Promise<unknown>,
): Promise<void> {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next, worker)
    }),
  )
}
