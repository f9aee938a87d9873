// Cross-checks the warehouse against the source after each run (docs/warehouse.md): what staging
// holds (with the corrections accepted for it), less what validation held back, must be what the warehouse holds. Each check is
// three SQL expressions computed independently; the results are kept in etl.reconciliation
// and any difference fails the run.

import type { ReconciliationRow, RunIdInput } from '../lib/contract.ts'
import { AccountingMismatchError } from '../lib/errors.ts'
import { recordStep } from '../lib/steps.ts'
import type { ActivityContext } from './context.ts'

interface Check {
  name: string
  /** Over every staged row (source deletes included: the warehouse keeps what it published). */
  source: string
  /** The same, for the rows whose latest verdict is reject. */
  rejected: string
  warehouse: string
}

/** The latest verdict of a staging row is the one for the batch that last wrote it. */
const rejectedRow = (table: string, alias: string, key: string) => `exists (
  select 1 from dq.verdicts as v
  where v.table_name = '${table}' and v.batch_id = ${alias}._batch_id
    and v.natural_key = ${alias}.${key}::text and v.verdict = 'reject')`

// The staged rows with the corrections accepted for them, as the clean models read them. Not
// views: a first load replaces a staging table, which a view would hold on to.
const correctedOrderDetails = `(
  select d.order_detail_id, d._batch_id,
         dq.corrected(k.corrected, 'order_id', d.order_id) as order_id,
         dq.corrected(k.corrected, 'subtotal', d.subtotal) as subtotal
  from staging.order_details as d
  left join dq.run_corrections('order_details') as k on k.natural_key = d.order_detail_id::text)`
const correctedOrders = `(
  select o.order_id, o._batch_id, dq.corrected(k.corrected, 'order_status', o.order_status) as order_status
  from staging.orders as o
  left join dq.run_corrections('orders') as k on k.natural_key = o.order_id::text)`

const completedLines = `
  from ${correctedOrderDetails} as d
  join ${correctedOrders} as o on o.order_id = d.order_id
  where btrim(o.order_status) = 'Completed'`

export const CHECKS: Check[] = [
  {
    name: 'completed_revenue',
    source: `select coalesce(sum(d.subtotal), 0) ${completedLines}`,
    rejected: `select coalesce(sum(d.subtotal), 0) ${completedLines} and ${rejectedRow('order_details', 'd', 'order_detail_id')}`,
    warehouse: `select coalesce(sum(subtotal), 0) from warehouse.fct_order_lines where order_status = 'Completed'`,
  },
  {
    name: 'order_lines',
    source: 'select count(*) from staging.order_details',
    rejected: `select count(*) from ${correctedOrderDetails} as d where ${rejectedRow('order_details', 'd', 'order_detail_id')}`,
    warehouse: 'select count(*) from warehouse.fct_order_lines',
  },
  {
    name: 'orders',
    source: 'select count(*) from staging.orders',
    rejected: `select count(*) from ${correctedOrders} as o where ${rejectedRow('orders', 'o', 'order_id')}`,
    warehouse: 'select count(*) from warehouse.fct_orders',
  },
]

export function makeReconcileWarehouse(context: ActivityContext) {
  return async function reconcileWarehouse(input: RunIdInput): Promise<ReconciliationRow[]> {
    const { warehouse } = context
    let rows: ReconciliationRow[] = []
    await recordStep(warehouse, { runId: input.runId, step: 'reconcile-warehouse' }, async () => {
      rows = await warehouse.begin(async (tx) => {
        // One snapshot for all three sides of every check.
        await tx`set transaction isolation level repeatable read`
        // Every check reads whole tables, so hash joins are always the plan. Left to choose,
        // PostgreSQL took btrim(order_status) = 'Completed' to match 0.5% of orders (it has no
        // statistics on the expression) and probed indexes millions of times.
        await tx`set local enable_nestloop = off`
        const results: ReconciliationRow[] = []
        for (const check of CHECKS) {
          const [row] = await tx.unsafe<{ source: string; rejected: string; warehouse: string; difference: string }[]>(
            `insert into etl.reconciliation (run_id, check_name, source_value, rejected_value, warehouse_value)
             values ($1, $2, (${check.source}), (${check.rejected}), (${check.warehouse}))
             on conflict (run_id, check_name) do update set
               source_value = excluded.source_value, rejected_value = excluded.rejected_value,
               warehouse_value = excluded.warehouse_value, checked_at = now()
             returning source_value::text as source, rejected_value::text as rejected,
                       warehouse_value::text as warehouse, difference::text as difference`,
            [input.runId, check.name],
          )
          if (!row) throw new Error(`Reconciliation check ${check.name} recorded nothing`)
          results.push({ check: check.name, ...row })
        }
        return results
      })
      const broken = rows.filter((row) => Number(row.difference) !== 0)
      if (broken.length > 0) {
        throw new AccountingMismatchError(
          `The warehouse does not reconcile with the source for run ${input.runId}: ${broken
            .map((r) => `${r.check}: source ${r.source} - rejected ${r.rejected} != warehouse ${r.warehouse}`)
            .join('; ')}`,
        )
      }
      return { rowsIn: rows.length }
    })
    return rows
  }
}
