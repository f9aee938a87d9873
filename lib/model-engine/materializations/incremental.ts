// Compiles a model into the statements that build its table, according to its materialization
// (model-runner.ts runs them in one transaction; `paccafe models compile` prints them).
// - view: replaced.
// - table: rebuilt; readers see the old or the new rows, never half, and views that read the
//   table keep working (same columns: truncate and refill the same table).
// - incremental: merged on its unique key; unchanged rows are left alone, so a second run on
//   the same input changes nothing. `_run_id` says which run last wrote a row; `refresh`
//   headers then copy columns from rows other models changed in this run. A model that
//   publishes a source table drops the rows whose new version this run rejected.
//   Partitioned instead (`partition_by`): each partition the select returns replaces that
//   partition's rows, so a partition rebuilt from the same input ends as it was. With
//   `previous_versions: kept`, the versions of rows a run replaced or removed are kept in
//   <table>__previous until the next run, for the models that sum its rows.
// - scd2: a new version (valid_from, valid_to, is_current) when a row's columns change.
import type { Sql, TransactionSql } from './db.ts'
import { ConfigurationError } from './errors.ts'
import { type ComputedColumn, type Model, PREVIOUS_VERSIONS_SUFFIX } from './models.ts'
import { quoteIdentifier as q, quoteLiteral } from './sql-text.ts'

interface Column {
  name: string
  type: number
}

/** The column of an scd2 model's select that says when the change was seen. */
export const CHANGED_AT = 'changed_at'
const RUN_ID = 'etl.current_run_id()'

export const qualified = (model: Model) => `${q(model.schema)}.${q(model.table)}`
const list = (columns: string[], prefix = '') => columns.map((column) => `${prefix}${q(column)}`).join(', ')

/** A computed column's value, from the other columns of the row it is evaluated on. */
const computedValue = (column: ComputedColumn) => `(${column.expression})::${column.type}`

/**
 * The rows the model writes, without a trailing semicolon, ready to be wrapped: its select,
 * and its computed columns evaluated on each selected row.
 */
function selectOf(model: Model): string {
  const select = model.sql.trim().replace(/;\s*$/, '')
  if (model.computed.length === 0) return select
  return `select model_rows.*, ${model.computed.map((column) => `${computedValue(column)} as ${q(column.name)}`).join(', ')}
from (\n${select}\n) as model_rows`
}

/**
 * The columns (name and type) the model writes, without running its select or planning it:
 * PostgreSQL describes a statement it has only parsed (planning the larger models took up to
 * 40 ms each, on every build).
 */
async function selectColumns(sql: Sql | TransactionSql, model: Model): Promise<Column[]> {
  const described = await sql.unsafe(selectOf(model)).describe()
  return described.columns.map((column) => ({ name: column.name, type: column.type }))
}

/** What the model's relation is now, and its columns: the stored ones, the generated ones, and every name with its SQL type. */
interface ExistingRelation {
  kind: 'table' | 'view'
  stored: Column[]
  /** Computed columns of tables built before the engine computed them itself. */
  generated: Set<string>
  names: Set<string>
  typeNames: Map<string, string>
}

/** What a relation (a schema-qualified, quoted name) is now, or null if it does not exist. */
async function existingRelation(sql: Sql | TransactionSql, relation: string): Promise<ExistingRelation | null> {
  const rows = await sql<{ name: string; type: number; typeName: string; generated: string; kind: string }[]>`
    select a.attname as name, a.atttypid::int as type, format_type(a.atttypid, a.atttypmod) as "typeName",
           a.attgenerated as generated, c.relkind as kind
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    where a.attrelid = to_regclass(${relation}) and a.attnum > 0 and not a.attisdropped
    order by a.attnum`
  if (rows.length === 0) return null
  return {
    kind: rows[0]?.kind === 'v' ? 'view' : 'table',
    stored: rows.filter((row) => row.generated === '').map(({ name, type }) => ({ name, type })),
    generated: new Set(rows.filter((row) => row.generated !== '').map((row) => row.name)),
    names: new Set(rows.map((row) => row.name)),
    typeNames: new Map(rows.map((row) => [row.name, row.typeName])),
  }
}

