// PostgreSQL errors sorted by what they are (SQLSTATE classes). Bad data (class 22: a value
// that does not fit, a bad cast; class 23: a violated constraint) is bad input that no retry can
// fix, and so is a statement the database refuses as written (class 42: syntax, a missing
// object, a privilege); connection, serialization, deadlock, resource and cancellation errors
// (08, 40, 53, 57, ...) pass through and are retried.
import { BadInputError, ConfigurationError, PaccafeError } from './errors.ts'

/** The fields of a server error, as postgres.js and node-postgres both report them. */
interface ServerError {
  code: string
  message: string
  detail?: string
  where?: string
  schema_name?: string
  table_name?: string
  table?: string
  column_name?: string
  column?: string
  constraint_name?: string
  constraint?: string
}

function serverError(error: unknown): ServerError | undefined {
  const candidate = error as Partial<ServerError> | undefined
  if (!(error instanceof Error) || typeof candidate?.code !== 'string') return undefined
  return /^[0-9A-Z]{5}$/.test(candidate.code) ? (candidate as ServerError) : undefined
}

/** `numeric field overflow (table clean.products, column unit_price: Key (...)=(...) ...) [22003]`. */
export function describeServerError(error: ServerError): string {
  const table = error.table_name ?? error.table
  const column = error.column_name ?? error.column
  const constraint = error.constraint_name ?? error.constraint
  const where = [
    table && `table ${error.schema_name ? `${error.schema_name}.` : ''}${table}`,
    column && `column ${column}`,
    constraint && `constraint ${constraint}`,
  ].filter(Boolean)
  const context = [where.join(', '), error.detail].filter(Boolean).join(': ')
  return `${error.message}${context ? ` (${context})` : ''} [SQLSTATE ${error.code}]`
}

/**
 * A project error for a server error that retrying cannot fix, naming `subject` (the model or
 * table the statement was for); any other error is returned as it is.
 */
export function classifyDatabaseError(error: unknown, subject: string): unknown {
  if (error instanceof PaccafeError) return error
  const server = serverError(error)
  if (!server) return error
  const errorClass = server.code.slice(0, 2)
  if (errorClass === '22' || errorClass === '23') {
    return new BadInputError(`${subject}: bad data: ${describeServerError(server)}`, { cause: error })
  }
  if (errorClass === '42') {
    return new ConfigurationError(`${subject}: the statement was refused: ${describeServerError(server)}`, {
      cause: error,
    })
  }
  return error
}
