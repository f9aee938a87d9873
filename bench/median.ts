// Repeated measurements are noisy on a shared machine: the benches keep the one with the median ratio.

/** The measurement with the median ratio (the lower middle one of an even count). */
export function medianByRatio<T extends { ratio: number }>(measurements: T[]): T {
  const sorted = [...measurements].sort((a, b) => a.ratio - b.ratio)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]
  if (!median) throw new Error('No measurement to take the median of')
  return median
}
