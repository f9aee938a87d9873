import { describe, expect, it } from 'vitest'
import { EXIT, exitCodeFor, RunFailedError } from '../../cli/exit-codes.ts'
import {
  AccountingMismatchError,
  BadInputError,
  ConfigurationError,
  RuleThresholdError,
  ServiceUnavailableError,
  UsageError,
} from '../../lib/errors.ts'

describe('exit codes', () => {
  it.each([
    ['a wrong option', new UsageError('--mode must be full or incremental'), EXIT.badInput],
    ['a refused input', new BadInputError('bad file'), EXIT.badInput],
    ['a wrong setting', new ConfigurationError('PACCAFE_WAREHOUSE_URL'), EXIT.badInput],
    ['a failed run', new RunFailedError('The run failed'), EXIT.runFailed],
    ['a lost row', new AccountingMismatchError('1 row missing'), EXIT.runFailed],
    ['a threshold', new RuleThresholdError('above 5%'), EXIT.runFailed],
    ['an unreachable service', new ServiceUnavailableError('Cannot reach'), EXIT.serviceUnavailable],
    ['a bug', new TypeError('x is undefined'), EXIT.unexpected],
  ])('%s', (_what, error, code) => {
    expect(exitCodeFor(error)).toBe(code)
  })

  it('a socket error recognized as a service failure is the service code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    expect(exitCodeFor(refused, 'Cannot reach the warehouse database at ...')).toBe(EXIT.serviceUnavailable)
    expect(exitCodeFor(refused)).toBe(EXIT.unexpected)
  })

  it('the codes are distinct', () => {
    expect(new Set(Object.values(EXIT)).size).toBe(Object.values(EXIT).length)
  })
})
