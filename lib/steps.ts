// etl.steps: one row per activity of a run. Recording is an upsert on (run, step, table),
// so an activity that runs twice leaves one row describing its last attempt.
import type { Sql } from './db.ts'

export interface StepKey {
  runId: string
  step: string
  tableName?: string
}

export interface StepCounts {
  rowsIn?: number
  rowsOut?: number
  rowsInserted?: number
  rowsUpdated?: number
  rowsUnchanged?: number
  rowsQuarantined?: number
  rowsDeleted?: number
}

/** Runs `work`, recording its counts and duration, or its error, in etl.steps. */
export async function recordStep<T extends StepCounts>(sql: Sql, key: StepKey, work: () => Promise<T>): Promise<T> {
  const table = key.tableName ?? ''
  const started = Date.now()
  await sql`
    insert into etl.steps (run_id, step, table_name, status, started_at)
    values (${key.runId}, ${key.step}, ${table}, 'running', now())
    on conflict (run_id, step, table_name) do update
      set status = 'running', error = null, started_at = now(), duration_ms = null`
  try {
    const result = await work()
    await sql`
      update etl.steps set
        status = 'succeeded',
        rows_in = ${result.rowsIn ?? null},
        rows_out = ${result.rowsOut ?? null},
        rows_inserted = ${result.rowsInserted ?? null},
        rows_updated = ${result.rowsUpdated ?? null},
        rows_unchanged = ${result.rowsUnchanged ?? null},
        rows_quarantined = ${result.rowsQuarantined ?? null},
        rows_deleted = ${result.rowsDeleted ?? null},
        duration_ms = ${Date.now() - started}
      where run_id = ${key.runId} and step = ${key.step} and table_name = ${table}`
    return result
  } catch (error) {
    await sql`
      update etl.steps set status = 'failed', error = ${String((error as Error).message ?? error)},
        duration_ms = ${Date.now() - started}
      where run_id = ${key.runId} and step = ${key.step} and table_name = ${table}`
    throw error
  }
}
