// The sales and staffing marts on the hand-made fixture (tests/support/warehouse-fixture.ts),
// after one full run: sales by branch, weekday and hour, and each employee's month.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Harness } from '../support/harness.ts'
import { fixtureWarehouse } from '../support/warehouse-fixture.ts'

let h: Harness
const rows = (query: string) => h.warehouse.unsafe(query)

describe('the sales and staff marts on the hand-made fixture', () => {
  beforeAll(async () => {
    ;({ h } = await fixtureWarehouse())
  })
  afterAll(async () => {
    await h?.close()
  })

  it('sales_by_hour and employee_performance', async () => {
    expect(
      await rows(`select store_name, day_of_week, day_name, hour, orders, revenue::text, items
                  from marts.sales_by_hour order by day_of_week, hour, store_name`),
    ).toEqual([
      {
        store_name: 'Setara Coffee',
        day_of_week: 1,
        day_name: 'Monday',
        hour: 8,
        orders: 1,
        revenue: '13.00',
        items: 4,
      },
      { store_name: 'Unknown', day_of_week: 2, day_name: 'Tuesday', hour: 17, orders: 1, revenue: '13.00', items: 3 },
      {
        store_name: 'Setara Coffee',
        day_of_week: 3,
        day_name: 'Wednesday',
        hour: 9,
        orders: 1,
        revenue: '3.00',
        items: 1,
      },
      {
        store_name: 'Laci Coffee',
        day_of_week: 3,
        day_name: 'Wednesday',
        hour: 13,
        orders: 1,
        revenue: '4.00',
        items: 1,
      },
    ])
    expect(
      await rows(`select employee_id, full_name, role, month::text, orders, cancelled_orders, revenue::text,
                         average_basket::text
                  from marts.employee_performance order by employee_id, month`),
    ).toEqual([
      {
        employee_id: -1,
        full_name: 'Unknown employee',
        role: 'Unknown',
        month: '2024-03-01',
        orders: 1,
        cancelled_orders: 0,
        revenue: '3.00',
        average_basket: '3.00',
      },
      {
        employee_id: 1,
        full_name: 'Ani Wijaya',
        role: 'Barista',
        month: '2024-03-01',
        orders: 3,
        cancelled_orders: 0,
        revenue: '30.00',
        average_basket: '10.00',
      },
      {
        employee_id: 2,
        full_name: 'Budi Santoso',
        role: 'Unknown',
        month: '2024-03-01',
        orders: 0,
        cancelled_orders: 1,
        revenue: '0',
        average_basket: null,
      },
    ])
  })
})
