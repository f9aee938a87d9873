// The model catalogue: one SQL file per table under models/<schema>/<table>.sql. A file's
// header comments say how the table is built; its dependencies are read from the SQL itself
// (schema-qualified references, found by PostgreSQL's parser), never declared twice.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { ConfigurationError } from './errors.ts'
import { modelsDir } from './paths.ts'
import type { ModelNode } from './pipeline-types.ts'
import { lineAndColumn, SqlSyntaxError, tableReferences } from './sql-references.ts'

export const MODEL_SCHEMAS = ['clean', 'warehouse', 'marts'] as const
export const SOURCE_SCHEMAS = ['staging'] as const
export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'scd2'] as const
export type Materialization = (typeof MATERIALIZATIONS)[number]

/**
 * After a merge, copies columns from another model's rows that changed in this run (a late
 * dimension row arriving, an order changing status) into this table's rows that point at them.
 * Header: `-- refresh: <columns> from <schema.table> by <key column> [at <timestamp column>] [unindexed]`;
 * `at` picks the SCD2 version valid at that timestamp.
 *
 * The key column is indexed, so a refresh finds the few rows that point at a changed row,
 * unless the header says `unindexed`: for the key of a small dimension (products, employees),
 * whose every value has rows on about half of the table's pages, an index costs its build and
 * its upkeep and a lookup through it still reads those pages at random. A scan reads the table
 * once (fct_order_lines at scale 1000: 2 s to build the index on nk_product_id, and one changed
 * product took 4.5 s to refresh through it, against 1.1 s by a scan).
 */
export interface Refresh {
  columns: string[]
  from: string
  by: string
  at?: string
  indexed: boolean
}

/** A column computed from the row's other columns: the engine writes it with the row, and again after a refresh changes its inputs. */
export interface ComputedColumn {
  name: string
  type: string
  expression: string
}

export interface Model {
  /** schema.table, for example warehouse.dim_customers */
  name: string
  schema: string
  table: string
  file: string
  sql: string
  materialized: Materialization
  uniqueKey?: string
  /**
   * incremental, instead of a unique key: the column that splits the table into partitions.
   * Each partition the select returns replaces that partition's rows (dbt's insert_overwrite).
   */
  partitionBy?: string
  /** scd2: the surrogate key column the engine fills, one per version. */
  surrogateKey?: string
  grain?: string
  /**
   * incremental with a unique key: keeps, in <table>__previous, the versions of its rows that
   * this run replaced or removed (header `previous_versions: kept`), so that a model summing
   * its rows can take a changed row out of the group it was counted in.
   */
  keepsPreviousVersions: boolean
  /** The source table whose rows this model publishes (row accounting counts them here). */
  publishes?: string
  refreshes: Refresh[]
  computed: ComputedColumn[]
  /** Other models this one reads. */
  dependsOn: string[]
  /** The tables of previous versions this one reads (`<model>__previous`). */
  previousVersionsRead: string[]
  /** Staging tables this one reads. */
  sources: string[]
}

const HEADER_LINE = /^--\s*([a-z_]+):\s*(.+?)\s*$/
const NAME = '[a-z_][a-z0-9_]*'
const REFRESH = new RegExp(
  `^(.+?)\\s+from\\s+(${NAME}\\.${NAME})\\s+by\\s+(${NAME})(?:\\s+at\\s+(${NAME}))?(\\s+unindexed)?$`,
)
const COMPUTED = new RegExp(`^(${NAME})\\s+(.+?)\\s+=\\s+(.+)$`)

/** Reads `-- key: value` lines at the top of a model file; a key may repeat. */
export function parseHeader(sql: string): Record<string, string[]> {
  const header: Record<string, string[]> = {}
  for (const line of sql.split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '') continue
    if (!trimmed.startsWith('--')) break
    const match = HEADER_LINE.exec(trimmed)
    if (match?.[1] && match[2]) header[match[1]] = [...(header[match[1]] ?? []), match[2]]
  }
  return header
}

