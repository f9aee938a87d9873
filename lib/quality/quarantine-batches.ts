// Quarantine batches (dq.quarantine_batches): the rows one run held back or nullified, waiting
// for a person to correct, reprocess or discard them. Their rows are the open violations of
// reject and nullify rules that name the batch (dq.violations.quarantine_batch_id).
import { createHash } from 'node:crypto'
import {
  type BatchStatus,
  type BatchTableSummary,
  QUARANTINE_WORKFLOW_PREFIX,
  type QuarantineBatchSummary,
  type ReprocessOutcome,
} from '../contract.ts'
import type { Sql, TransactionSql } from '../db.ts'
import { BadInputError } from '../errors.ts'
import { batchFileKey, batchPrefix, correctedPrefix } from './batch-files.ts'

/** The batch's tables and counts, or undefined when there is no such batch. */
export async function batchSummary(
  sql: Sql | TransactionSql,
  batchId: string,
): Promise<QuarantineBatchSummary | undefined> {
  const [batch] = await sql<{ workflow_id: string; status: BatchStatus; object_prefix: string }[]>`
    select workflow_id, status, object_prefix from dq.quarantine_batches where batch_id = ${batchId}`
  if (!batch) return undefined
  const tables = await batchTables(sql, batchId)
  return {
    batchId,
    workflowId: batch.workflow_id,
    status: batch.status,
    rowsHeld: tables.reduce((sum, table) => sum + table.rowsHeld, 0),
    rowsOpen: tables.reduce((sum, table) => sum + table.rowsOpen, 0),
    objectPrefix: batch.object_prefix,
    correctedPrefix: correctedPrefix(batchId),
    tables,
  }
}

/** Per table: rows held, rows still open, and open violations per rule. */
export async function batchTables(sql: Sql | TransactionSql, batchId: string): Promise<BatchTableSummary[]> {
  const rows = await sql<{ table_name: string; rows_held: number; rows_open: number; rules: Record<string, number> }[]>`
    with per_rule as (
      select table_name, rule_name, count(*) filter (where status = 'open')::int as open_violations
      from dq.violations where quarantine_batch_id = ${batchId}
      group by table_name, rule_name
    ),
    per_table as (
      select table_name, count(distinct natural_key)::int as rows_held,
             count(distinct natural_key) filter (where status = 'open')::int as rows_open
      from dq.violations where quarantine_batch_id = ${batchId}
      group by table_name
    )
    select t.table_name, t.rows_held, t.rows_open,
           coalesce(jsonb_object_agg(r.rule_name, r.open_violations) filter (where r.open_violations > 0), '{}') as rules
    from per_table as t
    left join per_rule as r using (table_name)
    group by t.table_name, t.rows_held, t.rows_open
    order by t.table_name`
  return rows.map((row) => ({
    tableName: row.table_name,
    rowsHeld: row.rows_held,
    rowsOpen: row.rows_open,
    rules: row.rules,
    file: batchFileKey(batchId, row.table_name),
  }))
}

/** The tables of a run's quarantine: those with open violations that name the run's batch. */
export async function heldTables(sql: Sql, batchId: string): Promise<string[]> {
  const rows = await sql<{ table_name: string }[]>`
    select distinct table_name from dq.violations
    where quarantine_batch_id = ${batchId} and status = 'open' order by table_name`
  return rows.map((row) => row.table_name)
}

/** Records the batch (once: a retry finds it). */
export async function recordBatch(sql: Sql, batchId: string, rowsHeld: number): Promise<void> {
  await sql`
    insert into dq.quarantine_batches (batch_id, workflow_id, object_prefix, rows_held)
    values (${batchId}, ${QUARANTINE_WORKFLOW_PREFIX + batchId}, ${batchPrefix(batchId)}, ${rowsHeld})
    on conflict (batch_id) do nothing`
}

/**
 * The batch's status from its violations: open while none was resolved, reprocessed or
 * discarded once none is open, partly reprocessed in between.
 */
export async function refreshBatchStatus(tx: TransactionSql, batchId: string, by?: string): Promise<BatchStatus> {
  const [row] = await tx<{ status: BatchStatus }[]>`
    with counts as (
      select count(*) filter (where status = 'open') as open,
             count(*) filter (where status = 'reprocessed') as reprocessed,
             count(*) filter (where status = 'discarded') as discarded
      from dq.violations where quarantine_batch_id = ${batchId}
    )
    update dq.quarantine_batches as b
    set status = case when c.open = 0 and c.discarded > 0 then 'discarded'
                      when c.open = 0 then 'reprocessed'
                      when c.reprocessed > 0 or c.discarded > 0 then 'partly_reprocessed'
                      else 'open' end,
        updated_at = now(),
        closed_at = case when c.open = 0 then coalesce(b.closed_at, now()) end,
        closed_by = case when c.open = 0 then coalesce(b.closed_by, ${by ?? null}) end
    from counts as c
    where b.batch_id = ${batchId}
    returning b.status`
  if (!row) throw new BadInputError(`There is no quarantine batch ${batchId}`)
  if (row.status === 'reprocessed' || row.status === 'discarded') {
    await tx`update dq.quarantine_objects set status = ${row.status} where run_id = ${batchId} and status = 'open'`
  }
  return row.status
}

/** An open batch's id and the tables it holds rows of. */
export interface OpenBatch {
  batchId: string
  tables: string[]
}

/** Fails with a clear line unless the batch exists and still has rows waiting. */
export async function assertBatchOpen(sql: Sql, batchId: string): Promise<OpenBatch> {
  // Not batchSummary: a request needs to know only that rows wait, and of which tables.
  const [batch] = await sql<{ status: BatchStatus; tables: string[]; waiting: boolean }[]>`
    select b.status,
           array(select distinct v.table_name from dq.violations as v
                 where v.quarantine_batch_id = b.batch_id order by v.table_name) as tables,
           exists (select 1 from dq.violations as v
                   where v.quarantine_batch_id = b.batch_id and v.status = 'open') as waiting
    from dq.quarantine_batches as b where b.batch_id = ${batchId}`
  if (!batch) throw new BadInputError(`There is no quarantine batch ${batchId} (see: paccafe batches)`)
  if (!batch.waiting) {
    throw new BadInputError(`Quarantine batch ${batchId} is ${batch.status}: no row of it is waiting any more`)
  }
  return { batchId, tables: batch.tables }
}

/** A request's id: the same batch, action and arguments (and file contents) give the same id. */
export function requestFingerprint(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

/** The outcome recorded for a finished request. */
export async function recordedOutcome(sql: Sql, requestId: string): Promise<ReprocessOutcome | undefined> {
  const [row] = await sql<
    {
      run_id: string
      rows_submitted: number
      rows_published: number
      rows_still_rejected: number
      rows_still_nullified: number
      batch_id: string
    }[]
  >`
    select run_id, rows_submitted, rows_published, rows_still_rejected, rows_still_nullified,
           quarantine_batch_id as batch_id
    from dq.batch_requests where request_id = ${requestId} and finished_at is not null and action = 'reprocess'`
  if (!row) return undefined
  const summary = await batchSummary(sql, row.batch_id)
  return {
    requestId,
    runId: row.run_id,
    rowsSubmitted: row.rows_submitted,
    rowsPublished: row.rows_published,
    rowsStillRejected: row.rows_still_rejected,
    rowsStillNullified: row.rows_still_nullified,
    rowsOpen: summary?.rowsOpen ?? 0,
    batchStatus: summary?.status ?? 'open',
    ...(summary ? { batch: summary } : {}),
  }
}
