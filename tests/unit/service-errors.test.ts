// The one line a failure to reach or log in to a service becomes: which service, which address
// (never the password or secret), what to check; anything else is left as it is.
import { describe, expect, it } from 'vitest'
import { oneLineReport } from '../../cli/context.ts'
import { loadConfig } from '../../lib/config.ts'
import { describeServiceFailure, recognizeServiceFailure, servicesOf } from '../../lib/service-errors.ts'

const config = loadConfig({
  PACCAFE_WAREHOUSE_URL: 'postgres://owner:hunter2-password@db.internal:6543/wh',
  PACCAFE_SOURCE_URL: 'postgres://reader:reader-password@pos.internal:5432/pos',
  PACCAFE_S3_ENDPOINT: 'http://127.0.0.1:7071',
  PACCAFE_S3_SECRET_KEY: 'the-s3-secret-key',
  PACCAFE_TEMPORAL_ADDRESS: '127.0.0.1:7299',
})
const services = servicesOf(config)
const secrets = ['hunter2-password', 'reader-password', 'the-s3-secret-key']

/** An error as the libraries throw it: a message and fields. */
function thrown(name: string, message: string, fields: Record<string, unknown>): Error {
  const error = new Error(message)
  error.name = name
  return Object.assign(error, fields)
}

const refused = (port: number, address = '127.0.0.1') =>
  thrown('Error', `connect ECONNREFUSED ${address}:${port}`, {
    code: 'ECONNREFUSED',
    address,
    port,
    syscall: 'connect',
  })
const postgresError = (code: string, message: string) => thrown('PostgresError', message, { code, severity: 'FATAL' })
const s3Error = (code: string) => thrown('S3Error', 'The request signature we calculated does not match', { code })

describe('a failure to reach or log in to a service', () => {
  it.each([
    [
      'warehouse',
      postgresError('28P01', 'password authentication failed for user "owner"'),
      'PostgreSQL at db.internal:6543 refused the password of user owner for the warehouse database wh: check the password in PACCAFE_WAREHOUSE_URL.',
    ],
    [
      'source',
      postgresError('28000', 'role "reader" does not exist'),
      'PostgreSQL at pos.internal:5432 refused user reader for the source (POS) database pos (role "reader" does not exist): check the user in PACCAFE_SOURCE_URL and the server\'s pg_hba.conf.',
    ],
    [
      'warehouse',
      postgresError('3D000', 'database "wh" does not exist'),
      'The warehouse database wh does not exist on db.internal:6543: create it with paccafe services up, or check PACCAFE_WAREHOUSE_URL.',
    ],
    [
      'source',
      postgresError('3D000', 'database "pos" does not exist'),
      'The source (POS) database pos does not exist on pos.internal:5432: seed the demo POS with paccafe seed, or check PACCAFE_SOURCE_URL.',
    ],
    [
      'warehouse',
      refused(6543),
      'Cannot reach the warehouse database at postgres://owner:***@db.internal:6543/wh (connection refused): is PostgreSQL running there? Check PACCAFE_WAREHOUSE_URL.',
    ],
    [
      's3',
      s3Error('SignatureDoesNotMatch'),
      'The S3 gateway at http://127.0.0.1:7071 refused access key paccafe (SignatureDoesNotMatch): check PACCAFE_S3_ACCESS_KEY and PACCAFE_S3_SECRET_KEY, and that the key may use bucket paccafe-quarantine.',
    ],
    [
      's3',
      // localhost resolves to two addresses, and Node aggregates both refusals.
      Object.assign(new AggregateError([refused(7071), refused(7071, '::1')], ''), { code: 'ECONNREFUSED' }),
      'Cannot reach the S3 gateway at http://127.0.0.1:7071 (connection refused): is it running? (paccafe services up) Check PACCAFE_S3_ENDPOINT.',
    ],
    [
      'temporal',
      thrown(
        'TransportError',
        'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:7299, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
        {},
      ),
      'Cannot reach the Temporal server at 127.0.0.1:7299 (connection refused): is it running? (paccafe services up) Check PACCAFE_TEMPORAL_ADDRESS.',
    ],
    [
      'temporal',
      new Error('Failed to connect before the deadline'),
      'Cannot reach the Temporal server at 127.0.0.1:7299 (no answer): is it running? (paccafe services up) Check PACCAFE_TEMPORAL_ADDRESS.',
    ],
  ] as const)('of %s is one line naming it: %s', (name, error, expected) => {
    const line = describeServiceFailure(services[name], error, config)
    expect(line).toBe(expected)
    for (const secret of secrets) expect(line).not.toContain(secret)
  })

  it('is not claimed when the error is something else (a failed statement, a bug)', () => {
    expect(
      describeServiceFailure(services.warehouse, postgresError('22003', 'numeric field overflow'), config),
    ).toBeUndefined()
    expect(describeServiceFailure(services.temporal, new TypeError('x is undefined'), config)).toBeUndefined()
  })
})

describe('an error from a service met anywhere', () => {
  it.each([
    [refused(7071), 'Cannot reach the S3 gateway at http://127.0.0.1:7071'],
    [refused(6543, 'db.internal'), 'Cannot reach the warehouse database at postgres://owner:***@db.internal:6543/wh'],
    [s3Error('InvalidAccessKeyId'), 'refused access key paccafe (InvalidAccessKeyId)'],
    [postgresError('3D000', 'database "pos" does not exist'), 'The source (POS) database pos does not exist'],
    [postgresError('28P01', 'password authentication failed for user "owner"'), 'refused the password of user owner'],
    [new Error('wrapped', { cause: refused(7299) }), 'Cannot reach the Temporal server at 127.0.0.1:7299'],
  ])('is recognized by its kind and address: %s', (error, expected) => {
    const line = recognizeServiceFailure(error, config)
    expect(line).toContain(expected)
    for (const secret of secrets) expect(line).not.toContain(secret)
  })

  it('at an address no setting names is still one line, naming the address', () => {
    expect(recognizeServiceFailure(refused(9, '10.1.2.3'), config)).toBe(
      'Cannot reach 10.1.2.3:9 (connection refused): check PACCAFE_WAREHOUSE_URL, PACCAFE_SOURCE_URL, PACCAFE_S3_ENDPOINT and PACCAFE_TEMPORAL_ADDRESS.',
    )
  })

  it('is reported by the CLI in one line; an unexpected error is not (it keeps its stack)', () => {
    expect(oneLineReport(s3Error('SignatureDoesNotMatch'), config)).toMatch(/^paccafe: The S3 gateway at \S+ refused/)
    expect(oneLineReport(new TypeError('x is undefined'), config)).toBeUndefined()
  })
})
