// Validates the clean rows of a run's batch for one table (write-audit-publish, step 2):
// archives the rows that fail reject and nullify rules to the object store, then, in one
// transaction, records violations, rule results and one verdict per row. Rule checks run as
// set-based SQL; rows never pass through workflow history.

import { refreshStatistics, type Sql, withCancellableSession } from '../lib/db.ts'
import { BadInputError } from '../lib/errors.ts'
import { batchIdFor } from '../lib/extract/batch-names.ts'
import { describeStagingTable, naturalKeyExpression } from '../lib/extract/staging-catalog.ts'
import type { ObjectStore } from '../lib/object-store.ts'
import type { ValidationResult } from '../lib/pipeline-types.ts'
import { archiveLines, type QuarantineObject, quarantineObjectKey, writeManifest } from '../lib/quality/quarantine.ts'
import { type Rule, rulesFor } from '../lib/quality/rules.ts'
import { quoteIdentifier as q, quoteLiteral } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

export interface ValidateInput {
  runId: string
  tableName: string
}

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
 */
function failingRowsSql(rule: Rule, cleanTable: string, batchId: string): string {
  const offending = rule.column ? `c.${q(rule.column)}::text` : 'null::text'
  return `
    select c.natural_key, ${literal(batchId)}::text as batch_id, c.row_hash, ${literal(rule.name)}::text as rule_name,
           ${literal(rule.column)}::text as column_name, ${literal(rule.severity)}::text as severity,
           ${offending} as offending_value, ${replacementSql(rule)} as replacement
    from ${cleanTable} as c
    where not coalesce((${rule.check}), false)`
}

