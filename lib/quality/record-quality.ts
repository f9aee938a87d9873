// The one place that writes the data-quality records: the rule catalogue (dq.rules), violations
// (dq.violations), rule results (dq.rule_results) and the quarantine index (dq.quarantine_objects).
// Sheet ingestion records the rules it checks while reading; validation the rules declared in files.
import type { Sql, TransactionSql } from '../db.ts'
import type { QuarantineObject } from './quarantine.ts'
import type { Severity } from './rules.ts'

/** The run, batch and table that a step records quality for: a run stages each table in one batch. */
export interface QualityScope {
  runId: string
  batchId: string
  tableName: string
}

/** A rule as dq.rules lists it: a declared rule (lib/quality/rules.ts) or one checked in code. */
export interface CatalogueRule {
  name: string
  table: string
  column?: string
  /** A table check (volume, freshness, schema drift) judges the table, not its rows. */
  kind?: 'row' | 'table'
  severity: Severity | 'stop'
  check: string
  replacement?: string | number | null
  /** As declared: a count of rows (`100`) or a share (`5%`). */
  threshold?: string | number
  description: string
}

/**
 * dq.rules lists every rule, so operators can read the catalogue with SQL. `replace`: the rule
 * files are the truth, and an edited rule overwrites its row; `keep`: a rule fixed in code is
 * written once, its row (and updated_at) left alone afterwards.
 */
export async function recordRuleCatalogue(
  sql: Sql | TransactionSql,
  rules: CatalogueRule[],
  existing: 'replace' | 'keep',
): Promise<void> {
  for (const rule of rules) {
    const onConflict =
      existing === 'replace'
        ? sql`do update set
            table_name = excluded.table_name, column_name = excluded.column_name, severity = excluded.severity,
            check_sql = excluded.check_sql, replacement = excluded.replacement, description = excluded.description,
            kind = excluded.kind, threshold = excluded.threshold, updated_at = now()`
        : sql`do nothing`
    await sql`
      insert into dq.rules (rule_name, table_name, column_name, kind, severity, check_sql, replacement, threshold, description)
      values (${rule.name}, ${rule.table}, ${rule.column ?? null}, ${rule.kind ?? 'row'}, ${rule.severity}, ${rule.check},
              ${sql.json(rule.replacement ?? null)}, ${rule.threshold === undefined ? null : String(rule.threshold)},
              ${rule.description})
      on conflict (rule_name) ${onConflict}`
  }
}

/**
 * Records the rows of `violations`, a select with the columns natural_key, column_name,
 * rule_name, severity, offending_value (the source's), cleaned_value (the clean model's, when it
 * differs), corrected_value and row_hash (trusted SQL, built by the caller). An unchanged row seen again keeps its first violation (the identity key). Reject and
 * nullify violations belong to a quarantine batch (the run's own, or for a reprocess the batch
 * it reprocesses); seen again, they note the run (unless `noteSeenAgain` is false: a reprocess),
 * and those of a failed run, which opened no batch, join this run's. Warn and fix violations
 * hold nothing back and keep their first run.
 */
export async function recordViolations(
  tx: TransactionSql,
  scope: QualityScope & { quarantineBatchId?: string; noteSeenAgain?: boolean },
  violations: string,
): Promise<void> {
  const quarantineBatchId = scope.quarantineBatchId ?? scope.runId
  const sameViolation = (
    table: string,
  ) => `v.table_name = ${table} and v.natural_key = f.natural_key and v.rule_name = f.rule_name
       and v.row_hash = f.row_hash and v.column_name is not distinct from f.column_name`
  // Set-based statements, not an upsert: ON CONFLICT probes the identity key row by row.
  const noteSeenAgain = scope.noteSeenAgain ?? true
  if (noteSeenAgain) {
    await tx.unsafe(
      `update dq.violations as v set last_seen_run_id = $1
     from (${violations}) as f
     where ${sameViolation('$2')} and f.severity in ('reject', 'nullify') and v.last_seen_run_id is distinct from $1`,
      [scope.runId, scope.tableName],
    )
  }
  await tx.unsafe(
    `insert into dq.violations (run_id, batch_id, table_name, natural_key, column_name, rule_name, severity,
                                offending_value, cleaned_value, corrected_value, row_hash, quarantine_batch_id,
                                last_seen_run_id)
     select $1, $2, $3, f.natural_key, f.column_name, f.rule_name, f.severity,
            f.offending_value, f.cleaned_value, f.corrected_value, f.row_hash,
            case when f.severity in ('reject', 'nullify') then $4 end, $1
     from (${violations}) as f
     where not exists (select 1 from dq.violations as v where ${sameViolation('$3')})
     on conflict on constraint violations_identity_key do nothing`,
    [scope.runId, scope.batchId, scope.tableName, quarantineBatchId],
  )
  if (!noteSeenAgain) return
  // A failed run opened no batch: the violations it found, found again, belong to this run's.
  await tx`
    update dq.violations as v
    set run_id = ${scope.runId}, batch_id = ${scope.batchId}, quarantine_batch_id = ${quarantineBatchId}
    where v.last_seen_run_id = ${scope.runId} and v.table_name = ${scope.tableName} and v.status = 'open'
      and v.quarantine_batch_id <> ${quarantineBatchId}
      and not exists (select 1 from dq.quarantine_batches as b where b.batch_id = v.quarantine_batch_id)`
}

export interface RuleResult {
  rule: string
  rowsChecked: number
  rowsFailed: number
  /** Default: no row failed. A count rule always passes; a table check says. */
  passed?: boolean
  /** What a table check measured, in words. */
  detail?: string
  thresholdExceeded?: boolean
}

/**
 * The run's results of these rules on the table, replacing any earlier attempt's. Only these
 * rules: on a sheet table ingestion records its own rules and validation the declared ones.
 */
export async function recordRuleResults(
  tx: Sql | TransactionSql,
  scope: Omit<QualityScope, 'batchId'>,
  results: RuleResult[],
): Promise<void> {
  await tx`
    delete from dq.rule_results
    where run_id = ${scope.runId} and table_name = ${scope.tableName}
      and rule_name = any(${results.map((result) => result.rule)}::text[])`
  for (const result of results) {
    await tx`
      insert into dq.rule_results (run_id, rule_name, table_name, rows_checked, rows_failed, passed, detail,
                                   threshold_exceeded)
      values (${scope.runId}, ${result.rule}, ${scope.tableName}, ${result.rowsChecked}, ${result.rowsFailed},
              ${result.passed ?? result.rowsFailed === 0}, ${result.detail ?? null}, ${result.thresholdExceeded ?? false})`
  }
}

/** Indexes the quarantine objects archived for the batch; a retried step overwrites its rows. */
export async function recordQuarantineIndex(
  tx: TransactionSql,
  scope: QualityScope,
  objects: QuarantineObject[],
): Promise<void> {
  for (const object of objects) {
    await tx`
      insert into dq.quarantine_objects (object_key, run_id, batch_id, table_name, rule_name, row_count, checksum)
      values (${object.objectKey}, ${scope.runId}, ${scope.batchId}, ${scope.tableName}, ${object.rule},
              ${object.rowCount}, ${object.sha256})
      on conflict (object_key) do update set
        row_count = excluded.row_count, checksum = excluded.checksum, batch_id = excluded.batch_id`
  }
}