/** The schema-qualified tables a model's SQL reads, split into models and sources. */
export async function findReferences(sql: string): Promise<{ models: string[]; sources: string[] }> {
  const models = new Set<string>()
  const sources = new Set<string>()
  for (const { schema, table } of await tableReferences(sql)) {
    const name = `${schema}.${table}`
    if ((SOURCE_SCHEMAS as readonly string[]).includes(schema)) sources.add(name)
    else if ((MODEL_SCHEMAS as readonly string[]).includes(schema)) models.add(name)
  }
  return { models: [...models].sort(), sources: [...sources].sort() }
}

function parseRefresh(file: string, text: string): Refresh {
  const match = REFRESH.exec(text)
  if (!match) {
    throw new ConfigurationError(
      `Model ${file}: refresh must read "<columns> from <schema.table> by <column> [at <column>] [unindexed]", not "${text}"`,
    )
  }
  const [, columns = '', from = '', by = '', at, unindexed] = match
  return {
    columns: columns.split(',').map((column) => column.trim()),
    from,
    by,
    ...(at ? { at } : {}),
    indexed: !unindexed,
  }
}

function parseComputed(file: string, text: string): ComputedColumn {
  const match = COMPUTED.exec(text)
  if (!match) throw new ConfigurationError(`Model ${file}: computed must read "<column> <type> = <expression>"`)
  const [, name = '', type = '', expression = ''] = match
  return { name, type, expression }
}

/** The table of a model's previous row versions, next to its own. */
export const PREVIOUS_VERSIONS_SUFFIX = '__previous'

/** The model whose table a reference reads: `warehouse.fct_orders__previous` is fct_orders'. */
const versionedModel = (name: string) =>
  name.endsWith(PREVIOUS_VERSIONS_SUFFIX) ? name.slice(0, -PREVIOUS_VERSIONS_SUFFIX.length) : name

