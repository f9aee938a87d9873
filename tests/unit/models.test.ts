import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../lib/errors.ts'
import { POS_TABLES } from '../../lib/extract/sources.ts'
import { assertValidGraph, buildLayers, loadModels, selectModels } from '../../lib/model-engine/graph.ts'
import { findReferences, type Model, parseHeader, parseModel } from '../../lib/model-engine/model-file.ts'
import { loadRules } from '../../lib/quality/rules.ts'
import { SHEET_SPECS } from '../../lib/sheets/sheet-specs.ts'

const model = (file: string, sql: string) => parseModel(file, sql)
const models = (files: [string, string][]) => Promise.all(files.map(([file, sql]) => model(file, sql)))

describe('model files', () => {
  it('read their header: materialization, unique key, grain, what they publish; a key may repeat', () => {
    const header = parseHeader(
      '-- materialized: incremental\n-- unique_key: nk_id\n-- grain: one thing\n-- refresh: a from x.y by k\n-- refresh: b from x.z by k\n\nselect 1',
    )
    expect(header).toEqual({
      materialized: ['incremental'],
      unique_key: ['nk_id'],
      grain: ['one thing'],
      refresh: ['a from x.y by k', 'b from x.z by k'],
    })
  })

  it('take their dependencies from the parsed SQL: not comments, strings, functions or CTE names', async () => {
    const sql = `-- reads clean.not_this
      with clean_rows as (select * from clean.customers)
      select * from clean_rows c
      join warehouse.dim_dates d on true
      where x = 'staging.nothing' and warehouse.surrogate_key('a', 'b') is not null
      and exists (select 1 from staging.customers) /* marts.not_this */
      and c.id in (select id from dq.run_publish_verdicts('customers'))`
    expect(await findReferences(sql)).toEqual({
      models: ['clean.customers', 'warehouse.dim_dates'],
      sources: ['staging.customers'],
    })
  })

  it('are named after their folder and file', async () => {
    const m = await model('/m/warehouse/dim_x.sql', '-- materialized: view\nselect 1')
    expect(m).toMatchObject({ name: 'warehouse.dim_x', schema: 'warehouse', table: 'dim_x', materialized: 'view' })
  })

  it('declare refreshes and computed columns; a refreshed table is a dependency', async () => {
    const m = await model(
      '/m/warehouse/fct.sql',
      [
        '-- materialized: incremental',
        '-- unique_key: nk_line_id',
        '-- refresh: sk_product_id, sk_store_id from warehouse.dim_products by nk_product_id at order_ts unindexed',
        '-- refresh: sk_customer_id from warehouse.dim_customers by nk_customer_id',
        '-- computed: cost_amount numeric(12, 2) = quantity * cost_price',
        'select 1 as nk_line_id from clean.lines',
      ].join('\n'),
    )
    expect(m.refreshes).toEqual([
      {
        columns: ['sk_product_id', 'sk_store_id'],
        from: 'warehouse.dim_products',
        by: 'nk_product_id',
        at: 'order_ts',
        indexed: false,
      },
      { columns: ['sk_customer_id'], from: 'warehouse.dim_customers', by: 'nk_customer_id', indexed: true },
    ])
    expect(m.computed).toEqual([{ name: 'cost_amount', type: 'numeric(12, 2)', expression: 'quantity * cost_price' }])
    expect(m.dependsOn).toEqual(['clean.lines', 'warehouse.dim_customers', 'warehouse.dim_products'])
  })

  it('order the graph in layers that can run in parallel', async () => {
    const graph = await models([
      ['/m/warehouse/fct.sql', 'select * from warehouse.dim_a, warehouse.dim_b'],
      ['/m/warehouse/dim_a.sql', 'select * from clean.a'],
      ['/m/warehouse/dim_b.sql', 'select * from clean.b'],
      ['/m/clean/a.sql', 'select * from staging.a'],
      ['/m/clean/b.sql', 'select * from staging.b'],
      ['/m/marts/m.sql', 'select * from warehouse.fct'],
    ])
    expect(buildLayers(graph)).toEqual([
      ['clean.a', 'clean.b'],
      ['warehouse.dim_a', 'warehouse.dim_b'],
      ['warehouse.fct'],
      ['marts.m'],
    ])
  })

  it('select a model, its upstream (+name) or its downstream (name+), in graph order', async () => {
    const graph = await models([
      ['/m/clean/a.sql', 'select * from staging.a'],
      ['/m/warehouse/dim_a.sql', 'select * from clean.a'],
      ['/m/warehouse/fct.sql', 'select * from warehouse.dim_a'],
      ['/m/marts/m.sql', 'select * from warehouse.fct'],
      ['/m/marts/other.sql', 'select 1'],
    ])
    expect(selectModels(graph, ['fct'])).toEqual(['warehouse.fct'])
    expect(selectModels(graph, ['+warehouse.fct'])).toEqual(['clean.a', 'warehouse.dim_a', 'warehouse.fct'])
    expect(selectModels(graph, ['dim_a+'])).toEqual(['warehouse.dim_a', 'warehouse.fct', 'marts.m'])
    expect(() => selectModels(graph, ['nope'])).toThrow('There is no model named nope')
  })

  it('fail on a cycle, naming the files', async () => {
    const graph = await models([
      ['/m/warehouse/a.sql', 'select * from warehouse.b'],
      ['/m/warehouse/b.sql', 'select * from warehouse.a'],
    ])
    expect(() => assertValidGraph(graph)).toThrow(ConfigurationError)
    expect(() => assertValidGraph(graph)).toThrow('Models form a cycle: /m/warehouse/a.sql, /m/warehouse/b.sql')
  })

  it('fail on a reference to a model no file builds, naming the file', async () => {
    const graph: Model[] = await models([['/m/warehouse/a.sql', 'select * from warehouse.missing']])
    expect(() => assertValidGraph(graph)).toThrow('Model /m/warehouse/a.sql reads warehouse.missing')
  })

  it('in a folder with a cycle or a missing reference fail to load, so nothing runs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'paccafe-models-'))
    try {
      await mkdir(path.join(dir, 'warehouse'))
      await writeFile(path.join(dir, 'warehouse', 'a.sql'), 'select * from warehouse.b')
      await writeFile(path.join(dir, 'warehouse', 'b.sql'), 'select * from warehouse.a')
      await expect(loadModels(dir)).rejects.toThrow(
        `Models form a cycle: ${path.join(dir, 'warehouse', 'a.sql')}, ${path.join(dir, 'warehouse', 'b.sql')}`,
      )
      await writeFile(path.join(dir, 'warehouse', 'b.sql'), 'select * from marts.gone')
      await expect(loadModels(dir)).rejects.toThrow(`Model ${path.join(dir, 'warehouse', 'b.sql')} reads marts.gone`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('fail on a syntax error with the file, line and column', async () => {
    await expect(model('/m/warehouse/a.sql', '-- materialized: table\nselect * fromm clean.x')).rejects.toThrow(
      /Model \/m\/warehouse\/a\.sql:2:\d+: syntax error/,
    )
  })

  it('fail on an unknown header key, with the file and the line, so a misspelt key is not ignored', async () => {
    const sql = '-- materialized: incremental\n\n-- uniqe_key: nk_id\nselect 1 as nk_id'
    await expect(model('/m/warehouse/a.sql', sql)).rejects.toThrow(ConfigurationError)
    await expect(model('/m/warehouse/a.sql', sql)).rejects.toThrow(
      'Model /m/warehouse/a.sql:3: unknown header key "uniqe_key"; a header key is one of materialized, unique_key,',
    )
    // A comment that reads as prose is not a header.
    await expect(model('/m/warehouse/a.sql', '-- Sums per day: one row each\nselect 1')).resolves.toMatchObject({
      materialized: 'table',
    })
  })

  it('fail on a missing unique key, surrogate key, or an unknown materialization', async () => {
    await expect(model('/m/warehouse/a.sql', '-- materialized: incremental\nselect 1')).rejects.toThrow(
      'needs either a unique_key',
    )
    await expect(model('/m/warehouse/a.sql', '-- materialized: scd2\n-- unique_key: k\nselect 1')).rejects.toThrow(
      'surrogate_key',
    )
    await expect(model('/m/warehouse/a.sql', '-- materialized: ephemeral\nselect 1')).rejects.toThrow(
      'materialized must be',
    )
  })

  it('partition an incremental model instead of keying it, with neither refreshes nor a published table', async () => {
    const partitioned = await model(
      '/m/warehouse/a.sql',
      '-- materialized: incremental\n-- partition_by: block\nselect 1 as block',
    )
    expect(partitioned.partitionBy).toBe('block')
    expect(partitioned.uniqueKey).toBeUndefined()
    await expect(
      model('/m/warehouse/a.sql', '-- materialized: incremental\n-- unique_key: k\n-- partition_by: block\nselect 1'),
    ).rejects.toThrow('either a unique_key header')
    await expect(
      model('/m/warehouse/a.sql', '-- materialized: table\n-- partition_by: block\nselect 1'),
    ).rejects.toThrow('only an incremental model can be partitioned')
    await expect(
      model(
        '/m/warehouse/a.sql',
        '-- materialized: incremental\n-- partition_by: block\n-- refresh: x from warehouse.b by k\nselect 1',
      ),
    ).rejects.toThrow('only an incremental model with a unique key can refresh')
    await expect(
      model(
        '/m/warehouse/a.sql',
        '-- materialized: incremental\n-- partition_by: block\n-- publishes: orders\nselect 1',
      ),
    ).rejects.toThrow('cannot publish')
  })

  it("read a model's previous versions as a dependency on the model, which must keep them", async () => {
    const keeping = '-- materialized: incremental\n-- unique_key: k\n-- previous_versions: kept\nselect 1 as k'
    const reader = 'select k from warehouse.facts__previous'
    const [facts, sums] = await models([
      ['/m/warehouse/facts.sql', keeping],
      ['/m/warehouse/sums.sql', reader],
    ])
    expect(facts?.keepsPreviousVersions).toBe(true)
    expect(sums?.dependsOn).toEqual(['warehouse.facts'])
    expect(() => assertValidGraph([facts as Model, sums as Model])).not.toThrow()
    const notKeeping = await model(
      '/m/warehouse/facts.sql',
      '-- materialized: incremental\n-- unique_key: k\nselect 1 as k',
    )
    expect(() => assertValidGraph([notKeeping, sums as Model])).toThrow(
      'Model /m/warehouse/sums.sql reads warehouse.facts__previous, but /m/warehouse/facts.sql does not keep previous versions',
    )
    await expect(
      model('/m/warehouse/a.sql', '-- materialized: table\n-- previous_versions: kept\nselect 1'),
    ).rejects.toThrow('only an incremental model with a unique key keeps previous versions')
  })

  it('of this project load, form a valid graph, and every clean model has rules', async () => {
    const all = await loadModels()
    const rules = await loadRules()
    const clean = all.filter((m) => m.schema === 'clean').map((m) => m.table)
    // One clean model per source table, POS and sheets.
    expect(clean.sort()).toEqual([...POS_TABLES, ...SHEET_SPECS.map((sheet) => sheet.name)].sort())
    for (const table of clean) expect(rules.some((rule) => rule.table === table)).toBe(true)
    const published = all.filter((x) => x.publishes).map((x) => x.publishes)
    expect(published.sort()).toEqual([...clean].sort())
  })
})
