// The inventory marts on the hand-made fixture (tests/support/warehouse-fixture.ts), after one
// full run: daily stock, monthly waste and the stock counts' discrepancies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
const rows = (query: string) => h.warehouse.unsafe(query)

describe('the inventory marts on the hand-made fixture', () => {
  beforeAll(async () => {
    ;({ h } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('inventory_daily: stock on hand from the latest count, negative stock flagged', async () => {
    expect(
      await rows(`select day::text, product_id, store_name, restocked, wasted, sold, stock_on_hand, is_out_of_stock,
                         is_negative from marts.inventory_daily order by product_id, day, store_name`),
    ).toEqual([
      {
        day: '2024-03-01',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 20,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-02',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-03',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: 20,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-04',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 2,
        sold: 3,
        stock_on_hand: 15,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-05',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: 14,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-06',
        product_id: 1,
        store_name: 'Setara Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: 12,
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        day: '2024-03-04',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: -1,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-05',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 3,
        sold: 0,
        stock_on_hand: -4,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-06',
        product_id: 2,
        store_name: 'Laci Coffee',
        restocked: 0,
        wasted: 0,
        sold: 1,
        stock_on_hand: -5,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-05',
        product_id: 3,
        store_name: 'Unknown',
        restocked: 0,
        wasted: 0,
        sold: 2,
        stock_on_hand: -2,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        day: '2024-03-06',
        product_id: 3,
        store_name: 'Unknown',
        restocked: 0,
        wasted: 0,
        sold: 0,
        stock_on_hand: -2,
        is_out_of_stock: true,
        is_negative: true,
      },
    ])
  })

  it('stock_on_hand: each product and branch on the last day of inventory_daily', async () => {
    expect(
      await rows(`select product_id, store_name, day::text, stock_on_hand, last_count_date::text, is_out_of_stock,
                         is_negative from marts.stock_on_hand order by product_id`),
    ).toEqual([
      {
        product_id: 1,
        store_name: 'Setara Coffee',
        day: '2024-03-06',
        stock_on_hand: 12,
        last_count_date: '2024-03-06',
        is_out_of_stock: false,
        is_negative: false,
      },
      {
        product_id: 2,
        store_name: 'Laci Coffee',
        day: '2024-03-06',
        stock_on_hand: -5,
        last_count_date: null,
        is_out_of_stock: true,
        is_negative: true,
      },
      {
        product_id: 3,
        store_name: 'Unknown',
        day: '2024-03-06',
        stock_on_hand: -2,
        last_count_date: null,
        is_out_of_stock: true,
        is_negative: true,
      },
    ])
  })

  it('waste_monthly, waste_by_reason and stock_discrepancies', async () => {
    expect(
      await rows(`select month::text, product_id, store_name, reason, movements, waste_quantity, waste_cost_value::text
                  from marts.waste_monthly order by product_id, month, store_name, reason, product_name`),
    ).toEqual([
      {
        month: '2024-03-01',
        product_id: 1,
        store_name: 'Setara Coffee',
        reason: 'Damaged',
        movements: 1,
        waste_quantity: 2,
        waste_cost_value: '2.00',
      },
      {
        month: '2024-03-01',
        product_id: 2,
        store_name: 'Laci Coffee',
        reason: 'Expired',
        movements: 1,
        waste_quantity: 3,
        waste_cost_value: null,
      },
    ])
    // The months' waste of every product together.
    expect(
      await rows(`select month::text, reason, movements, products, waste_quantity, waste_cost_value::text
                  from marts.waste_by_reason order by month, reason`),
    ).toEqual([
      {
        month: '2024-03-01',
        reason: 'Damaged',
        movements: 1,
        products: 1,
        waste_quantity: 2,
        waste_cost_value: '2.00',
      },
      { month: '2024-03-01', reason: 'Expired', movements: 1, products: 1, waste_quantity: 3, waste_cost_value: null },
    ])
    expect(
      await rows(`select gap_rank, count_date::text, product_id, counted_qty, expected_qty, discrepancy, exceeds_tolerance
                  from marts.stock_discrepancies order by gap_rank`),
    ).toEqual([
      // Counts are taken after closing: each is expected to find the day's sales and waste gone
      // (warehouse-facts: 15 expected on 03-04, 13 on 03-06).
      {
        gap_rank: 1,
        count_date: '2024-03-06',
        product_id: 1,
        counted_qty: 12,
        expected_qty: 13,
        discrepancy: -1,
        exceeds_tolerance: false,
      },
      {
        gap_rank: 2,
        count_date: '2024-03-04',
        product_id: 1,
        counted_qty: 15,
        expected_qty: 15,
        discrepancy: 0,
        exceeds_tolerance: false,
      },
    ])
  })
})