export async function parseModel(file: string, sql: string): Promise<Model> {
  const schema = path.basename(path.dirname(file))
  const table = path.basename(file, '.sql')
  const name = `${schema}.${table}`
  if (!(MODEL_SCHEMAS as readonly string[]).includes(schema)) {
    throw new ConfigurationError(`Model ${file}: its folder must be one of ${MODEL_SCHEMAS.join(', ')}`)
  }
  const header = parseHeader(sql)
  const one = (key: string) => header[key]?.at(-1)
  const materialized = (one('materialized') ?? 'table') as Materialization
  if (!MATERIALIZATIONS.includes(materialized)) {
    throw new ConfigurationError(
      `Model ${file}: materialized must be one of ${MATERIALIZATIONS.join(', ')}, not ${materialized}`,
    )
  }
  const keyed = one('unique_key') !== undefined
  const partitioned = one('partition_by') !== undefined
  if (materialized === 'scd2' && !keyed) {
    throw new ConfigurationError(`Model ${file}: an scd2 model needs a unique_key header`)
  }
  if (materialized === 'incremental' && keyed === partitioned) {
    throw new ConfigurationError(
      `Model ${file}: an incremental model needs either a unique_key header (rows merged on it) ` +
        'or a partition_by header (partitions replaced whole), not both',
    )
  }
  if (partitioned && materialized !== 'incremental') {
    throw new ConfigurationError(`Model ${file}: only an incremental model can be partitioned`)
  }
  if (materialized === 'scd2' && !one('surrogate_key')) {
    throw new ConfigurationError(`Model ${file}: an scd2 model needs a surrogate_key header (the version's key)`)
  }
  const refreshes = (header.refresh ?? []).map((text) => parseRefresh(file, text))
  if (refreshes.length > 0 && (materialized !== 'incremental' || partitioned)) {
    throw new ConfigurationError(`Model ${file}: only an incremental model with a unique key can refresh columns`)
  }
  const keepsPreviousVersions = one('previous_versions') !== undefined
  if (keepsPreviousVersions && one('previous_versions') !== 'kept') {
    throw new ConfigurationError(`Model ${file}: previous_versions can only be "kept"`)
  }
  if (keepsPreviousVersions && (materialized !== 'incremental' || !keyed)) {
    throw new ConfigurationError(`Model ${file}: only an incremental model with a unique key keeps previous versions`)
  }
  if (one('publishes') && partitioned) {
    throw new ConfigurationError(
      `Model ${file}: a partitioned model cannot publish a source table (its rows have no natural key)`,
    )
  }
  let references: { models: string[]; sources: string[] }
  try {
    references = await findReferences(sql)
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error
    const where = error.position === undefined ? '' : `:${Object.values(lineAndColumn(sql, error.position)).join(':')}`
    throw new ConfigurationError(`Model ${file}${where}: ${error.message}`)
  }
  const dependsOn = new Set([...references.models.map(versionedModel), ...refreshes.map((refresh) => refresh.from)])
  dependsOn.delete(name)
  return {
    name,
    schema,
    table,
    file,
    sql,
    materialized,
    uniqueKey: one('unique_key'),
    partitionBy: one('partition_by'),
    surrogateKey: one('surrogate_key'),
    grain: one('grain'),
    keepsPreviousVersions,
    publishes: one('publishes'),
    refreshes,
    computed: (header.computed ?? []).map((text) => parseComputed(file, text)),
    dependsOn: [...dependsOn].sort(),
    previousVersionsRead: references.models.filter((reference) => reference.endsWith(PREVIOUS_VERSIONS_SUFFIX)),
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
      models.push(await parseModel(full, await readFile(full, 'utf8')))
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
  for (const model of models) {
    for (const name of model.previousVersionsRead) {
      const versioned = byName.get(versionedModel(name)) as Model
      if (!versioned.keepsPreviousVersions) {
        throw new ConfigurationError(
          `Model ${model.file} reads ${name}, but ${versioned.file} does not keep previous versions ` +
            '(its header needs "-- previous_versions: kept")',
        )
      }
    }
  }
  buildLayers(models)
}

/**
 * Groups models into layers: every model's dependencies are in earlier layers. Used to order
 * and to show the graph; the workflow itself starts each model as soon as its inputs are built.
 */
export function buildLayers(models: Pick<Model, 'name' | 'file' | 'dependsOn'>[]): string[][] {
  const names = new Set(models.map((model) => model.name))
  const remaining = new Map(
    models.map((model) => [model.name, new Set(model.dependsOn.filter((dependency) => names.has(dependency)))]),
  )
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

/** The models a name stands for: `schema.table` or a table name that is unique. */
function resolveName(models: Model[], name: string): Model {
  const matches = models.filter((model) => model.name === name || model.table === name)
  if (matches.length === 1) return matches[0] as Model
  if (matches.length === 0) throw new ConfigurationError(`There is no model named ${name}`)
  throw new ConfigurationError(`${name} is ambiguous: ${matches.map((model) => model.name).join(', ')}`)
}

function closure(start: Model, next: (model: Model) => string[], byName: Map<string, Model>): Set<string> {
  const seen = new Set<string>([start.name])
  const queue = [start]
  while (queue.length > 0) {
    for (const name of next(queue.shift() as Model)) {
      if (seen.has(name)) continue
      seen.add(name)
      queue.push(byName.get(name) as Model)
    }
  }
  return seen
}

/**
 * Selects models the way dbt does: `name` is the model alone, `+name` adds everything it reads
 * (upstream), `name+` adds everything that reads it (downstream). Returns names in graph order.
 */
export function selectModels(models: Model[], selectors: string[]): string[] {
  const byName = new Map(models.map((model) => [model.name, model]))
  const readers = (model: Model) => models.filter((other) => other.dependsOn.includes(model.name)).map((m) => m.name)
  const selected = new Set<string>()
  for (const selector of selectors) {
    const upstream = selector.startsWith('+')
    const downstream = selector.endsWith('+')
    const model = resolveName(models, selector.replace(/^\+|\+$/g, ''))
    selected.add(model.name)
    if (upstream) for (const name of closure(model, (m) => m.dependsOn, byName)) selected.add(name)
    if (downstream) for (const name of closure(model, readers, byName)) selected.add(name)
  }
  return buildLayers(models)
    .flat()
    .filter((name) => selected.has(name))
}

/** The graph a workflow runs for these models (named in graph order): each with what it reads among them. */
export function graphOf(models: Model[], names: string[]): ModelNode[] {
  const selected = new Set(names)
  return names.map((name) => ({
    name,
    dependsOn: (models.find((model) => model.name === name) as Model).dependsOn.filter((d) => selected.has(d)),
  }))
}

/** The source table a clean model standardizes: clean.x reads staging.x. */
export function sourceTableOf(model: Model): string | undefined {
  return model.schema === 'clean' && model.sources.includes(`staging.${model.table}`) ? model.table : undefined
}
