// The data-quality rule catalogue (docs/quality-rules.md), declared as data in <table>.rules.yml
// files beside the clean models that produce the rows they judge. A new rule is one declaration:
// a SQL predicate (`check`) or a generic test (`test`, compiled here to the same kind of
// predicate), and the file's table checks (volume, freshness) beside them.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import Type from 'typebox'
import Value from 'typebox/value'
import { parse } from 'yaml'
import { ConfigurationError } from '../errors.ts'
import { modelsDir } from '../paths.ts'
import { quoteIdentifier as q, quoteLiteral } from '../sql-text.ts'

/** `count`: the failing rows are counted in dq.rule_results, never recorded as violations. */
export const Severity = Type.Union([
  Type.Literal('reject'),
  Type.Literal('nullify'),
  Type.Literal('warn'),
  Type.Literal('fix'),
  Type.Literal('count'),
])
export type Severity = Type.Static<typeof Severity>

const Identifier = Type.String({ pattern: '^[a-z][a-z0-9_]*$' })

/** A count of rows (`100`) or a share of the rows checked (`5%`). */
const ThresholdSchema = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.String({ pattern: '^(100|[0-9]{1,2})(\\.[0-9]+)?%$' }),
])
export type Threshold = Type.Static<typeof ThresholdSchema>

const ValueSchema = Type.Union([Type.String(), Type.Number()])

