// How activity errors reach Temporal: project errors (and server errors that retrying cannot
// fix) become non-retryable failures typed by their class name, naming what the activity was
// working on; anything else is left to the retry policy.
import { classifyDatabaseError } from './database-errors.ts'
import { toTemporalFailure } from './errors.ts'

/** What an activity's input says it works on: `model warehouse.fct_orders`, `table products`. */
export function activitySubject(activity: string, input: unknown): string {
  const fields = (input ?? {}) as { model?: unknown; tableName?: unknown; sheet?: unknown }
  if (typeof fields.model === 'string') return `model ${fields.model}`
  if (typeof fields.tableName === 'string') return `${activity} of ${fields.tableName}`
  if (typeof fields.sheet === 'string') return `${activity} of sheet ${fields.sheet}`
  return activity
}

/** Wraps every activity so that its errors reach Temporal typed and classified. */
export function withTypedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args)
      } catch (error) {
        throw toTemporalFailure(classifyDatabaseError(error, activitySubject(name, args[0])))
      }
    }
  }
  return wrapped as T
}