const sameColumns = (a: Column[], b: Column[]) =>
  a.length === b.length && a.every((column, i) => column.name === b[i]?.name && column.type === b[i]?.type)

/** A statement to run and what its row count means for the step's counts. */
export interface Statement {
  sql: string
  counts?: 'selected' | 'inserted' | 'updated' | 'deleted' | 'merge' | 'replace'
}

const ddl = (sql: string): Statement => ({ sql })

/**
 * Computed columns are plain columns the engine writes with the rest of the row (selectOf), so
 * a first build can be one `create table ... as select`, which PostgreSQL runs in parallel; a
 * generated column cannot be made that way. Tables built when they were generated columns keep
 * their values and become plain (no rewrite); a computed column new to an existing table is
 * added and filled once. Only what differs: an ALTER TABLE locks out the table's readers until
 * the build commits, even when it changes nothing.
 */
function computedColumnsSql(model: Model, existing: ExistingRelation): Statement[] {
  return model.computed.flatMap((column) => {
    const target = qualified(model)
    if (existing.generated.has(column.name)) {
      return [ddl(`alter table ${target} alter column ${q(column.name)} drop expression`)]
    }
    if (existing.names.has(column.name)) return []
    return [
      ddl(`alter table ${target} add column ${q(column.name)} ${column.type}`),
      ddl(`update ${target} set ${q(column.name)} = ${computedValue(column)}`),
    ]
  })
}

/**
 * A refresh changes some of a row's columns after the merge wrote it; the computed columns of
 * the rows this run wrote are evaluated again where their inputs changed.
 */
function recomputeSql(model: Model): Statement[] {
  if (model.computed.length === 0 || model.refreshes.length === 0) return []
  const names = model.computed.map((column) => q(column.name))
  const values = model.computed.map(computedValue)
  return [
    ddl(`update ${qualified(model)}
     set ${names.map((name, i) => `${name} = ${values[i]}`).join(', ')}
     where _run_id = ${RUN_ID} and (${names.join(', ')}) is distinct from (${values.join(', ')})`),
  ]
}

function tableStatements(model: Model, columns: string[], existing: 'none' | 'same' | 'different'): Statement[] {
  const create = [{ sql: `create table ${qualified(model)} as\n${selectOf(model)}`, counts: 'inserted' as const }]
  if (existing === 'none') return create
  if (existing === 'different') return [ddl(`drop table ${qualified(model)} cascade`), ...create]
  return [
    ddl(`truncate ${qualified(model)}`),
    { sql: `insert into ${qualified(model)} (${list(columns)})\n${selectOf(model)}`, counts: 'inserted' },
  ]
}

/**
 * The index that finds the rows a run wrote. Every lookup asks for the current run, the latest
 * (run ids sort by time), and a run's inserts and new row versions land in the pages with free
 * space, mostly at the table's end: a BRIN index, a min and max per range of pages, finds
 * them as a B-tree would, and costs less to build and keep (fct_order_lines at scale 1000:
 * 0.7 s and 56 kB, against 1.1 s and 20 MB for a B-tree). Tables built with a B-tree keep it.
 */
const runIdIndex = (model: Model, ifNotExists: boolean) =>
  ddl(
    `create index ${ifNotExists ? 'if not exists ' : ''}${q(`${model.table}__run_id`)} on ${qualified(model)}
       using brin (_run_id) with (autosummarize = on)`,
  )

/** The unique key's, _run_id's, and the refresh keys' indexes; an index on a key now `unindexed` is dropped. */
function incrementalIndexes(model: Model): Statement[] {
  const target = qualified(model)
  const indexed = new Set(model.refreshes.filter((refresh) => refresh.indexed).map((refresh) => refresh.by))
  const unindexed = new Set(model.refreshes.map((refresh) => refresh.by).filter((by) => !indexed.has(by)))
  const keyIndex = (by: string) => q(`${model.table}__${by}`)
  return [
    ddl(
      `create unique index if not exists ${q(`${model.table}__unique_key`)} on ${target} (${q(model.uniqueKey as string)})`,
    ),
    runIdIndex(model, true),
    ...[...indexed].map((by) => ddl(`create index if not exists ${keyIndex(by)} on ${target} (${q(by)})`)),
    ...[...unindexed].map((by) => ddl(`drop index if exists ${q(model.schema)}.${keyIndex(by)}`)),
  ]
}

