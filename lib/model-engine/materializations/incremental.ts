// incremental: the table keeps its rows across runs. Merged on its unique key: unchanged rows
// are left alone, so a second run on the same input changes nothing; `_run_id` says which run
// last wrote a row, and `refresh` headers then copy columns from rows other models changed in
// this run. A model that publishes a source table drops the rows whose new version this run
// rejected. Partitioned instead (`partition_by`): each partition the select returns replaces
// that partition's rows, so a partition rebuilt from the same input ends as it was.
import { quoteIdentifier as q, quoteLiteral } from '../../sql-text.ts'
import type { ExistingRelation, RelationDescription } from '../catalog.ts'
import type { Model } from '../model-file.ts'
import { ddl, list, qualified, RUN_ID, type Statement, selectOf } from '../sql.ts'
import { computedColumnsSql, recomputeSql } from './computed-columns.ts'
import { incrementalIndexes, partitionIndex } from './index-policy.ts'
import { keepingPrevious, previousVersionsSetup, savePrevious } from './previous-versions.ts'

/** The column an incremental model's rows are matched on: its unique key, or its partition. */
const keyOf = (model: Model) => (model.partitionBy ?? model.uniqueKey) as string

/**
 * Tells the model's SQL that this is its first build (etl.is_first_build()), for the rest of
 * the build's transaction: a partitioned model then reads every partition, not only those the
 * run touched.
 */
const firstBuildSetting = ddl(`select set_config('paccafe.first_build', 'on', true)`)

/**
 * The statements of an incremental model's build: a first build into a new or empty table, or
 * a merge (a partition replace) into the rows earlier runs left.
 */
export function incrementalBuild(
  model: Model,
  columns: string[],
  existing: RelationDescription,
  previous: RelationDescription,
): Statement[] {
  if (!existing.exists) return initialIncrementalStatements(model, columns, false, previous)
  if (existing.empty)
    return [...computedColumnsSql(model, existing), ...initialIncrementalStatements(model, columns, true, previous)]
  if (model.partitionBy) return partitionStatements(model, columns, existing)
  return incrementalStatements(model, columns, existing, previous)
}

/**
 * The first build of an incremental table (new or empty): the rows, then the indexes. Nothing
 * to merge, no rejected update to remove, and every row already reads the current dimensions,
 * so there is nothing to refresh. A new table is made by `create table ... as select`, which
 * PostgreSQL can run in parallel, unlike an insert; its key (or partition column) is then set
 * NOT NULL, one scan of the new table.
 */
function initialIncrementalStatements(
  model: Model,
  columns: string[],
  exists: boolean,
  previous: RelationDescription,
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
  previous: RelationDescription,
): Statement[] {
  const key = model.uniqueKey as string
  const others = columns.filter((column) => column !== key)
  const target = qualified(model)
  const keyType = existing.columns.find((column) => column.name === key)?.typeName as string
  return [
    // Tables built before the engine kept _run_id get it (a catalog change, no rewrite).
    ...(existing.columns.some((column) => column.name === '_run_id')
      ? []
      : [ddl(`alter table ${target} add column _run_id text`)]),
    ...computedColumnsSql(model, existing),
    ...incrementalIndexes(model),
    ...previousVersionsSetup(model, columns, previous),
    {
      // The previous versions are read in the merge's own snapshot: the rows before it. Each
      // is looked up by the unique key's index (`limit 1` keeps the lookup a subquery of its
      // own): as a join, PostgreSQL hashed the whole table to find the few rows a run changed.
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
    // instead would read the whole table).
    ...(model.publishes
      ? [
          {
            sql: keepingPrevious(
              model,
              columns,
              `delete from ${target} as t
           where t.${q(key)} in (
             select v.natural_key::${keyType} from dq.verdicts as v
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
