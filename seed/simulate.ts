// Appends days of new activity to a demo POS database made by the generator, as the cafe's
// POS would record them: new customers, orders and lines (some badly voided), stock movements,
// all stamped with their created_at; plus rows changed in place (loyalty points, a price, an
// order voided badly: deleted, its lines left with no order), which only a full extraction sees.
import type { Sql } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { BASE_COUNTS, GroundTruth, loadWorld, syncSequences, World } from './generate-pos.ts'
import { dollars, PERIOD_DAYS } from './reference-data.ts'

export interface SimulationResult {
  fromDay: string
  days: number
  inserted: Record<string, number>
  updated: Record<string, number>
  deleted: Record<string, number>
}

export async function simulateDays(sql: Sql, days: number): Promise<SimulationResult> {
  if (!Number.isInteger(days) || days < 1) throw new BadInputError(`days must be a whole number >= 1, not ${days}`)
  const [settings] = await sql<{ scale: number; seed: number; defect_rate: number }[]>`
    select scale::float8 as scale, seed, defect_rate::float8 as defect_rate
    from seed_truth.generator`.catch(() => [])
  if (!settings) {
    throw new BadInputError(
      'simulate appends only to a demo POS database made by `paccafe seed` (no seed_truth.generator)',
    )
  }
  const [last] = await sql<
    {
      customers: number
      orders: number
      lines: number
      movements: number
      day: string
      customers_cutoff: string
      orders_cutoff: string
    }[]
  >`
    select (select coalesce(max(customer_id), 0) from customers)::int as customers,
           (select coalesce(max(order_id), 0) from orders)::int as orders,
           (select coalesce(max(order_detail_id), 0) from order_details)::int as lines,
           (select coalesce(max(tracking_id), 0) from inventory_tracking)::int as movements,
           (select to_char(max(created_at) + interval '1 day', 'YYYY-MM-DD') from orders) as day,
           (select max(created_at) - interval '1 day' from customers)::text as customers_cutoff,
           (select max(created_at) - interval '1 day' from orders)::text as orders_cutoff`
  if (!last) throw new Error('unreachable')
  const perDay = (base: number) => Math.max(1, Math.round((base * settings.scale * days) / PERIOD_DAYS))
  // POS timestamps are local times without a zone; the generator writes them as UTC clock times.
  const startMs = Date.parse(`${last.day}T00:00:00Z`)
  const options = { scale: settings.scale, seed: settings.seed, defectRate: settings.defect_rate }
  const world = new World(options, {
    startMs,
    days,
    counts: {
      customers: perDay(BASE_COUNTS.customers),
      orders: perDay(BASE_COUNTS.orders),
      movements: perDay(BASE_COUNTS.movements),
    },
    after: { customers: last.customers, orders: last.orders, orderLines: last.lines, movements: last.movements },
  })
  const truth = new GroundTruth()
  return sql.begin(async (tx) => {
    const inserted = await loadWorld(tx, world, truth, ['customers', 'orders', 'order_details', 'inventory_tracking'])
    await syncSequences(tx)
    // Updated in place, created_at unchanged: loyalty points earned, and one price change.
    // Changes in place touch rows a day older than their table's newest: the overlap window of
    // an incremental load re-reads the newest rows, and would (rightly) see a change there.
    const points = await tx`
      update customers set loyalty_points = coalesce(loyalty_points, 0) + 10
      where customer_id % 50 = ${last.orders % 50} and customer_id <= ${last.customers}
        and created_at < ${last.customers_cutoff}::timestamp`
    const product = (last.orders % 54) + 1
    const prices = await tx`
      update products set unit_price = ${dollars(5 + (last.orders % 7))} where product_id = ${product}`
    // A badly voided order: the order row is deleted, its lines stay behind with no order.
    const [voided] = await tx<{ order_id: number }[]>`
      select order_id from orders where created_at < ${last.orders_cutoff}::timestamp
      order by order_id desc offset ${last.orders % 20} limit 1`
    let orphaned = 0
    if (voided) {
      const lines = await tx<{ order_detail_id: number }[]>`
        update order_details set order_id = null where order_id = ${voided.order_id} returning order_detail_id`
      await tx`delete from orders where order_id = ${voided.order_id}`
      for (const line of lines) truth.plant('order_details', line.order_detail_id, 'orphaned_line')
      await truth.flush(tx)
      orphaned = lines.length
    }
    return {
      fromDay: new Date(startMs).toISOString().slice(0, 10),
      days,
      inserted,
      updated: { customers: points.count, products: prices.count, order_details: orphaned },
      deleted: { orders: voided ? 1 : 0 },
    }
  })
}
