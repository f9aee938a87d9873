import { describe, expect, it } from 'vitest'
import { indexDefinitionOn } from '../../lib/extract/first-load.ts'

describe('indexDefinitionOn', () => {
  const definition = 'CREATE UNIQUE INDEX orders_pkey ON staging.orders USING btree (order_id)'

  it('moves an index definition to another table under another name', () => {
    expect(indexDefinitionOn(definition, 'staging."_load_orders_1"', '_load_orders_1_i0')).toBe(
      'create UNIQUE index if not exists "_load_orders_1_i0" on staging."_load_orders_1" USING btree (order_id)',
    )
  })

  it('leaves the name to PostgreSQL when none is given', () => {
    expect(indexDefinitionOn('CREATE INDEX x ON staging.orders USING btree (_batch_id)', 'bench_floor.orders')).toBe(
      'create index on bench_floor.orders USING btree (_batch_id)',
    )
  })

  it('refuses a definition it does not recognize', () => {
    expect(() => indexDefinitionOn('CREATE INDEX CONCURRENTLY x ON t (a)', 'staging.t')).toThrow(
      /Unexpected index definition/,
    )
  })
})