const previousTable = (model: Model) => `${q(model.schema)}.${q(`${model.table}${PREVIOUS_VERSIONS_SUFFIX}`)}`

/**
 * The table of a model's previous row versions: the model's columns, and the run that replaced
 * them. It holds one run's versions: a build clears those of other runs, and a build the same
 * run repeats keeps what the first one saved (it replaces nothing more). It is made again when
 * it is missing or its columns are no longer the model's (a column added to the model's table),
 * since a version of other columns could not be saved in it.
 */
function previousVersionsSetup(model: Model, columns: string[], previous: ExistingRelation | null): Statement[] {
  if (!model.keepsPreviousVersions) return []
  const table = previousTable(model)
  const expected = [...columns, '_run_id', '_replaced_in']
  if (previous && previous.names.size === expected.length && expected.every((name) => previous.names.has(name))) {
    return [ddl(`delete from ${table} where _replaced_in is distinct from ${RUN_ID}`)]
  }
  return [
    ddl(`drop table if exists ${table}`),
    ddl(`create table ${table} (like ${qualified(model)}, _replaced_in text)`),
    ddl(`create index ${q(`${model.table}${PREVIOUS_VERSIONS_SUFFIX}__replaced_in`)} on ${table} (_replaced_in)`),
  ]
}

/**
 * Saves the rows `source` selects (versions about to be replaced) as previous versions. A row
 * the run already saved keeps its first version, the one the sums last counted (the run
 * replaced it twice, or took it over from a failed run).
 */
const savePrevious = (model: Model, columns: string[], source: string) =>
  `insert into ${previousTable(model)} (${list(columns)}, _run_id, _replaced_in)
       select * from (select ${list(columns, 't.')}, t._run_id, ${RUN_ID} as _replaced_in ${source}) as v
       where not exists (select 1 from ${previousTable(model)} as p
                         where p._replaced_in = ${RUN_ID} and p.${q(model.uniqueKey as string)} = v.${q(model.uniqueKey as string)})`

/** A delete from the model's table (aliased t) that first saves the rows it removes. */
const keepingPrevious = (model: Model, columns: string[], deletion: string) =>
  model.keepsPreviousVersions
    ? `with removed as (\n${deletion}\n returning t.*)\n${savePrevious(model, columns, 'from removed as t')}`
    : deletion

/**
 * Tells the model's SQL that this is its first build (etl.is_first_build()), for the rest of
 * the build's transaction: a partitioned model then reads every partition, not only those the
 * run touched.
 */
const firstBuildSetting = ddl(`select set_config('paccafe.first_build', 'on', true)`)

/**
 * The first build of an incremental table (new or empty): the rows, then the indexes. Nothing
 * to merge, no rejected update to remove, and every row already reads the current dimensions,
 * so there is nothing to refresh. A new table is made by `create table ... as select`, which
 * PostgreSQL can run in parallel, unlike an insert (fct_order_lines at scale 1000: 28.5 s by
 * insert, 19.2 s as built); its key (or partition column) is then set NOT NULL, a scan of the
 * new table (0.3 s there).
 */
function initialIncrementalStatements(
  model: Model,
  columns: string[],
  exists: boolean,
  previous: ExistingRelation | null,
): Statement[] {
  const target = qualified(model)
  const notNull = ddl(`alter table ${target} alter column ${q(keyOf(model))} set not null`)
  const indexes = [
    ...(model.partitionBy ? [partitionIndex(model)] : incrementalIndexes(model)),
    ...previousVersionsSetup(model, columns, previous),
  ]
  if (!exists) {
    return [
      firstBuildSetting,
      {
        sql: `create table ${target} as
       select model_rows.*, ${RUN_ID} as _run_id from (\n${selectOf(model)}\n) as model_rows`,
        counts: 'inserted',
      },
      notNull,
      ...indexes,
    ]
  }
  return [
    firstBuildSetting,
    // Set while the table is empty, so each row is checked as it is inserted; from then on
    // the constraint holds every merge to it.
    notNull,
    {
      sql: `insert into ${target} (${list(columns)}, _run_id)
       select ${list(columns)}, ${RUN_ID} from (\n${selectOf(model)}\n) as model_rows`,
      counts: 'inserted',
    },
    ...indexes,
  ]
}

