// The data-quality records, as both sheet ingestion and validation write them: a rule fixed in code
// is listed once, a declared rule follows its file; a retried step writes the same rows again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { migrate } from '../../lib/migrations.ts'
import {
  type CatalogueRule,
  recordQuarantineIndex,
  recordRuleCatalogue,
  recordRuleResults,
  recordViolations,
} from '../../lib/quality/record-quality.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const { warehouseUrl } = testConfig(uniqueTestId('record_quality'))
let sql: Sql

const scope = { runId: 'run-1', batchId: 'run-1.stock_count', tableName: 'stock_count' }
const builtIn: CatalogueRule = {
  name: 'stock_count_cells_parse',
  table: 'stock_count',
  severity: 'reject',
  check: '(checked while reading the file)',
  description: 'every cell parses',
}
const declared: CatalogueRule = {
  name: 'stock_count_not_negative',
  table: 'stock_count',
  column: 'counted_qty',
  severity: 'nullify',
  check: 'counted_qty >= 0',
  description: 'a count is not negative',
}
const violations = `select * from (values
    ('k1', 'counted_qty', 'stock_count_not_negative', 'nullify', '-3', null, null, 'h1'),
    ('k2', null, 'stock_count_not_negative', 'nullify', '-1', null, null, 'h2')
  ) as v (natural_key, column_name, rule_name, severity, offending_value, cleaned_value, corrected_value, row_hash)`

describe('recording data quality', () => {
  beforeAll(async () => {
    await dropDatabase(warehouseUrl)
    await ensureDatabase(warehouseUrl)
    sql = connect(warehouseUrl, { max: 1 })
    await migrate(sql)
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  it('lists a rule fixed in code once, and a declared rule as its file last said', async () => {
    const catalogue = () => sql`
      select rule_name, column_name, severity, check_sql, replacement, description, updated_at::text
      from dq.rules order by rule_name`
    await recordRuleCatalogue(sql, [builtIn], 'keep')
    await recordRuleCatalogue(sql, [declared], 'replace')
    const first = await catalogue()
    expect(first.map(({ updated_at: _, ...rule }) => rule)).toEqual([
      {
        rule_name: 'stock_count_cells_parse',
        column_name: null,
        severity: 'reject',
        check_sql: '(checked while reading the file)',
        replacement: null,
        description: 'every cell parses',
      },
      {
        rule_name: 'stock_count_not_negative',
        column_name: 'counted_qty',
        severity: 'nullify',
        check_sql: 'counted_qty >= 0',
        replacement: null,
        description: 'a count is not negative',
      },
    ])
    await recordRuleCatalogue(sql, [{ ...builtIn, description: 'changed' }], 'keep')
    await recordRuleCatalogue(sql, [{ ...declared, replacement: 0, description: 'edited' }], 'replace')
    const [kept, replaced] = await catalogue()
    expect(kept).toEqual(first[0])
    expect(replaced).toMatchObject({ replacement: 0, description: 'edited' })
  })

  it('records violations, rule results and the quarantine index once however often the step runs', async () => {
    const object = {
      rule: 'stock_count_not_negative',
      severity: 'nullify',
      objectKey: 'quarantine/run=run-1/table=stock_count/rule=stock_count_not_negative.jsonl',
      rowCount: 2,
      sha256: 'abc',
    }
    for (const rowCount of [1, 2]) {
      await sql.begin(async (tx) => {
        await recordViolations(tx, scope, violations)
        await recordRuleResults(tx, scope, [{ rule: declared.name, rowsChecked: 10, rowsFailed: 2 }])
        await recordQuarantineIndex(tx, scope, [{ ...object, rowCount }])
      })
    }
    expect(
      await sql`select run_id, batch_id, table_name, natural_key, column_name, offending_value, row_hash
                from dq.violations order by natural_key`,
    ).toEqual([
      { ...scopeColumns(), natural_key: 'k1', column_name: 'counted_qty', offending_value: '-3', row_hash: 'h1' },
      { ...scopeColumns(), natural_key: 'k2', column_name: null, offending_value: '-1', row_hash: 'h2' },
    ])
    expect(await sql`select rule_name, rows_checked, rows_failed, passed from dq.rule_results`).toEqual([
      { rule_name: declared.name, rows_checked: 10, rows_failed: 2, passed: false },
    ])
    expect(await sql`select object_key, batch_id, rule_name, row_count from dq.quarantine_objects`).toEqual([
      { object_key: object.objectKey, batch_id: scope.batchId, rule_name: declared.name, row_count: 2 },
    ])
  })

  it("replaces only its own rules' results: ingestion's and validation's sit side by side", async () => {
    await sql.begin((tx) => recordRuleResults(tx, scope, [{ rule: builtIn.name, rowsChecked: 12, rowsFailed: 0 }]))
    await sql.begin((tx) => recordRuleResults(tx, scope, [{ rule: declared.name, rowsChecked: 10, rowsFailed: 0 }]))
    expect(await sql`select rule_name, rows_checked, passed from dq.rule_results order by rule_name`).toEqual([
      { rule_name: builtIn.name, rows_checked: 12, passed: true },
      { rule_name: declared.name, rows_checked: 10, passed: true },
    ])
  })
})

function scopeColumns() {
  return { run_id: scope.runId, batch_id: scope.batchId, table_name: scope.tableName }
}
