// Validates the clean rows of a run's batch for one table against its declared rules
// (write-audit-publish, step 2), as set-based SQL: rows never pass through workflow history.

import type { ValidateTableInput, ValidationResult } from '../lib/contract.ts'
import { refreshStatistics, type Sql, withCancellableSession } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { batchIdFor } from '../lib/extract/batch-names.ts'
import { describeStagingTable, naturalKeyExpression, type StagingTable } from '../lib/extract/staging-catalog.ts'
import type { ObjectStore } from '../lib/object-store.ts'
import { archiveLines, type QuarantineObject, quarantineObjectKey, writeManifest } from '../lib/quality/quarantine.ts'
import {
  type RuleResult,
  recordQuarantineIndex,
  recordRuleCatalogue,
  recordRuleResults,
  recordViolations,
} from '../lib/quality/record-quality.ts'
import { type Rule, rulesFor, type TableCheck } from '../lib/quality/rules.ts'
import { applyThresholds, runTableChecks, tableCheckCatalogue, thresholdError } from '../lib/quality/table-checks.ts'
import { quoteIdentifier as q, quoteLiteral } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

/** Severities whose failing rows are archived, so the value can be corrected and reprocessed. */
const ARCHIVED_SEVERITIES = new Set(['reject', 'nullify'])

/** The SQL value a failing row's column takes: a nullify replacement (JSON) or a fix expression. */
function replacementSql(rule: Rule): string {
  if (rule.severity === 'fix') return `to_jsonb((${rule.replacement}))`
  if (rule.severity === 'nullify') {
    return `${quoteLiteral(JSON.stringify(rule.replacement ?? null))}::jsonb`
  }
  return 'null::jsonb'
}

const literal = (value: string | undefined) => (value === undefined ? 'null' : quoteLiteral(value))

/**
 * One select per rule of the clean rows that violate it, in the shape of the failures table.
 * The clean rows are one batch's: a run stages each table in one batch, named after the run
 * and table (etl.batches is unique on both), so the batch is not repeated on every clean row.
 * The offending value is the clean one here; takeSourceValues then puts the source's in its place.
 */
function failingRowsSql(rule: Rule, cleanTable: string, batchId: string): string {
  const offending = rule.column ? `c.${q(rule.column)}::text` : 'null::text'
  return `
    select c.natural_key, ${literal(batchId)}::text as batch_id, c.row_hash, ${literal(rule.name)}::text as rule_name,
           ${literal(rule.column)}::text as column_name, ${literal(rule.severity)}::text as severity,
           ${offending} as offending_value, null::text as cleaned_value, ${replacementSql(rule)} as replacement
    from ${cleanTable} as c
    where not coalesce((${rule.check}), false)`
}

/**
 * Checks the rules and the table checks; a result above its threshold stops the run here,
 * before anything is archived or published, with the rule results recorded. Otherwise archives
 * the rows that fail reject and nullify rules to the object store, then, in one transaction,
 * records violations, rule results and one verdict per row.
 */