/** The column an incremental model's rows are matched on: its unique key, or its partition. */
const keyOf = (model: Model) => (model.partitionBy ?? model.uniqueKey) as string

const partitionIndex = (model: Model) =>
  ddl(
    `create index if not exists ${q(`${model.table}__partition`)} on ${qualified(model)} (${q(model.partitionBy as string)})`,
  )

/**
 * A partitioned model's build: the rows of every partition its select returns replace that
 * partition's rows, in one statement (the delete and the insert see the same snapshot). A
 * partition the select does not return is left as it is, so the model returns at least one
 * row for each partition it rebuilds, even one left empty.
 */
function partitionStatements(model: Model, columns: string[], existing: ExistingRelation): Statement[] {
  const target = qualified(model)
  const partition = q(model.partitionBy as string)
  return [
    ...computedColumnsSql(model, existing),
    partitionIndex(model),
    {
      sql: `with model_rows as materialized (\n${selectOf(model)}\n),
     replaced as (
       delete from ${target} as t
       where t.${partition} in (select ${partition} from model_rows)
       returning 1
     ),
     added as (
       insert into ${target} (${list(columns)}, _run_id)
       select ${list(columns)}, ${RUN_ID} from model_rows
       returning 1
     )
     select (select count(*) from model_rows)::int as selected,
            (select count(*) from added)::int as inserted,
            (select count(*) from replaced)::int as deleted`,
      counts: 'replace',
    },
  ]
}

function incrementalStatements(
  model: Model,
  columns: string[],
  existing: ExistingRelation,
  previous: ExistingRelation | null,
): Statement[] {
  const key = model.uniqueKey as string
  const others = columns.filter((column) => column !== key)
  const target = qualified(model)
  return [
    // Tables built before the engine kept _run_id get it (a catalog change, no rewrite).
    ...(existing.names.has('_run_id') ? [] : [ddl(`alter table ${target} add column _run_id text`)]),
    ...computedColumnsSql(model, existing),
    ...incrementalIndexes(model),
    ...previousVersionsSetup(model, columns, previous),
    {
      // The previous versions are read in the merge's own snapshot: the rows before it. Each
      // is looked up by the unique key's index (`limit 1` keeps the lookup a subquery of its
      // own): as a join, PostgreSQL hashed the whole table, 0.5 s in fct_orders at scale 1000
      // to find the 1,353 orders of one day.
      sql: `with model_rows as (\n${selectOf(model)}\n),${
        model.keepsPreviousVersions
          ? `
     previous as (
       ${savePrevious(
         model,
         columns,
         `from model_rows as m
       cross join lateral (select * from ${target} where ${q(key)} = m.${q(key)} limit 1) as t
       where (${list(others, 't.')}) is distinct from (${list(others, 'm.')})`,
       )}
     ),`
          : ''
      }
     merged as (
       insert into ${target} as t (${list(columns)}, _run_id)
       select ${list(columns)}, ${RUN_ID} from model_rows
       on conflict (${q(key)}) do update
         set ${[...others, '_run_id'].map((column) => `${q(column)} = excluded.${q(column)}`).join(', ')}
         where (${list(others, 't.')}) is distinct from (${list(others, 'excluded.')})
       returning (xmax = 0) as inserted
     )
     select (select count(*) from model_rows)::int as selected,
            count(*) filter (where inserted)::int as inserted,
            count(*) filter (where not inserted)::int as updated
     from merged`,
      counts: 'merge',
    },
    // A row published by an earlier run whose new version this run rejected leaves the
    // warehouse: it is quarantined for correction, and the warehouse holds only accepted rows.
    // The unique key holds the published table's natural key; the verdicts' text form is cast
    // to the key's type, so the key's index finds the rows (casting every row's key to text
    // read all of fct_order_lines: 1.5 s at scale 1000, against 3 ms).
    ...(model.publishes
      ? [
          {
            sql: keepingPrevious(
              model,
              columns,
              `delete from ${target} as t
           where t.${q(key)} in (
             select v.natural_key::${existing.typeNames.get(key) as string} from dq.verdicts as v
             where v.run_id = ${RUN_ID} and v.table_name = ${quoteLiteral(model.publishes)} and v.verdict = 'reject')`,
            ),
            counts: 'deleted' as const,
          },
        ]
      : []),
    ...model.refreshes.map((refresh): Statement => {
      const changed = `where s.${q(refresh.by)} = t.${q(refresh.by)} and s._run_id = ${RUN_ID}${
        refresh.at ? `\n           and t.${q(refresh.at)} >= s.valid_from and t.${q(refresh.at)} < s.valid_to` : ''
      }
           and (${list(refresh.columns, 't.')}) is distinct from (${list(refresh.columns, 's.')})`
      const previous = model.keepsPreviousVersions
        ? `with previous as (\n${savePrevious(model, columns, `from ${target} as t, ${refresh.from} as s\n${changed}`)}\n)\n`
        : ''
      return {
        sql: `${previous}update ${target} as t
         set ${refresh.columns.map((column) => `${q(column)} = s.${q(column)}`).join(', ')}, _run_id = ${RUN_ID}
         from ${refresh.from} as s
         ${changed}`,
        counts: 'updated',
      }
    }),
    ...recomputeSql(model),
  ]
}

