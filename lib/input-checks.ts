// Checks of the workflows' inputs (their schemas are in lib/contract.ts): the client checks an
// input before it starts a workflow, and each workflow checks it before its first activity,
// since a Web UI user types the input by hand. A bad input fails at once, naming the field.
import { ApplicationFailure } from '@temporalio/common'
import type { TSchema } from 'typebox'
import Value from 'typebox/value'
import { RUN_ID_EXPECTED, RunIdSchema, WORKFLOW_ID_PREFIX } from './contract.ts'

/** A checked input, with its run id (given, or taken from the workflow id). */
export type Checked<T> = T & { runId: string }

/** The schema found at a JSON pointer such as /graph/0/name (for its description). */
function schemaAt(schema: unknown, pointer: string): { description?: string } | undefined {
  let current = schema as Record<string, unknown> | undefined
  for (const part of pointer.split('/').filter(Boolean)) {
    const properties = current?.properties as Record<string, Record<string, unknown>> | undefined
    current = (properties?.[part] ?? (/^\d+$/.test(part) ? current?.items : undefined)) as typeof current
  }
  return current as { description?: string } | undefined
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value
  for (const part of pointer.split('/').filter(Boolean)) current = (current as Record<string, unknown>)?.[part]
  return current
}

/** The first problem of `input`, in words: `mode: "fulll" is not valid, expected "full" or "incremental"`. */
export function inputProblem(schema: TSchema, input: unknown): string | undefined {
  const errors = [...Value.Errors(schema, input)]
  const first = errors[0]
  if (!first) return undefined
  if (first.keyword === 'required') {
    const [field] = (first.params as { requiredProperties?: string[] }).requiredProperties ?? []
    const path = `${first.instancePath}/${field ?? ''}`
    return `${path.slice(1).replaceAll('/', '.')} is missing, expected ${schemaAt(schema, path)?.description ?? 'a value'}`
  }
  const extra = errors.find((error) => error.keyword === 'additionalProperties')
  if (extra) {
    const [field] = (extra.params as { additionalProperties?: string[] }).additionalProperties ?? []
    const known = Object.keys((schemaAt(schema, extra.instancePath) as { properties?: object })?.properties ?? {})
    const where = extra.instancePath ? `${extra.instancePath.slice(1).replaceAll('/', '.')}.` : ''
    return `unknown field ${where}${field}, expected only ${known.join(', ')}`
  }
  // The last error at the first failing path is the union's or the type's own.
  const path = first.instancePath
  const description = schemaAt(schema, path)?.description
  const field = path ? path.slice(1).replaceAll('/', '.') : 'the input'
  const value = JSON.stringify(valueAt(input, path)) ?? 'undefined'
  return `${field}: ${value} is not valid, expected ${description ?? first.message}`
}

/** A trailing `-2026-12-03T14:00:00Z` (or `.123`, or `+07:00`): what a schedule appends to its runs' workflow ids. */
const TRAILING_RFC3339 = /-(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/**
 * `…-2026-12-03T14:00:00Z` becomes `…-20261203T140000Z`: run ids may hold no colons. An offset is
 * turned into UTC. Pure arithmetic on the string, so it is deterministic in workflow code.
 */
function compactTrailingTimestamp(id: string): string {
  const match = TRAILING_RFC3339.exec(id)
  if (!match) return id
  const [whole = '', ...fields] = match
  const [y, mo, d, h, mi, s] = fields.slice(0, 6).map(Number) as [number, number, number, number, number, number]
  const fraction = fields[6] ?? ''
  const zone = fields[7] ?? 'Z'
  const offsetMinutes =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)))
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi - offsetMinutes, s))
  const two = (n: number) => String(n).padStart(2, '0')
  const stamp =
    `${utc.getUTCFullYear()}${two(utc.getUTCMonth() + 1)}${two(utc.getUTCDate())}` +
    `T${two(utc.getUTCHours())}${two(utc.getUTCMinutes())}${two(utc.getUTCSeconds())}`
  return `${id.slice(0, id.length - whole.length)}-${stamp}${fraction}Z`
}

/**
 * The run id a workflow uses: the input's, or its own workflow id less the prefix, a trailing
 * RFC3339 time made compact (`scheduled-hourly-incremental-20261203T140000Z`).
 */
export function runIdFrom(workflowId: string, runId: string | undefined): string {
  if (runId) return runId
  const id = workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : workflowId
  return compactTrailingTimestamp(id)
}

/**
 * Checks a workflow's input before anything runs: a bad one fails the workflow at once, not
 * retried, naming the field. Returns the input with its run id.
 */
export function checkWorkflowInput<T extends { runId?: string }>(
  workflow: string,
  schema: TSchema,
  input: T,
  workflowId: string,
): Checked<T> {
  const problem = inputProblem(schema, input)
  const runId = problem ? '' : runIdFrom(workflowId, input.runId)
  const runIdProblem =
    problem || Value.Check(RunIdSchema, runId)
      ? undefined
      : `runId: the workflow id ${JSON.stringify(workflowId)} makes no run id, give "runId" as ${RUN_ID_EXPECTED}`
  const message = problem ?? runIdProblem
  if (message) {
    throw ApplicationFailure.create({
      message: `${workflow} input: ${message}`,
      type: 'BadInputError',
      nonRetryable: true,
    })
  }
  return { ...input, runId }
}