export function makeValidateTable(context: ActivityContext) {
  return async function validateTable(input: ValidateInput): Promise<ValidationResult> {
    const rules = rulesFor(context.rules, input.tableName)
    const cleanTable = `clean.${q(input.tableName)}`
    const batchId = batchIdFor(input.runId, input.tableName)
    const validate = async (session: Sql) => {
      await syncRuleCatalogue(session, rules)
      await assertRulesCompile(session, rules, cleanTable, batchId)
      const archived = await archiveQuarantinedRows(session, context.store, input, rules, cleanTable, batchId)
      return { archived, counts: await recordVerdicts(session, input, rules, cleanTable, batchId, archived) }
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

/** dq.rules mirrors the rule files, so operators can list the catalogue with SQL. */
async function syncRuleCatalogue(sql: Sql, rules: Rule[]): Promise<void> {
  for (const rule of rules) {
    await sql`
      insert into dq.rules (rule_name, table_name, column_name, severity, check_sql, replacement, description)
      values (${rule.name}, ${rule.table}, ${rule.column ?? null}, ${rule.severity}, ${rule.check},
              ${sql.json(rule.replacement ?? null)}, ${rule.description})
      on conflict (rule_name) do update set
        table_name = excluded.table_name, column_name = excluded.column_name, severity = excluded.severity,
        check_sql = excluded.check_sql, replacement = excluded.replacement, description = excluded.description,
        updated_at = now()`
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

interface ArchivedObject extends QuarantineObject {
  batchId: string
}

/** Archives, per reject or nullify rule, the original staging rows that failed it. */
async function archiveQuarantinedRows(
  warehouse: Sql,
  store: ObjectStore,
  input: ValidateInput,
  rules: Rule[],
  cleanTable: string,
  batchId: string,
): Promise<ArchivedObject[]> {
  const staging = await describeStagingTable(warehouse, input.tableName)
  const stagingKey = naturalKeyExpression(staging.keyColumns, 's')
  const sourceColumns = staging.sourceColumns.map((column) => `'${column.name}', s.${q(column.name)}`).join(', ')
  const archived: ArchivedObject[] = []
  for (const rule of rules.filter((r) => ARCHIVED_SEVERITIES.has(r.severity))) {
    const failing = `(${failingRowsSql(rule, cleanTable, batchId)}) as f`
    const [summary] = await warehouse.unsafe<{ n: number }[]>(`select count(*)::int as n from ${failing}`)
    if (!summary || summary.n === 0) continue
    const objectKey = quarantineObjectKey(input.runId, input.tableName, rule.name)
    const upload = await archiveLines(
      warehouse,
      store,
      objectKey,
      `select json_build_object(
          'natural_key', f.natural_key, 'batch_id', f.batch_id, 'row_hash', f.row_hash,
          'table', ${literal(input.tableName)}, 'rule', f.rule_name, 'severity', f.severity,
          'column', f.column_name, 'offending_value', f.offending_value,
          'source_row', json_build_object(${sourceColumns})
        )::text as line
       from ${failing}
       join staging.${q(input.tableName)} as s on ${stagingKey} = f.natural_key
       order by f.natural_key`,
    )
    archived.push({
      rule: rule.name,
      severity: rule.severity,
      column: rule.column,
      objectKey,
      rowCount: summary.n,
      sha256: upload.sha256,
      batchId,
    })
  }
  await writeManifest(store, input.runId, input.tableName, archived)
  return archived
}

interface VerdictCounts {
  rowsChecked: number
  rowsRejected: number
  violations: number
  rowsQuarantined: number
}

/** Violations, rule results, verdicts and the quarantine index, in one transaction. */
async function recordVerdicts(
  sql: Sql,
  input: ValidateInput,
  rules: Rule[],
  cleanTable: string,
  batchId: string,
  archived: ArchivedObject[],
): Promise<VerdictCounts> {
  return sql.begin(async (tx) => {
    const failuresSelect =
      rules.length > 0
        ? rules.map((rule) => failingRowsSql(rule, cleanTable, batchId)).join('\n union all \n')
        : `select null::text as natural_key, null::text as batch_id, null::text as row_hash, null::text as rule_name,
                  null::text as column_name, null::text as severity, null::text as offending_value,
                  null::jsonb as replacement where false`
    await tx.unsafe(`create temporary table failures on commit drop as ${failuresSelect}`)
    // An unchanged row seen again keeps its first violation (the unique key skips it).
    await tx`
      insert into dq.violations (run_id, batch_id, table_name, natural_key, column_name, rule_name, severity,
                                 offending_value, corrected_value, row_hash)
      select ${input.runId}, batch_id, ${input.tableName}, natural_key, column_name, rule_name, severity,
             offending_value, replacement #>> '{}', row_hash
      from failures
      on conflict on constraint violations_identity_key do nothing`
    // Only the declared rules: ingestion records its parse rules for sheet tables.
    await tx`
      delete from dq.rule_results
      where run_id = ${input.runId} and table_name = ${input.tableName}
        and rule_name = any(${rules.map((rule) => rule.name)}::text[])`
    const [checked] = await tx.unsafe<{ n: number }[]>(`select count(*)::int as n from ${cleanTable}`)
    const rowsChecked = checked?.n ?? 0
    for (const rule of rules) {
      await tx`
        insert into dq.rule_results (run_id, rule_name, table_name, rows_checked, rows_failed, passed)
        select ${input.runId}, ${rule.name}, ${input.tableName}, ${rowsChecked}, count(*)::int, count(*) = 0
        from failures where rule_name = ${rule.name}`
    }
    await tx`delete from dq.verdicts where run_id = ${input.runId} and table_name = ${input.tableName}`
    await tx.unsafe(
      `insert into dq.verdicts (run_id, batch_id, table_name, natural_key, verdict, nullified, fixed)
       select $1, $3, $2, c.natural_key,
              case when bool_or(f.severity = 'reject') then 'reject' else 'publish' end,
              coalesce(jsonb_object_agg(f.column_name, f.replacement) filter (where f.severity = 'nullify'), '{}'),
              coalesce(jsonb_object_agg(f.column_name, f.replacement) filter (where f.severity = 'fix'), '{}')
       from ${cleanTable} as c
       left join failures as f on f.natural_key = c.natural_key
       group by c.natural_key`,
      [input.runId, input.tableName, batchId],
    )
    for (const object of archived) {
      await tx`
        insert into dq.quarantine_objects (object_key, run_id, batch_id, table_name, rule_name, row_count, checksum)
        values (${object.objectKey}, ${input.runId}, ${object.batchId}, ${input.tableName}, ${object.rule},
                ${object.rowCount}, ${object.sha256})
        on conflict (object_key) do update set
          row_count = excluded.row_count, checksum = excluded.checksum, batch_id = excluded.batch_id`
    }
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
