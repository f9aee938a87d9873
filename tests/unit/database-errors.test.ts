import { describe, expect, it } from 'vitest'
import { activitySubject } from '../../lib/activity-failures.ts'
import { classifyDatabaseError } from '../../lib/database-errors.ts'
import { BadInputError, ConfigurationError } from '../../lib/errors.ts'

/** An error shaped as postgres.js reports a server error. */
function serverError(code: string, message: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, ...fields })
}

describe('classifying PostgreSQL errors', () => {
  it('makes data errors bad input, naming the model, table, column and detail', () => {
    const error = classifyDatabaseError(
      serverError('23502', 'null value in column "nk_order_id" violates not-null constraint', {
        schema_name: 'warehouse',
        table_name: 'fct_orders',
        column_name: 'nk_order_id',
        detail: 'Failing row contains (null, 3).',
      }),
      'model warehouse.fct_orders',
    )
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as Error).message).toBe(
      'model warehouse.fct_orders: bad data: null value in column "nk_order_id" violates not-null constraint ' +
        '(table warehouse.fct_orders, column nk_order_id: Failing row contains (null, 3).) [SQLSTATE 23502]',
    )
    expect(
      classifyDatabaseError(serverError('22003', 'numeric field overflow'), 'model clean.products'),
    ).toBeInstanceOf(BadInputError)
  })

  it('makes a statement the database refuses a configuration error', () => {
    const error = classifyDatabaseError(serverError('42703', 'column "x" does not exist'), 'model marts.sales_by_hour')
    expect(error).toBeInstanceOf(ConfigurationError)
  })

  it('leaves connection, serialization, deadlock, resource and cancellation errors to the retry policy', () => {
    for (const code of ['08006', '40001', '40P01', '53200', '57014', '57P01']) {
      const original = serverError(code, 'transient')
      expect(classifyDatabaseError(original, 'model m'), code).toBe(original)
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    expect(classifyDatabaseError(refused, 'model m')).toBe(refused)
  })

  it('names what an activity works on from its input', () => {
    expect(activitySubject('runModel', { runId: 'r', model: 'warehouse.fct_orders' })).toBe(
      'model warehouse.fct_orders',
    )
    expect(activitySubject('validateTable', { runId: 'r', tableName: 'orders' })).toBe('validateTable of orders')
    expect(activitySubject('planRun', undefined)).toBe('planRun')
  })
})
