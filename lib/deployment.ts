// Which deployment a run belongs to: the warehouse it writes to. Two checkouts whose workers
// share a task queue would otherwise run each other's activities against their own databases.
import type { Sql } from './db.ts'

/** The memo key under which a run records its deployment (the Web UI shows it). */
export const DEPLOYMENT_MEMO_KEY = 'deployment'

/**
 * The warehouse database's identity: its name and its cluster's system identifier, which no
 * other PostgreSQL cluster shares (a copy restored elsewhere keeps it only if copied bit for bit).
 */
export async function deploymentOf(sql: Sql): Promise<string> {
  const [row] = await sql<{ database: string; system: string }[]>`
    select current_database() as database, system_identifier::text as system from pg_control_system()`
  return `${row?.database}@${row?.system}`
}

/** The one line a worker refuses another deployment's activity with. */
export function wrongDeploymentMessage(activity: string, runs: string, belongsTo: string, serves: string): string {
  return (
    `activity ${activity} of ${runs} belongs to deployment ${belongsTo}, but this worker serves ${serves}: ` +
    'give each warehouse its own task queue (PACCAFE_TASK_QUEUE)'
  )
}
