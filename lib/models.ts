// The model catalogue: one SQL file per table under models/<schema>/<table>.sql. A file's
// header comments say how the table is built; its dependencies are read from the SQL itself
// (schema-qualified references), never declared twice.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { ConfigurationError } from './errors.ts'
import { modelsDir } from './paths.ts'

export const MODEL_SCHEMAS = ['clean', 'warehouse', 'marts'] as const
export const SOURCE_SCHEMAS = ['staging'] as const
export type Materialization = 'table' | 'incremental' | 'view'

export interface Model {
  /** schema.table, for example warehouse.dim_customers */
  name: string
  schema: string
  table: string
  file: string
  sql: string
  materialized: Materialization
  uniqueKey?: string
  grain?: string
  /** The source table whose rows this model publishes (row accounting counts them here). */
  publishes?: string
  /** Other models this one reads. */
  dependsOn: string[]
  /** Staging tables this one reads. */
  sources: string[]
}

const HEADER_LINE = /^--\s*([a-z_]+):\s*(.+?)\s*$/

/** Reads `-- key: value` lines at the top of a model file. */
export function parseHeader(sql: string): Record<string, string> {
  const header: Record<string, string> = {}
  for (const line of sql.split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '') continue
    if (!trimmed.startsWith('--')) break
    const match = HEADER_LINE.exec(trimmed)
    if (match?.[1] && match[2]) header[match[1]] = match[2]
  }
  return header
}

/** Removes comments and string literals, so references are only found in real SQL. */
function stripCommentsAndStrings(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
}

/** The schema-qualified tables a model's SQL reads, split into models and sources. */
export function findReferences(sql: string): { models: string[]; sources: string[] } {
  const schemas = [...MODEL_SCHEMAS, ...SOURCE_SCHEMAS].join('|')
  // A name followed by '(' is a function (warehouse.surrogate_key(...)), not a table.
  const pattern = new RegExp(`\\b(${schemas})\\.([a-z_][a-z0-9_]*)\\b(?!\\s*\\()`, 'g')
  const models = new Set<string>()
  const sources = new Set<string>()
  for (const [, schema, table] of stripCommentsAndStrings(sql).matchAll(pattern)) {
    const name = `${schema}.${table}`
    if ((SOURCE_SCHEMAS as readonly string[]).includes(schema as string)) sources.add(name)
    else models.add(name)
  }
  return { models: [...models].sort(), sources: [...sources].sort() }
}

export function parseModel(file: string, sql: string): Model {
  const schema = path.basename(path.dirname(file))
  const table = path.basename(file, '.sql')
  const name = `${schema}.${table}`
  if (!(MODEL_SCHEMAS as readonly string[]).includes(schema)) {
    throw new ConfigurationError(`Model ${file}: its folder must be one of ${MODEL_SCHEMAS.join(', ')}`)
  }
  const header = parseHeader(sql)
  const materialized = (header.materialized ?? 'table') as Materialization
  if (!['table', 'incremental', 'view'].includes(materialized)) {
    throw new ConfigurationError(`Model ${file}: materialized must be table, incremental or view, not ${materialized}`)
  }
  if (materialized === 'incremental' && !header.unique_key) {
    throw new ConfigurationError(`Model ${file}: an incremental model needs a unique_key header`)
  }
  const references = findReferences(sql)
  return {
    name,
    schema,
    table,
    file,
    sql,
    materialized,
    uniqueKey: header.unique_key,
    grain: header.grain,
    publishes: header.publishes,
    dependsOn: references.models.filter((reference) => reference !== name),
    sources: references.sources,
  }
}

export async function loadModels(dir = modelsDir): Promise<Model[]> {
  const models: Model[] = []
  for (const schema of await readdir(dir, { withFileTypes: true })) {
    if (!schema.isDirectory()) continue
    const folder = path.join(dir, schema.name)
    for (const file of (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort()) {
      const full = path.join(folder, file)
      models.push(parseModel(full, await readFile(full, 'utf8')))
    }
  }
  assertValidGraph(models)
  return models
}

/** A reference to a missing model or a cycle fails before anything runs, naming the files. */
export function assertValidGraph(models: Model[]): void {
  const byName = new Map(models.map((model) => [model.name, model]))
  for (const model of models) {
    for (const dependency of model.dependsOn) {
      if (!byName.has(dependency)) {
        throw new ConfigurationError(`Model ${model.file} reads ${dependency}, but no model file builds it`)
      }
    }
  }
  buildLayers(models)
}

/**
 * Groups models into layers: every model's dependencies are in earlier layers, so the models
 * of one layer can run in parallel.
 */
export function buildLayers(models: Model[]): string[][] {
  const remaining = new Map(models.map((model) => [model.name, new Set(model.dependsOn)]))
  const layers: string[][] = []
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, deps]) => deps.size === 0)
      .map(([name]) => name)
      .sort()
    if (ready.length === 0) {
      const files = models.filter((model) => remaining.has(model.name)).map((model) => model.file)
      throw new ConfigurationError(`Models form a cycle: ${files.join(', ')}`)
    }
    for (const name of ready) remaining.delete(name)
    for (const deps of remaining.values()) for (const name of ready) deps.delete(name)
    layers.push(ready)
  }
  return layers
}

/** The source table (staging.x -> x) a clean model standardizes. */
export function sourceTableOf(model: Model): string | undefined {
  const [source] = model.sources
  return model.schema === 'clean' && source ? source.replace(/^staging\./, '') : undefined
}
