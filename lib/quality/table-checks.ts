// Checks of a whole table, declared beside its rules (`table_checks:` in <table>.rules.yml), and
// the thresholds that stop a run: what a validation measures besides its rows' rules.
import type { Sql } from '../db.ts'
import { RuleThresholdError } from '../errors.ts'
import { POS_TABLES } from '../extract/sources.ts'
import { quoteIdentifier as q } from '../sql-text.ts'
import type { CatalogueRule, RuleResult } from './record-quality.ts'
import { type Rule, type TableCheck, thresholdRows } from './rules.ts'

const share = (text: string) => Number.parseFloat(text) / 100
const percent = (value: number) => `${Math.round(value * 1000) / 10}%`

/** The table checks as dq.rules lists them, with the schema-drift check of a POS table. */
export function tableCheckCatalogue(table: string, checks: TableCheck[]): CatalogueRule[] {
  const declared = checks.map(
    (check): CatalogueRule => ({
      name: check.name,
      table,
      kind: 'table',
      severity: 'warn',
      check:
        check.check === 'volume'
          ? `volume: a full load's rows fall at most ${check.max_drop} against the previous full load`
          : `freshness: the newest ${check.column ?? 'created_at'} is at most ${check.max_age} old at run time`,
      ...(check.check === 'volume' && check.threshold ? { threshold: check.threshold } : {}),
      description: check.description,
    }),
  )
  if (!(POS_TABLES as readonly string[]).includes(table)) return declared
  return [
    ...declared,
    {
      name: `${table}_schema_drift`,
      table,
      kind: 'table',
      severity: 'stop',
      check: "schema drift: (checked before copying the table, against the staging table's columns)",
      description: `the POS table's columns and types match the staging contract; drift stops the run before staging`,
    },
  ]
}

/** The run's result of each declared table check; `full` says whether the run loaded the table in full. */
export async function runTableChecks(
  sql: Sql,
  checks: TableCheck[],
  scope: { runId: string; batchId: string; tableName: string; timezone: string },
): Promise<RuleResult[]> {
  const results: RuleResult[] = []
  for (const check of checks) {
    if (check.check === 'volume') {
      const result = await volumeResult(sql, check, scope)
      if (result) results.push(result)
    } else {
      const column = q(check.column ?? 'created_at')
      // POS timestamps are the cafe's local time: compared with now in its time zone.
      const [row] = await sql.unsafe<{ newest: string | null; stale: boolean }[]>(
        `select max(${column})::text as newest,
                coalesce(max(${column}) < (now() at time zone $1) - $2::interval, true) as stale
         from staging.${q(scope.tableName)} where _deleted_at is null`,
        [scope.timezone, check.max_age],
      )
      const stale = row?.stale ?? true
      results.push({
        rule: check.name,
        rowsChecked: 1,
        rowsFailed: stale ? 1 : 0,
        passed: !stale,
        detail: row?.newest
          ? `newest ${check.column ?? 'created_at'} ${row.newest} (at most ${check.max_age} old)`
          : 'no rows',
      })
    }
  }
  return results
}

/**
 * A full load's staged rows against the previous full load's (of a run that succeeded). An
 * incremental load or a reprocess stages only what changed: no volume is measured then.
 */
async function volumeResult(
  sql: Sql,
  check: Extract<TableCheck, { check: 'volume' }>,
  scope: { runId: string; batchId: string; tableName: string },
): Promise<RuleResult | undefined> {
  const [current] = await sql<{ mode: string; rows_read: number }[]>`
    select mode, rows_read from etl.batches where batch_id = ${scope.batchId}`
  if (current?.mode !== 'full') return undefined
  const [previous] = await sql<{ rows_read: number }[]>`
    select b.rows_read from etl.batches as b join etl.runs as r using (run_id)
    where b.table_name = ${scope.tableName} and b.mode = 'full' and r.status = 'succeeded' and b.run_id <> ${scope.runId}
    order by b.started_at desc limit 1`
  if (!previous || previous.rows_read === 0) {
    return { rule: check.name, rowsChecked: current.rows_read, rowsFailed: 0, detail: 'no previous full load' }
  }
  const fall = Math.max(previous.rows_read - current.rows_read, 0)
  const drop = fall / previous.rows_read
  const exceeded = check.threshold !== undefined && drop > share(check.threshold)
  return {
    rule: check.name,
    rowsChecked: current.rows_read,
    rowsFailed: fall,
    passed: drop <= share(check.max_drop),
    thresholdExceeded: exceeded,
    detail: `${current.rows_read} rows, the previous full load ${previous.rows_read} (-${percent(drop)})`,
  }
}

/** Marks the results above their rule's threshold (a count rule has none that stops). */
export function applyThresholds(rules: Rule[], results: RuleResult[]): RuleResult[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]))
  return results.map((result) => {
    const threshold = byName.get(result.rule)?.threshold
    if (threshold === undefined) return result
    return { ...result, thresholdExceeded: result.rowsFailed > thresholdRows(threshold, result.rowsChecked) }
  })
}

/** The error of the first result above its threshold, naming the rule, table, count and threshold. */
export function thresholdError(
  tableName: string,
  rules: Rule[],
  checks: TableCheck[],
  results: RuleResult[],
): RuleThresholdError | undefined {
  const exceeded = results.filter((result) => result.thresholdExceeded)
  if (exceeded.length === 0) return undefined
  const lines = exceeded.map((result) => {
    const rule = rules.find((r) => r.name === result.rule)
    if (rule?.threshold !== undefined) {
      const allowed = thresholdRows(rule.threshold, result.rowsChecked)
      const of =
        typeof rule.threshold === 'number'
          ? `${rule.threshold} rows`
          : `${rule.threshold} (${allowed} of ${result.rowsChecked} rows)`
      return `Rule ${result.rule} on ${tableName}: ${result.rowsFailed} failing rows, above its threshold of ${of}`
    }
    const check = checks.find((c) => c.name === result.rule)
    const threshold = check?.check === 'volume' ? check.threshold : undefined
    return `Table check ${result.rule} on ${tableName}: ${result.detail}, a fall above its threshold of ${threshold}`
  })
  return new RuleThresholdError(lines.join('; '))
}
