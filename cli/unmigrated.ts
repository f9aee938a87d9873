// A warehouse that no worker has migrated yet has none of the pipeline's tables: commands that
// read them say so in one line (exit code 2), not with PostgreSQL's stack trace.
import { ConfigurationError } from '../lib/errors.ts'

/** undefined_table, undefined_function, invalid_schema_name. */
const MISSING = new Set(['42P01', '42883', '3F000'])

export function unmigratedWarehouse(error: unknown): never {
  const code = (error as { code?: string }).code
  if (code && MISSING.has(code)) {
    throw new ConfigurationError(
      `The warehouse has no pipeline tables yet (${(error as Error).message}): start a worker once (paccafe worker, or paccafe services up --with-worker), it applies the migrations`,
      { cause: error },
    )
  }
  throw error
}
