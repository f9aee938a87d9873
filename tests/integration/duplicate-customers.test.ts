// Duplicate customers, against the real services: the grouping measured against the
// generator's ground truth, and master ids that stay put across runs, join to the older id,
// and follow a person's declarations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, loadDotEnv, sourceAdminUrl, withDatabaseName } from '../../lib/config.ts'
import { connect, dropDatabase } from '../../lib/db.ts'
import { declareOverride } from '../../lib/quality/duplicate-customers.ts'
import { checkDuplicates } from '../../seed/check-duplicates.ts'
import { createHarness, type Harness } from '../support/harness.ts'

describe('duplicate grouping on generated data (scale 10)', () => {
  it('meets the targets against the ground truth and keeps the hard negatives apart', async () => {
    loadDotEnv()
    const config = loadConfig()
    const check = await checkDuplicates(config, { scale: 10, keep: true })
    const source = connect(
      sourceAdminUrl({ ...config, sourceUrl: withDatabaseName(config.sourceUrl, 'paccafe_duplicates_10_pos') }),
      { max: 1 },
    )
    const warehouseUrl = withDatabaseName(config.warehouseUrl, 'paccafe_duplicates_10_wh')
    const warehouse = connect(warehouseUrl, { max: 1 })
    try {
      console.log(check)
      expect(check.customers).toBe(2000)
      expect(check.precision).toBeGreaterThanOrEqual(0.95)
      expect(check.recall).toBeGreaterThanOrEqual(0.9)
      expect(check.groups).toBeGreaterThan(30)
      const negatives = await source<{ customer_id: number; other_customer_id: number; kind: string }[]>`
        select customer_id, other_customer_id, kind from seed_truth.customer_pairs where not same_person`
      expect(new Set(negatives.map((pair) => pair.kind))).toEqual(new Set(['common name', 'household phone']))
      const masters = new Map(
        (
          await warehouse<{ id: number; master: number }[]>`
          select nk_customer_id as id, customer_master_id as master from warehouse.int_customer_masters`
        ).map((row) => [row.id, row.master]),
      )
      // A record the grouping holds no row for is a group of its own.
      const masterOf = (id: number) => masters.get(id) ?? id
      const together = negatives.filter((pair) => masterOf(pair.customer_id) === masterOf(pair.other_customer_id))
      expect(together).toEqual([])
      // The evidence of every pair judged a match is kept.
      const [judged] = await warehouse`
        select count(*)::int as n, count(*) filter (where cardinality(reasons) = 0 or score is null)::int as bare
        from warehouse.customer_duplicate_pairs where is_match`
      expect(judged?.n).toBeGreaterThan(0)
      expect(judged?.bare).toBe(0)
    } finally {
      await Promise.all([source.end(), warehouse.end()])
      await dropDatabase(
        sourceAdminUrl({ ...config, sourceUrl: withDatabaseName(config.sourceUrl, 'paccafe_duplicates_10_pos') }),
      )
      await dropDatabase(warehouseUrl)
    }
  })
})

describe('master ids across runs', () => {
  let h: Harness
  const masterOf = async (id: number) => {
    const [row] = await h.warehouse<{ m: number }[]>`
      select customer_master_id as m from warehouse.dim_customers where nk_customer_id = ${id}`
    return row?.m
  }
  const masters = async () =>
    h.warehouse`select nk_customer_id, customer_master_id from warehouse.dim_customers order by 1`

  beforeAll(async () => {
    h = await createHarness({ scale: 1, seed: 11 })
    await h.run('full')
  })
  afterAll(async () => {
    await h?.close()
  })

  it('a second run changes no master id', async () => {
    const before = await masters()
    await h.run('incremental')
    expect(await masters()).toEqual(before)
  })

  it('two groups joined keep the older id, a new member renumbers nothing, overrides apply', async () => {
    // Two records nobody would take for one person (alone in their groups, with a phone),
    // declared the same person.
    const singles = await h.warehouse<{ id: number }[]>`
      select k.nk_customer_id as id
      from warehouse.int_customer_match_keys as k
      left join warehouse.int_customer_masters as m using (nk_customer_id)
      where coalesce(m.group_size, 1) = 1 and k.phone_key is not null
      order by 1 limit 2`
    const [a, b] = singles.map((row) => row.id) as [number, number]
    expect([await masterOf(a), await masterOf(b)]).toEqual([a, b])
    await declareOverride(h.warehouse, b, a, true, 'the same person, told us at the till', 'test')
    await h.run('incremental')
    expect([await masterOf(a), await masterOf(b)]).toEqual([a, a])
    const changes = await h.warehouse`
      select nk_customer_id, previous_master_id, customer_master_id, change from warehouse.customer_master_changes`
    expect(changes).toEqual([
      { nk_customer_id: b, previous_master_id: b, customer_master_id: a, change: 'joined an older group' },
    ])
    // The orders of b now count for a.
    const [orders] = await h.warehouse`
      select count(*) filter (where customer_master_id = ${b})::int as still_b from warehouse.fct_orders where nk_customer_id = ${b}`
    expect(orders?.still_b).toBe(0)

    // A new registration of b (same name, same phone) joins the group under a's id.
    const [person] = await h.source`select first_name, last_name, phone from customers where customer_id = ${b}`
    const phone = person?.phone as string
    const [added] = await h.source`
      insert into customers (first_name, last_name, email, phone, loyalty_points, created_at)
      values (${` ${String(person?.first_name).toUpperCase()}`}, ${person?.last_name}, 'again@example.com', ${phone}, 0, now())
      returning customer_id`
    await h.run('incremental')
    const c = added?.customer_id as number
    expect([await masterOf(a), await masterOf(b), await masterOf(c)]).toEqual([a, a, a])

    // Declared different people: b (and c, matched to b) leave a's group.
    await declareOverride(h.warehouse, b, a, false, 'different people after all', 'test')
    await h.run('incremental')
    expect([await masterOf(a), await masterOf(b), await masterOf(c)]).toEqual([a, b, b])
    const [firstOrder] = await h.warehouse`
      select count(*) filter (where first_order_date is not null)::int as filled from warehouse.dim_customers`
    expect(firstOrder?.filled).toBeGreaterThan(0)
  })
})