export function makeValidateTable(context: ActivityContext) {
  return async function validateTable(input: ValidateTableInput): Promise<ValidationResult> {
    const rules = rulesFor(context.rules, input.tableName)
    const checks = context.tableChecks.filter((check) => check.table === input.tableName)
    // Count rules measure the source: their rows are counted, never violations or verdicts.
    const judged = rules.filter((rule) => rule.severity !== 'count')
    const cleanTable = `clean.${q(input.tableName)}`
    const batchId = batchIdFor(input.runId, input.tableName)
    const validate = async (session: Sql) => {
      await recordRuleCatalogue(session, [...rules, ...tableCheckCatalogue(input.tableName, checks)], 'replace')
      await assertRulesCompile(session, rules, cleanTable, batchId)
      await collectFailures(session, judged, cleanTable, batchId)
      await takeSourceValues(session, input.tableName, batchId)
      const measured = await measure(session, input, rules, checks, cleanTable, batchId, context.config.timezone)
      // A reprocess sends back rows that failed: a share of them failing again is no surprise.
      const stop = input.quarantineBatchId
        ? undefined
        : thresholdError(input.tableName, rules, checks, measured.results)
      if (stop) {
        await recordRuleResults(session, { runId: input.runId, tableName: input.tableName }, measured.results)
        throw stop
      }
      const archived = await archiveQuarantinedRows(session, context.store, input, judged, batchId)
      return { archived, counts: await recordVerdicts(session, input, measured, cleanTable, batchId, archived) }
    }
    const result = await recordStep(
      context.warehouse,
      { runId: input.runId, step: 'validate', tableName: input.tableName },
      async () => {
        const { archived, counts } = await withCancellableSession(
          context.config.warehouseUrl,
          context.warehouse,
          'paccafe-worker-validate',
          validate,
        )
        return {
          ...counts,
          quarantineObjects: archived.map((object) => object.objectKey),
          rowsIn: counts.rowsChecked,
          rowsOut: counts.rowsChecked - counts.rowsRejected,
        }
      },
    )
    return {
      tableName: input.tableName,
      rowsChecked: result.rowsChecked,
      rowsRejected: result.rowsRejected,
      violations: result.violations,
      quarantineObjects: result.quarantineObjects,
    }
  }
}

/** A rule whose SQL does not compile is a configuration error, named with its file. */
async function assertRulesCompile(sql: Sql, rules: Rule[], cleanTable: string, batchId: string): Promise<void> {
  for (const rule of rules) {
    try {
      await sql.unsafe(`explain ${failingRowsSql(rule, cleanTable, batchId)}`)
    } catch (error) {
      throw new BadInputError(`Rule ${rule.name} (${rule.file}) does not compile: ${(error as Error).message}`)
    }
  }
}

/**
 * Every rule is checked once: the rows failing each rule, in the session's temporary table
 * `failures`, which archiving and the verdicts then read (the session is this step's own).
 */
async function collectFailures(session: Sql, rules: Rule[], cleanTable: string, batchId: string): Promise<void> {
  const failuresSelect =
    rules.length > 0
      ? rules.map((rule) => failingRowsSql(rule, cleanTable, batchId)).join('\n union all \n')
      : `select null::text as natural_key, null::text as batch_id, null::text as row_hash, null::text as rule_name,
                null::text as column_name, null::text as severity, null::text as offending_value, null::text as cleaned_value,
                null::jsonb as replacement where false`
  await session.unsafe('drop table if exists pg_temp.failures')
  await session.unsafe(`create temporary table failures as ${failuresSelect}`)
  // Its joins need the row count and the keys' spread, which a small sample gives.
  await session`set default_statistics_target = 10`
  await session.unsafe('analyze pg_temp.failures')
  await session`reset default_statistics_target`
}

/**
 * Offending values as the source held them (`ERROR`, not the clean model's `Error`): the staging
 * row of the batch's, found once for all failures by batch and key; the clean value is kept as
 * cleaned_value when it differs. A column the clean model derives keeps its clean value.
 */
async function takeSourceValues(session: Sql, tableName: string, batchId: string): Promise<void> {
  const staging = await describeStagingTable(session, tableName)
  const columns = staging.sourceColumns.map((column) => column.name)
  if (columns.length === 0) return
  const sourceValue = `case f.column_name ${columns.map((column) => `when ${quoteLiteral(column)} then s.${q(column)}::text`).join(' ')} end`
  await session.unsafe(
    `update failures as f
     set offending_value = ${sourceValue},
         cleaned_value = case when f.offending_value is distinct from ${sourceValue} then f.offending_value end
     from staging.${q(tableName)} as s
     where s._batch_id = $1 and ${stagingKeyMatches(staging, 's', 'f.natural_key')}
       and f.column_name = any($2::text[])`,
    [batchId, columns],
  )
}

