// A model file: one SQL file per table under models/<schema>/<table>.sql. Its header comments
// say how the table is built; its dependencies are read from the SQL itself (schema-qualified
// references, found by PostgreSQL's parser), never declared twice.
import path from 'node:path'
import { ConfigurationError } from '../errors.ts'
import { lineAndColumn, SqlSyntaxError, tableReferences } from './sql-references.ts'

export const MODEL_SCHEMAS = ['clean', 'warehouse', 'marts'] as const
export const SOURCE_SCHEMAS = ['staging'] as const
export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'scd2'] as const
export type Materialization = (typeof MATERIALIZATIONS)[number]

/** Every header key a model file may use; any other is refused, so that a misspelt key is not ignored. */
export const HEADER_KEYS = [
  'materialized',
  'unique_key',
  'partition_by',
  'surrogate_key',
  'previous_versions',
  'grain',
  'publishes',
  'refresh',
  'computed',
] as const

/**
 * After a merge, copies columns from another model's rows that changed in this run (a late
 * dimension row arriving, an order changing status) into this table's rows that point at them.
 * Header: `-- refresh: <columns> from <schema.table> by <key column> [at <timestamp column>] [unindexed]`;
 * `at` picks the SCD2 version valid at that timestamp.
 *
 * The key column is indexed, so a refresh finds the few rows that point at a changed row,
 * unless the header says `unindexed`: for the key of a small dimension (products, employees),
 * whose every value has rows on about half of the table's pages, an index costs its build and
 * its upkeep and a lookup through it still reads those pages at random, where a scan reads the
 * table once.
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

interface HeaderLine {
  key: string
  value: string
  /** 1-based, for error messages. */
  line: number
}

/** The `-- key: value` lines at the top of a model file, up to its first line of SQL. */
function headerLines(sql: string): HeaderLine[] {
  const found: HeaderLine[] = []
  for (const [i, line] of sql.split('\n').entries()) {
    const trimmed = line.trim()
    if (trimmed === '') continue
    if (!trimmed.startsWith('--')) break
    const match = HEADER_LINE.exec(trimmed)
    if (match?.[1] && match[2]) found.push({ key: match[1], value: match[2], line: i + 1 })
  }
  return found
}

/** Reads `-- key: value` lines at the top of a model file; a key may repeat. */
export function parseHeader(sql: string): Record<string, string[]> {
  const header: Record<string, string[]> = {}
  for (const { key, value } of headerLines(sql)) header[key] = [...(header[key] ?? []), value]
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
export const versionedModel = (name: string) =>
  name.endsWith(PREVIOUS_VERSIONS_SUFFIX) ? name.slice(0, -PREVIOUS_VERSIONS_SUFFIX.length) : name

export async function parseModel(file: string, sql: string): Promise<Model> {
  const schema = path.basename(path.dirname(file))
  const table = path.basename(file, '.sql')
  const name = `${schema}.${table}`
  if (!(MODEL_SCHEMAS as readonly string[]).includes(schema)) {
    throw new ConfigurationError(`Model ${file}: its folder must be one of ${MODEL_SCHEMAS.join(', ')}`)
  }
  const unknown = headerLines(sql).find(({ key }) => !(HEADER_KEYS as readonly string[]).includes(key))
  if (unknown) {
    throw new ConfigurationError(
      `Model ${file}:${unknown.line}: unknown header key "${unknown.key}"; a header key is one of ${HEADER_KEYS.join(', ')}`,
    )
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

/** The source table a clean model standardizes: clean.x reads staging.x. */
export function sourceTableOf(model: Model): string | undefined {
  return model.schema === 'clean' && model.sources.includes(`staging.${model.table}`) ? model.table : undefined
}