function scd2Statements(model: Model, columns: string[], create: boolean): Statement[] {
  const key = model.uniqueKey as string
  const surrogate = model.surrogateKey as string
  const attributes = columns.filter((column) => column !== CHANGED_AT)
  const tracked = attributes.filter((column) => column !== key)
  const target = qualified(model)
  // Created once; later builds leave the table's definition (and its readers) alone.
  const table = create
    ? [
        ddl(`create table ${target} as
       select null::uuid as ${q(surrogate)}, ${list(attributes)},
              null::timestamp as valid_from, null::timestamp as valid_to, null::boolean as is_current,
              null::text as _run_id
       from (\n${selectOf(model)}\n) as model_rows with no data`),
        ddl(`alter table ${target} alter column ${q(key)} set not null`),
        ddl(`create unique index ${q(`${model.table}__version`)} on ${target} (${q(key)}, valid_from)`),
        ddl(`create unique index ${q(`${model.table}__current`)} on ${target} (${q(key)}) where is_current`),
        runIdIndex(model, false),
      ]
    : []
  return [
    ...table,
    { sql: `create temporary table incoming on commit drop as\n${selectOf(model)}`, counts: 'selected' },
    // A version closes when the row's columns changed; its successor opens at the same instant.
    {
      sql: `update ${target} as t
       set valid_to = i.${CHANGED_AT}, is_current = false, _run_id = ${RUN_ID}
       from incoming as i
       where t.${q(key)} = i.${q(key)} and t.is_current and i.${CHANGED_AT} > t.valid_from
         and (${list(tracked, 't.')}) is distinct from (${list(tracked, 'i.')})`,
      counts: 'updated',
    },
    // The first version of a row is valid from the beginning of time, so all history links to it.
    {
      sql: `insert into ${target} (${q(surrogate)}, ${list(attributes)}, valid_from, valid_to, is_current, _run_id)
     select warehouse.surrogate_key(${quoteLiteral(model.table)}, i.${q(key)}::text || '|' || i.valid_from::text),
            ${list(attributes, 'i.')}, i.valid_from, 'infinity', true, ${RUN_ID}
     from (
       select incoming.*,
              case when exists (select 1 from ${target} as v where v.${q(key)} = incoming.${q(key)})
                   then incoming.${CHANGED_AT} else '-infinity'::timestamp end as valid_from
       from incoming
       where not exists (select 1 from ${target} as c where c.${q(key)} = incoming.${q(key)} and c.is_current)
     ) as i`,
      counts: 'inserted',
    },
  ]
}