/** The staging row of a natural key: a one-column key compared in its own type, so its index serves. */
function stagingKeyMatches(staging: StagingTable, alias: string, naturalKey: string): string {
  const [only, ...more] = staging.keyColumns
  const type = staging.sourceColumns.find((column) => column.name === only)?.type
  if (only === undefined || more.length > 0 || type === undefined) {
    return `${naturalKeyExpression(staging.keyColumns, alias)} = ${naturalKey}`
  }
  return `${alias}.${q(only)} = ${naturalKey}::${type}`
}

/**
 * The run's result of every rule (failing rows from `failures`, a count rule's rows counted
 * apart) and table check, with the thresholds applied.
 */
async function measure(
  session: Sql,
  input: ValidateTableInput,
  rules: Rule[],
  checks: TableCheck[],
  cleanTable: string,
  batchId: string,
  timezone: string,
): Promise<{ rowsChecked: number; results: RuleResult[] }> {
  const [checked] = await session.unsafe<{ n: number }[]>(`select count(*)::int as n from ${cleanTable}`)
  const rowsChecked = checked?.n ?? 0
  const failing = await session<{ rule_name: string; n: number }[]>`
    select rule_name, count(*)::int as n from failures group by rule_name`
  const failedRows = new Map(failing.map((row) => [row.rule_name, row.n]))
  const results: RuleResult[] = []
  for (const rule of rules) {
    if (rule.severity !== 'count') {
      results.push({ rule: rule.name, rowsChecked, rowsFailed: failedRows.get(rule.name) ?? 0 })
      continue
    }
    const [counted] = await session.unsafe<{ n: number }[]>(
      `select count(*)::int as n from ${cleanTable} as c where not coalesce((${rule.check}), false)`,
    )
    results.push({ rule: rule.name, rowsChecked, rowsFailed: counted?.n ?? 0, passed: true })
  }
  const tableResults = await runTableChecks(session, checks, {
    runId: input.runId,
    batchId,
    tableName: input.tableName,
    timezone,
  })
  return { rowsChecked, results: [...applyThresholds(rules, results), ...tableResults] }
}

/** Archives, per reject or nullify rule, the original staging rows that failed it. */
async function archiveQuarantinedRows(
  session: Sql,
  store: ObjectStore,
  input: ValidateTableInput,
  rules: Rule[],
  batchId: string,
): Promise<QuarantineObject[]> {
  const staging = await describeStagingTable(session, input.tableName)
  const stagingKey = naturalKeyExpression(staging.keyColumns, 's')
  const sourceColumns = staging.sourceColumns.map((column) => `'${column.name}', s.${q(column.name)}`).join(', ')
  const archived: QuarantineObject[] = []
  // A reprocess archives only the rows its batch does not hold yet: new versions (corrected rows).
  const alreadyHeld = input.quarantineBatchId
    ? `and not exists (
         select 1 from dq.violations as held
         where held.quarantine_batch_id = ${quoteLiteral(input.quarantineBatchId)} and held.table_name = ${literal(input.tableName)}
           and held.natural_key = f.natural_key and held.rule_name = f.rule_name and held.row_hash = f.row_hash)`
    : ''
  // The batch's violations were written after the statistics were: the planner would expect one
  // row and probe them in a nested loop for every failing row.
  if (input.quarantineBatchId) await session`set enable_nestloop = off`
  for (const rule of rules.filter((r) => ARCHIVED_SEVERITIES.has(r.severity))) {
    const failing = `(select * from failures as f where f.rule_name = ${literal(rule.name)} ${alreadyHeld}) as f`
    const [summary] = await session.unsafe<{ n: number }[]>(`select count(*)::int as n from ${failing}`)
    if (!summary || summary.n === 0) continue
    const objectKey = quarantineObjectKey(input.runId, input.tableName, rule.name)
    // The run's staged rows are found by their batch's index, not by hashing all of staging.
    const upload = await archiveLines(
      session,
      store,
      objectKey,
      `select json_build_object(
          'natural_key', f.natural_key, 'batch_id', f.batch_id, 'row_hash', f.row_hash,
          'table', ${literal(input.tableName)}, 'rule', f.rule_name, 'severity', f.severity,
          'column', f.column_name, 'offending_value', f.offending_value,
          'source_row', json_build_object(${sourceColumns})
        )::text as line
       from ${failing}
       join staging.${q(input.tableName)} as s on ${stagingKey} = f.natural_key and s._batch_id = ${literal(batchId)}
       order by f.natural_key`,
    )
    archived.push({
      rule: rule.name,
      severity: rule.severity,
      column: rule.column,
      objectKey,
      rowCount: summary.n,
      sha256: upload.sha256,
    })
  }
  if (input.quarantineBatchId) await session`reset enable_nestloop`
  await writeManifest(store, input.runId, input.tableName, archived)
  return archived
}

