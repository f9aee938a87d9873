import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../lib/errors.ts'
import { buildLayers, findReferences, loadModels, parseHeader, parseModel } from '../../lib/models.ts'
import { loadRules } from '../../lib/rules.ts'

const model = (file: string, sql: string) => parseModel(file, sql)

describe('model files', () => {
  it('read their header: materialization, unique key, grain, what they publish', () => {
    const header = parseHeader('-- materialized: incremental\n-- unique_key: nk_id\n-- grain: one thing\n\nselect 1')
    expect(header).toEqual({ materialized: 'incremental', unique_key: 'nk_id', grain: 'one thing' })
  })

  it('take their dependencies from the SQL, ignoring comments, strings and functions', () => {
    const sql = `-- reads clean.not_this
      select * from clean.customers c
      join warehouse.dim_dates d on true
      where x = 'staging.nothing' and warehouse.surrogate_key('a', 'b') is not null
      and exists (select 1 from staging.customers)`
    expect(findReferences(sql)).toEqual({
      models: ['clean.customers', 'warehouse.dim_dates'],
      sources: ['staging.customers'],
    })
  })

  it('are named after their folder and file', () => {
    const m = model('/m/warehouse/dim_x.sql', '-- materialized: view\nselect 1')
    expect(m).toMatchObject({ name: 'warehouse.dim_x', schema: 'warehouse', table: 'dim_x', materialized: 'view' })
  })

  it('order the graph in layers that can run in parallel', () => {
    const models = [
      model('/m/warehouse/fct.sql', 'select * from warehouse.dim_a, warehouse.dim_b'),
      model('/m/warehouse/dim_a.sql', 'select * from clean.a'),
      model('/m/warehouse/dim_b.sql', 'select * from clean.b'),
      model('/m/clean/a.sql', 'select * from staging.a'),
      model('/m/clean/b.sql', 'select * from staging.b'),
      model('/m/marts/m.sql', 'select * from warehouse.fct'),
    ]
    expect(buildLayers(models)).toEqual([
      ['clean.a', 'clean.b'],
      ['warehouse.dim_a', 'warehouse.dim_b'],
      ['warehouse.fct'],
      ['marts.m'],
    ])
  })

  it('fail on a cycle, naming the files', () => {
    const models = [
      model('/m/warehouse/a.sql', 'select * from warehouse.b'),
      model('/m/warehouse/b.sql', 'select * from warehouse.a'),
    ]
    expect(() => buildLayers(models)).toThrow(ConfigurationError)
    expect(() => buildLayers(models)).toThrow('/m/warehouse/a.sql, /m/warehouse/b.sql')
  })

  it('fail on an incremental model without a unique key or a bad materialization', () => {
    expect(() => model('/m/warehouse/a.sql', '-- materialized: incremental\nselect 1')).toThrow('needs a unique_key')
    expect(() => model('/m/warehouse/a.sql', '-- materialized: ephemeral\nselect 1')).toThrow('materialized must be')
  })

  it('of this project load, form a valid graph, and every clean model has rules', async () => {
    const models = await loadModels()
    const rules = await loadRules()
    const clean = models.filter((m) => m.schema === 'clean').map((m) => m.table)
    expect(clean.length).toBeGreaterThan(0)
    for (const table of clean) expect(rules.some((rule) => rule.table === table)).toBe(true)
    for (const m of models.filter((x) => x.publishes)) expect(clean).toContain(m.publishes)
  })
})