async function isEmpty(sql: Sql | TransactionSql, model: Model): Promise<boolean> {
  const [row] = await sql.unsafe<{ empty: boolean }[]>(`select not exists (select 1 from ${qualified(model)}) as empty`)
  return row?.empty ?? true
}

/**
 * The statements that build the model, as the engine runs them (shown by `models compile`);
 * model-runner.ts adds a full refresh's drop and the statistics refresh after them.
 */
export async function compileModel(sql: Sql | TransactionSql, model: Model): Promise<Statement[]> {
  const existing = await existingRelation(sql, qualified(model))
  // A model that changed between view and table is dropped first: neither replaces the other.
  const replaced = existing !== null && (existing.kind === 'view') !== (model.materialized === 'view')
  const drop = replaced ? [ddl(`drop ${existing.kind} ${qualified(model)} cascade`)] : []
  if (model.materialized === 'view') {
    return [...drop, ddl(`create or replace view ${qualified(model)} as\n${selectOf(model)}`)]
  }
  const columns = await selectColumns(sql, model)
  return [...drop, ...(await storedStatements(sql, model, columns, replaced ? null : existing))]
}

async function storedStatements(
  sql: Sql | TransactionSql,
  model: Model,
  columns: Column[],
  existing: ExistingRelation | null,
): Promise<Statement[]> {
  const names = columns.map((column) => column.name)
  switch (model.materialized) {
    case 'table':
      return tableStatements(
        model,
        names,
        existing === null ? 'none' : sameColumns(existing.stored, columns) ? 'same' : 'different',
      )
    case 'incremental': {
      // Checked on an empty table too: its first build would insert into the columns it has.
      if (existing) {
        // Computed columns are the engine's to add or convert (computedColumnsSql).
        const computed = model.computed.map((column) => column.name)
        assertSameShape(
          model,
          names.filter((name) => !computed.includes(name)),
          existing.stored,
          ['_run_id', ...computed],
        )
      }
      const previous = model.keepsPreviousVersions ? await existingRelation(sql, previousTable(model)) : null
      if (existing === null) return initialIncrementalStatements(model, names, false, previous)
      if (await isEmpty(sql, model))
        return [...computedColumnsSql(model, existing), ...initialIncrementalStatements(model, names, true, previous)]
      if (model.partitionBy) return partitionStatements(model, names, existing)
      return incrementalStatements(model, names, existing, previous)
    }
    default: // scd2 (a view has no stored rows)
      if (!names.includes(CHANGED_AT)) {
        throw new ConfigurationError(`Model ${model.file}: an scd2 model's select needs a ${CHANGED_AT} column`)
      }
      if (existing) {
        assertSameShape(
          model,
          names.filter((name) => name !== CHANGED_AT),
          existing.stored,
          [model.surrogateKey as string, 'valid_from', 'valid_to', 'is_current', '_run_id'],
        )
      }
      return scd2Statements(model, names, existing === null)
  }
}

/** An incremental table keeps its rows across runs, so a changed column list must not pass unnoticed. */
function assertSameShape(model: Model, selected: string[], existing: Column[], engineColumns: string[]): void {
  const stored = existing.map((column) => column.name).filter((name) => !engineColumns.includes(name))
  const added = selected.filter((name) => !stored.includes(name))
  const removed = stored.filter((name) => !selected.includes(name))
  if (added.length > 0 || removed.length > 0) {
    throw new ConfigurationError(
      `Model ${model.file} no longer matches ${model.name}` +
        `${added.length ? `; new columns: ${added.join(', ')}` : ''}` +
        `${removed.length ? `; removed columns: ${removed.join(', ')}` : ''}` +
        '. Its rows come from past runs, so it cannot be rebuilt: change the table to match ' +
        '(alter table ... add or drop column); the runs that follow fill a new column as they touch rows.',
    )
  }
}