interface VerdictCounts {
  rowsChecked: number
  rowsRejected: number
  violations: number
  rowsQuarantined: number
}

/** Violations, rule results, verdicts and the quarantine index, in one transaction, from `failures`. */
async function recordVerdicts(
  sql: Sql,
  input: ValidateTableInput,
  measured: { rowsChecked: number; results: RuleResult[] },
  cleanTable: string,
  batchId: string,
  archived: QuarantineObject[],
): Promise<VerdictCounts> {
  const scope = {
    runId: input.runId,
    batchId,
    tableName: input.tableName,
    quarantineBatchId: input.quarantineBatchId ?? input.runId,
  }
  return sql.begin(async (tx) => {
    // A reprocess finds the batch's rows again by design: its verdicts' failed rules say what
    // failed again (resolveReprocess), and the violations are left as they are.
    await recordViolations(
      tx,
      { ...scope, noteSeenAgain: !input.quarantineBatchId },
      `select natural_key, column_name, rule_name, severity, offending_value, cleaned_value,
              replacement #>> '{}' as corrected_value, row_hash
       from failures`,
    )
    const { rowsChecked } = measured
    await recordRuleResults(tx, scope, measured.results)
    await tx`delete from dq.verdicts where run_id = ${input.runId} and table_name = ${input.tableName}`
    await tx.unsafe(
      `insert into dq.verdicts (run_id, batch_id, table_name, natural_key, verdict, nullified, fixed, failed_rules)
       select $1, $3, $2, c.natural_key,
              case when bool_or(f.severity = 'reject') then 'reject' else 'publish' end,
              coalesce(jsonb_object_agg(f.column_name, f.replacement) filter (where f.severity = 'nullify'), '{}'),
              coalesce(jsonb_object_agg(f.column_name, f.replacement) filter (where f.severity = 'fix'), '{}'),
              coalesce(array_agg(f.rule_name order by f.rule_name) filter (where f.rule_name is not null), '{}')
       from ${cleanTable} as c
       left join failures as f on f.natural_key = c.natural_key
       group by c.natural_key`,
      [input.runId, input.tableName, batchId],
    )
    await recordQuarantineIndex(tx, scope, archived)
    // Warehouse models join the run's rows with their verdicts next.
    await refreshStatistics(tx, 'dq.verdicts', rowsChecked)
    const [rejected] = await tx<{ n: number }[]>`
      select count(*)::int as n from dq.verdicts
      where run_id = ${input.runId} and table_name = ${input.tableName} and verdict = 'reject'`
    const [failed] = await tx<{ violations: number; quarantined: number }[]>`
      select count(*)::int as violations,
             count(distinct natural_key) filter (where severity in ('reject', 'nullify'))::int as quarantined
      from failures`
    return {
      rowsChecked,
      rowsRejected: rejected?.n ?? 0,
      violations: failed?.violations ?? 0,
      rowsQuarantined: failed?.quarantined ?? 0,
    }
  })
}
