// How one person comes to be two customer records in a POS, and how two people come to look
// alike: the variations the generator plants for duplicate grouping to find (or to keep apart).
import type { Faker } from '@faker-js/faker'
import { distance } from 'fastest-levenshtein'

/** First names and a nickname people give instead (the warehouse's etl.first_name_nicknames). */
export const NICKNAMES: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will'],
  Elizabeth: ['Liz', 'Beth'],
  Michael: ['Mike'],
  James: ['Jim', 'Jimmy'],
  John: ['Jack', 'Johnny'],
  Joseph: ['Joe'],
  Thomas: ['Tom'],
  Richard: ['Rick', 'Dick'],
  Daniel: ['Dan', 'Danny'],
  David: ['Dave'],
  Christopher: ['Chris'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Steven: ['Steve'],
  Katherine: ['Kate', 'Katie'],
  Jennifer: ['Jen', 'Jenny'],
  Margaret: ['Maggie', 'Meg'],
  Patricia: ['Pat'],
  Samuel: ['Sam'],
  Nicholas: ['Nick'],
  Edward: ['Ed', 'Eddie'],
  Kenneth: ['Ken'],
  Timothy: ['Tim'],
}

/** How a duplicate registration's name differs from the first one. */
export type NameVariant = 'same' | 'case_and_spacing' | 'typo' | 'nickname' | 'swapped' | 'initial' | 'accent'

/** A slip of the keyboard: one letter changed, dropped, doubled, or two swapped. */
export function typo(faker: Faker, name: string): string {
  if (name.length < 4) return name.toUpperCase() === name ? name : `${name}${name.at(-1)}`
  const at = faker.number.int({ min: 1, max: name.length - 2 })
  const kind = faker.number.int(3)
  if (kind === 0) return name.slice(0, at) + name.slice(at + 1)
  if (kind === 1) return name.slice(0, at) + (name[at] as string) + name.slice(at)
  if (kind === 2) return name.slice(0, at) + (name[at + 1] as string) + (name[at] as string) + name.slice(at + 2)
  const letters = 'aeiourstnl'
  const replacement = faker.helpers.arrayElement([...letters].filter((letter) => letter !== name[at]))
  return name.slice(0, at) + replacement + name.slice(at + 1)
}

const ACCENTED: Record<string, string> = { e: 'é', a: 'á', o: 'ó', i: 'í', u: 'ú', n: 'ñ' }

/** The name with its first accentable letter accented ('Jose' -> 'Jósé' is too much: one letter). */
function accent(name: string): string {
  const at = [...name].findIndex((letter, n) => n > 0 && ACCENTED[letter] !== undefined)
  if (at < 0) return name
  return name.slice(0, at) + ACCENTED[name[at] as string] + name.slice(at + 1)
}

/** A person's name as a duplicate registration spells it. */
export function varyName(
  faker: Faker,
  first: string,
  last: string,
  variant: NameVariant,
): { first: string; last: string; variant: NameVariant } {
  switch (variant) {
    case 'case_and_spacing':
      return { first: `  ${first.toUpperCase()}`, last: `${last.toLowerCase()}  `, variant }
    case 'typo':
      return faker.datatype.boolean()
        ? { first: typo(faker, first), last, variant }
        : { first, last: typo(faker, last), variant }
    case 'nickname': {
      const nicknames = NICKNAMES[first]
      if (!nicknames) return varyName(faker, first, last, 'typo')
      return { first: faker.helpers.arrayElement(nicknames), last, variant }
    }
    case 'swapped':
      return { first: last, last: first, variant }
    case 'initial':
      return { first: `${first[0]}.`, last, variant }
    case 'accent': {
      const accented = accent(first)
      if (accented === first) return varyName(faker, first, last, 'case_and_spacing')
      return { first: accented, last, variant }
    }
    default:
      return { first, last, variant: 'same' }
  }
}

/**
 * A first name for someone else in the same household: another initial, at least three edits
 * away and not a nickname of the other, so that no honest matcher could take one for the other.
 */
export function householdFirstName(faker: Faker, other: string): string {
  const canonical = (name: string) =>
    Object.entries(NICKNAMES).find(([, nicknames]) => nicknames.includes(name))?.[0] ?? name
  for (let attempt = 0; ; attempt++) {
    const first = faker.person.firstName()
    if (attempt > 1000) throw new Error(`no household name for ${other}`)
    if (
      first[0] !== other[0] &&
      canonical(first)[0] !== canonical(other)[0] &&
      distance(first.toLowerCase(), other.toLowerCase()) >= 3
    ) {
      return first
    }
  }
}

/** A POS phone number written as a person gives it locally: the trunk zero for the country code. */
export function localFormat(phone: string): string {
  return phone.startsWith('62') ? `0${phone.slice(2)}` : phone
}
