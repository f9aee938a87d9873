// The data-quality rule catalogue (docs/quality-rules.md), declared as data in <table>.rules.yml
// files beside the clean models that produce the rows they judge. A new rule is one declaration.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import Type from 'typebox'
import Value from 'typebox/value'
import { parse } from 'yaml'
import { ConfigurationError } from '../errors.ts'
import { modelsDir } from '../paths.ts'

export const Severity = Type.Union([
  Type.Literal('reject'),
  Type.Literal('nullify'),
  Type.Literal('warn'),
  Type.Literal('fix'),
])
export type Severity = Type.Static<typeof Severity>

const RuleSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
  description: Type.String({ minLength: 1 }),
  column: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$' })),
  severity: Severity,
  /** SQL predicate over the clean row that holds for a good row. */
  check: Type.String({ minLength: 1 }),
  /** nullify: the value the column takes instead (default NULL). fix: a SQL expression for the corrected value. */
  replacement: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
})

const RuleFileSchema = Type.Object({
  table: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
  rules: Type.Array(RuleSchema, { minItems: 1 }),
})

export interface Rule extends Type.Static<typeof RuleSchema> {
  table: string
  file: string
}

export async function loadRules(dir = modelsDir): Promise<Rule[]> {
  const folder = path.join(dir, 'clean')
  const files = (await readdir(folder)).filter((file) => file.endsWith('.rules.yml')).sort()
  const rules: Rule[] = []
  for (const file of files) {
    const full = path.join(folder, file)
    const document = parse(await readFile(full, 'utf8'))
    const problem = Value.Errors(RuleFileSchema, document)[0]
    if (problem) {
      throw new ConfigurationError(`Rule file ${full}: ${problem.instancePath || '/'} ${problem.message}`)
    }
    const parsed = document as Type.Static<typeof RuleFileSchema>
    for (const rule of parsed.rules) {
      if (rule.severity !== 'warn' && !rule.column) {
        throw new ConfigurationError(`Rule file ${full}: rule ${rule.name} (${rule.severity}) needs a column`)
      }
      rules.push({ ...rule, table: parsed.table, file: full })
    }
  }
  const names = new Set<string>()
  for (const rule of rules) {
    if (names.has(rule.name)) throw new ConfigurationError(`Rule ${rule.name} is declared twice (${rule.file})`)
    names.add(rule.name)
  }
  return rules
}

export function rulesFor(rules: Rule[], table: string): Rule[] {
  return rules.filter((rule) => rule.table === table)
}
