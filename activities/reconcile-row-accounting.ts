// The one formula of docs/warehouse.md, per run and source table:
//   rows_extracted = rows_published + rows_rejected
// rows_extracted: rows of the run's batch (new or changed; for a reprocess, the rows it sent again); rows_published: rows with a
// publish verdict that are present in the warehouse table that publishes the source table;
// rows_rejected: rows with a reject verdict, plus sheet rows that did not parse. A row that went missing on the way makes the
// difference non-zero, and the run fails.

import type { AccountingRow, ReconcileRowAccountingInput } from '../lib/contract.ts'
import { AccountingMismatchError } from '../lib/errors.ts'
import { quoteIdentifier as q } from '../lib/sql-text.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

export function makeReconcileRowAccounting(context: ActivityContext) {
  return async function reconcileRowAccounting(input: ReconcileRowAccountingInput): Promise<AccountingRow[]> {
    const { warehouse } = context
    const rows: AccountingRow[] = []
    await recordStep(warehouse, { runId: input.runId, step: 'reconcile' }, async () => {
      for (const tableName of input.tables) rows.push(await accountFor(context, input.runId, tableName))
      const broken = rows.filter((row) => row.difference !== 0)
      if (broken.length > 0) {
        const detail = broken
          .map(
            (r) =>
              `${r.tableName}: extracted ${r.rowsExtracted} != published ${r.rowsPublished} + rejected ${r.rowsRejected}`,
          )
          .join('; ')
        throw new AccountingMismatchError(`Row accounting does not balance for run ${input.runId}: ${detail}`)
      }
      return { rowsIn: rows.reduce((sum, row) => sum + row.rowsExtracted, 0) }
    })
    return rows
  }
}

async function accountFor(context: ActivityContext, runId: string, tableName: string): Promise<AccountingRow> {
  const { warehouse } = context
  const publisher = context.models.find((model) => model.publishes === tableName)
  // A sheet row that did not parse was extracted and rejected at ingestion (rows_rejected).
  const [batch] = await warehouse<{ extracted: number; deleted: number; parse_rejected: number }[]>`
    select coalesce(sum(rows_inserted + rows_updated + rows_resubmitted + rows_rejected), 0)::int as extracted,
           coalesce(sum(rows_rejected), 0)::int as parse_rejected,
           coalesce(sum(rows_deleted), 0)::int as deleted
    from etl.batches where run_id = ${runId} and table_name = ${tableName}`
  const [verdicts] = await warehouse<{ n: number }[]>`
    select count(*)::int as n from dq.verdicts
    where run_id = ${runId} and table_name = ${tableName} and verdict = 'reject'`
  const rejected = (verdicts?.n ?? 0) + (batch?.parse_rejected ?? 0)
  let published = 0
  if (publisher?.uniqueKey) {
    const [row] = await warehouse.unsafe<{ n: number }[]>(
      `select count(*)::int as n from dq.verdicts as v
       where v.run_id = $1 and v.table_name = $2 and v.verdict = 'publish'
         and exists (select 1 from ${q(publisher.schema)}.${q(publisher.table)} as w
                     where w.${q(publisher.uniqueKey)}::text = v.natural_key)`,
      [runId, tableName],
    )
    published = row?.n ?? 0
  }
  const [recorded] = await warehouse<{ difference: number }[]>`
    insert into etl.row_accounting (run_id, table_name, rows_extracted, rows_published, rows_rejected, rows_deleted)
    values (${runId}, ${tableName}, ${batch?.extracted ?? 0}, ${published}, ${rejected}, ${batch?.deleted ?? 0})
    on conflict (run_id, table_name) do update set
      rows_extracted = excluded.rows_extracted, rows_published = excluded.rows_published,
      rows_rejected = excluded.rows_rejected, rows_deleted = excluded.rows_deleted
    returning difference`
  return {
    tableName,
    rowsExtracted: batch?.extracted ?? 0,
    rowsPublished: published,
    rowsRejected: rejected,
    rowsDeleted: batch?.deleted ?? 0,
    difference: recorded?.difference ?? 0,
  }
}
