// What a failed run leaves behind is never lost: its staged rows are handed back to the next
// run, and what it published part-way is taken over by the next pipeline run.
import type { AdoptedRuns, RunIdInput } from '../lib/contract.ts'
import type { TransactionSql } from '../lib/db.ts'
import { previousVersionsTable } from '../lib/model-engine/catalog.ts'
import { qualified } from '../lib/model-engine/sql.ts'
import { quoteIdentifier } from '../lib/sql-text.ts'
import type { ActivityContext } from './context.ts'

/**
 * A run that fails after staging must not strand its rows: they are in the mirror under its
 * batches, but were never published, and the next run would find them unchanged (or below the
 * watermark, or in a file already ingested). So, in one transaction: the rows of its batches get
 * a row hash no source row has, the watermarks it moved go back, and its sheet files are
 * forgotten. The next run then stages those rows again, and publishes them.
 */
export function makeReleaseFailedRun(context: ActivityContext) {
  return async function releaseFailedRun(input: RunIdInput): Promise<void> {
    await context.warehouse.begin((tx) => releaseRun(tx, input.runId))
  }
}

export async function releaseRun(tx: TransactionSql, runId: string): Promise<void> {
  const batches = await tx<{ batch_id: string; table_name: string }[]>`
    select batch_id, table_name from etl.batches where run_id = ${runId}`
  for (const batch of batches) {
    await tx.unsafe(
      `update staging.${quoteIdentifier(batch.table_name)} set _row_hash = 'released' where _batch_id = $1`,
      [batch.batch_id],
    )
  }
  await tx`
    update etl.watermarks as w set high_water_mark = b.watermark_before, last_batch_id = null, updated_at = now()
    from etl.batches as b
    where b.run_id = ${runId} and w.table_name = b.table_name and w.last_batch_id = b.batch_id`
  await tx`
    delete from etl.ingested_files where batch_id in (select batch_id from etl.batches where run_id = ${runId})`
}

/**
 * A run that failed part-way through publishing wrote rows that the models after its failure
 * never read: the sums follow the rows a run wrote (`_run_id`, and the previous versions it
 * saved, `_replaced_in`). The next pipeline run takes them over, in one transaction, before it
 * builds anything: they become its own rows, so its models read them as rows it changed, and
 * every table converges to what a clean build gives, with no manual step. Only runs after the
 * last successful pipeline run can have left such rows (that run took over those before it).
 */
export function makeAdoptFailedRuns(context: ActivityContext) {
  return async function adoptFailedRuns(input: RunIdInput): Promise<AdoptedRuns> {
    return context.warehouse.begin(async (tx) => {
      const failed = await tx<{ run_id: string }[]>`
        select run_id from etl.runs
        where status = 'failed' and run_id <> ${input.runId}
          and started_at > coalesce((select max(started_at) from etl.runs
                                     where status = 'succeeded' and mode in ('full', 'incremental')), '-infinity')`
      const runs = failed.map((row) => row.run_id)
      let rows = 0
      if (runs.length === 0) return { runs, rows }
      for (const model of context.models.filter((m) => m.materialized === 'incremental' || m.materialized === 'scd2')) {
        const tables = [
          { table: qualified(model), column: '_run_id' },
          ...(model.keepsPreviousVersions ? [{ table: previousVersionsTable(model), column: '_replaced_in' }] : []),
        ]
        for (const { table, column } of tables) {
          const [exists] = await tx<{ found: boolean }[]>`select to_regclass(${table}) is not null as found`
          if (!exists?.found) continue
          const updated = await tx.unsafe(`update ${table} set ${column} = $1 where ${column} = any($2::text[])`, [
            input.runId,
            runs,
          ])
          rows += updated.count
        }
      }
      return { runs, rows }
    })
  }
}
