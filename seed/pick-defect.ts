import type { Faker } from '@faker-js/faker'

/** At most one defect per row: each kind is tried in turn at `rate` times its share. */
export function pickDefect<K extends string>(
  faker: Faker,
  rate: number,
  kinds: [kind: K, share: number][],
): K | undefined {
  for (const [kind, share] of kinds) if (faker.number.float() < rate * share) return kind
  return undefined
}