/** The generic tests, dbt's names, each on the rule's column. */
const GenericTestSchema = Type.Union([
  Type.Literal('not_null'),
  Type.Literal('unique'),
  Type.Object({ accepted_values: Type.Array(ValueSchema, { minItems: 1 }) }, { additionalProperties: false }),
  Type.Object(
    {
      relationships: Type.Object(
        { to: Type.String({ pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' }), field: Identifier },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      range: Type.Object(
        {
          min: Type.Optional(Type.Number()),
          max: Type.Optional(Type.Number()),
          inclusive: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object({ pattern: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
])
export type GenericTest = Type.Static<typeof GenericTestSchema>

const RuleSchema = Type.Object(
  {
    name: Identifier,
    description: Type.String({ minLength: 1 }),
    column: Type.Optional(Identifier),
    severity: Severity,
    /** SQL predicate over the clean row that holds for a good row. */
    check: Type.Optional(Type.String({ minLength: 1 })),
    /** A generic test on `column`, instead of `check`. */
    test: Type.Optional(GenericTestSchema),
    /** A generic test: a NULL passes (by default it fails). */
    allow_null: Type.Optional(Type.Boolean()),
    /** nullify: the value the column takes instead (default NULL). fix: a SQL expression for the corrected value. */
    replacement: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    /** More failing rows than this in a run stop it before anything is published. */
    threshold: Type.Optional(ThresholdSchema),
  },
  { additionalProperties: false },
)

const TableCheckSchema = Type.Union([
  Type.Object(
    {
      name: Identifier,
      description: Type.String({ minLength: 1 }),
      check: Type.Literal('volume'),
      /** A full load with fewer rows than the previous full load by more than this share warns. */
      max_drop: Type.String({ pattern: '^(100|[0-9]{1,2})(\\.[0-9]+)?%$' }),
      /** A fall by more than this share stops the run. */
      threshold: Type.Optional(Type.String({ pattern: '^(100|[0-9]{1,2})(\\.[0-9]+)?%$' })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      name: Identifier,
      description: Type.String({ minLength: 1 }),
      check: Type.Literal('freshness'),
      /** The newest row's timestamp column (default created_at). */
      column: Type.Optional(Identifier),
      /** A PostgreSQL interval: the newest row may be this old at run time (`3 days`). */
      max_age: Type.String({ pattern: '^[0-9]+ (minute|hour|day|week)s?$' }),
    },
    { additionalProperties: false },
  ),
])

const RuleFileSchema = Type.Object(
  {
    table: Identifier,
    rules: Type.Array(RuleSchema, { minItems: 1 }),
    table_checks: Type.Optional(Type.Array(TableCheckSchema)),
  },
  { additionalProperties: false },
)

type DeclaredRule = Type.Static<typeof RuleSchema>

/** A declared rule, its generic test compiled: `check` is always the SQL predicate. */
export interface Rule extends Omit<DeclaredRule, 'check'> {
  check: string
  table: string
  file: string
}

export type TableCheck = Type.Static<typeof TableCheckSchema> & { table: string; file: string }

export interface RuleCatalogue {
  rules: Rule[]
  tableChecks: TableCheck[]
}

export async function loadCatalogue(dir = modelsDir): Promise<RuleCatalogue> {
  const folder = path.join(dir, 'clean')
  const files = (await readdir(folder)).filter((file) => file.endsWith('.rules.yml')).sort()
  const rules: Rule[] = []
  const tableChecks: TableCheck[] = []
  for (const file of files) {
    const full = path.join(folder, file)
    const document = parse(await readFile(full, 'utf8'))
    const problem = Value.Errors(RuleFileSchema, document)[0]
    if (problem) {
      throw new ConfigurationError(`Rule file ${full}: ${problem.instancePath || '/'} ${problem.message}`)
    }
    const parsed = document as Type.Static<typeof RuleFileSchema>
    for (const rule of parsed.rules) rules.push(compileRule(rule, parsed.table, full))
    for (const check of parsed.table_checks ?? []) tableChecks.push({ ...check, table: parsed.table, file: full })
  }
  const names = new Set<string>()
  for (const rule of [...rules, ...tableChecks]) {
    if (names.has(rule.name)) throw new ConfigurationError(`Rule ${rule.name} is declared twice (${rule.file})`)
    names.add(rule.name)
  }
  return { rules, tableChecks }
}

export async function loadRules(dir = modelsDir): Promise<Rule[]> {
  return (await loadCatalogue(dir)).rules
}

/** Checks a declared rule's shape beyond the schema and compiles its generic test, if any. */
export function compileRule(rule: DeclaredRule, table: string, file: string): Rule {
  const fail = (why: string) => new ConfigurationError(`Rule file ${file}: rule ${rule.name} ${why}`)
  if (rule.severity !== 'warn' && rule.severity !== 'count' && !rule.column) {
    throw fail(`(${rule.severity}) needs a column`)
  }
  if ((rule.check === undefined) === (rule.test === undefined)) throw fail('needs either check or test, not both')
  if (rule.allow_null !== undefined && rule.test === undefined) throw fail('has allow_null, which only a test takes')
  const { test, check, ...rest } = rule
  if (check !== undefined) return { ...rest, check, table, file }
  if (!rule.column) throw fail(`(test ${testName(test as GenericTest)}) needs a column`)
  return {
    ...rest,
    test,
    check: compileTest(test as GenericTest, table, rule.column, rule.allow_null ?? false, fail),
    table,
    file,
  }
}

export function testName(test: GenericTest): string {
  return typeof test === 'string' ? test : (Object.keys(test)[0] as string)
}

const sqlValue = (value: string | number) => (typeof value === 'number' ? String(value) : quoteLiteral(value))

/**
 * The predicate of a generic test on `column` of the clean row `c`, holding for a good row. A
 * NULL fails every test unless `allowNull` (unlike dbt, where only not_null fails it).
 */
export function compileTest(
  test: GenericTest,
  table: string,
  column: string,
  allowNull: boolean,
  fail: (why: string) => Error = (why) => new ConfigurationError(why),
): string {
  const col = `c.${q(column)}`
  let predicate: string
  if (test === 'not_null') {
    if (allowNull) throw fail('cannot allow a NULL in a not_null test')
    return `${col} is not null`
  } else if (test === 'unique') {
    // Among the batch's clean rows: the clean table holds the run's rows.
    predicate = `${col} is not null and not exists (select 1 from clean.${q(table)} as u where u.${q(column)} = ${col} and u.natural_key <> c.natural_key)`
    return allowNull ? `${col} is null or (${predicate})` : predicate
  } else if ('accepted_values' in test) {
    predicate = `${col} in (${test.accepted_values.map(sqlValue).join(', ')})`
  } else if ('relationships' in test) {
    const [schema, referenced] = test.relationships.to.split('.') as [string, string]
    predicate = `exists (select 1 from ${q(schema)}.${q(referenced)} as r where r.${q(test.relationships.field)} = ${col})`
  } else if ('range' in test) {
    const { min, max, inclusive = true } = test.range
    if (min === undefined && max === undefined) throw fail('has a range test without min or max')
    const bounds = [
      ...(min === undefined ? [] : [`${col} ${inclusive ? '>=' : '>'} ${min}`]),
      ...(max === undefined ? [] : [`${col} ${inclusive ? '<=' : '<'} ${max}`]),
    ]
    predicate = bounds.join(' and ')
  } else {
    predicate = `${col} ~ ${quoteLiteral(test.pattern)}`
  }
  return allowNull ? `${col} is null or (${predicate})` : predicate
}

/** The number of failing rows above which a run stops, for `rowsChecked` rows. */
export function thresholdRows(threshold: Threshold, rowsChecked: number): number {
  if (typeof threshold === 'number') return threshold
  return Math.floor((Number.parseFloat(threshold) / 100) * rowsChecked)
}

export function rulesFor(rules: Rule[], table: string): Rule[] {
  return rules.filter((rule) => rule.table === table)
}
