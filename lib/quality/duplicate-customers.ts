// Duplicate customers (docs/duplicate-customers.md): the overrides a person declares, and how
// the grouping the models made compares with a ground truth of who is who.
import type { Sql } from '../db.ts'
import { BadInputError } from '../errors.ts'

export interface MatchOverride {
  customerId: number
  matchedCustomerId: number
  samePerson: boolean
  note: string | null
  decidedBy: string
  decidedAt: Date
}

/**
 * Declares two customer records the same person, or not; the next run applies it. Declaring a
 * pair again replaces what was declared (so a command run twice is run once).
 */
export async function declareOverride(
  sql: Sql,
  a: number,
  b: number,
  samePerson: boolean,
  note: string | null,
  decidedBy: string,
): Promise<void> {
  if (!Number.isInteger(a) || !Number.isInteger(b) || a <= 0 || b <= 0) {
    throw new BadInputError(`A pair of customers is two positive customer ids, not ${a} and ${b}`)
  }
  if (a === b) throw new BadInputError(`A pair of customers is two records, not ${a} twice`)
  const [newer, older] = a > b ? [a, b] : [b, a]
  await sql`
    insert into dq.customer_match_overrides (customer_id, matched_customer_id, same_person, note, decided_by)
    values (${newer}, ${older}, ${samePerson}, ${note}, ${decidedBy})
    on conflict (customer_id, matched_customer_id) do update
      set same_person = excluded.same_person, note = excluded.note,
          decided_by = excluded.decided_by, decided_at = now()
      where (dq.customer_match_overrides.same_person, dq.customer_match_overrides.note)
            is distinct from (excluded.same_person, excluded.note)`
}

/** Takes a declaration back: the next run judges the pair by the rules again. */
export async function withdrawOverride(sql: Sql, a: number, b: number): Promise<boolean> {
  const rows = await sql`
    delete from dq.customer_match_overrides
    where customer_id = ${Math.max(a, b)} and matched_customer_id = ${Math.min(a, b)}
    returning customer_id`
  return rows.length > 0
}

export async function listOverrides(sql: Sql): Promise<MatchOverride[]> {
  return sql<MatchOverride[]>`
    select customer_id as "customerId", matched_customer_id as "matchedCustomerId", same_person as "samePerson",
           note, decided_by as "decidedBy", decided_at as "decidedAt"
    from dq.customer_match_overrides
    order by decided_at, customer_id, matched_customer_id`
}

export interface GroupingQuality {
  /** Of the pairs of records the grouping put together, the share that are one person. */
  precision: number
  /** Of the pairs of records that are one person, the share the grouping put together. */
  recall: number
  /** Groups of two records or more. */
  groups: number
  pairsGrouped: number
  pairsTrue: number
  pairsBoth: number
}

const pairsIn = (n: number) => (n * (n - 1)) / 2

/**
 * Compares the warehouse's groups (int_customer_masters; a record it does not hold is a group of
 * its own) with a ground truth of which person each record is (the generator's
 * seed_truth.customer_persons), pair by pair: every two records of one group are a pair the
 * grouping claims.
 */
export async function compareWithTruth(warehouse: Sql, source: Sql): Promise<GroupingQuality> {
  const masters = new Map<number, number>()
  for (const row of await warehouse<{ nk_customer_id: number; customer_master_id: number }[]>`
      select nk_customer_id, customer_master_id from warehouse.int_customer_masters`) {
    masters.set(row.nk_customer_id, row.customer_master_id)
  }
  const persons = await source<{ customer_id: number; person_id: number }[]>`
    select customer_id, person_id from seed_truth.customer_persons`
  const known = new Set(persons.map((row) => row.customer_id))
  for (const id of masters.keys()) {
    if (!known.has(id)) throw new BadInputError(`Customer ${id} is not in the ground truth`)
  }
  const perGroup = new Map<number, number>()
  const perPerson = new Map<number, number>()
  const perBoth = new Map<string, number>()
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)
  for (const { customer_id: id, person_id: person } of persons) {
    const master = masters.get(id) ?? id
    bump(perGroup, master)
    bump(perPerson, person)
    bump(perBoth, `${master}:${person}`)
  }
  const sum = (map: Map<unknown, number>) => [...map.values()].reduce((total, n) => total + pairsIn(n), 0)
  const pairsGrouped = sum(perGroup)
  const pairsTrue = sum(perPerson)
  const pairsBoth = sum(perBoth)
  return {
    precision: pairsGrouped === 0 ? 1 : pairsBoth / pairsGrouped,
    recall: pairsTrue === 0 ? 1 : pairsBoth / pairsTrue,
    groups: [...perGroup.values()].filter((n) => n > 1).length,
    pairsGrouped,
    pairsTrue,
    pairsBoth,
  }
}
