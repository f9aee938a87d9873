// Previous versions (header `previous_versions: kept`): the versions of an incremental model's
// rows that a run replaced or removed, kept in <table>__previous for the models that sum them.
import { quoteIdentifier as q } from '../../sql-text.ts'
import { previousVersionsTable, type RelationDescription } from '../catalog.ts'
import { type Model, PREVIOUS_VERSIONS_SUFFIX } from '../model-file.ts'
import { ddl, list, qualified, RUN_ID, type Statement } from '../sql.ts'

/**
 * The table of a model's previous row versions: the model's columns, and the run that replaced
 * them. It holds one run's versions: a build clears those of other runs, and a build the same
 * run repeats keeps what the first one saved (it replaces nothing more). It is made again when
 * it is missing or its columns are no longer the model's (a column added to the model's table),
 * since a version of other columns could not be saved in it.
 */
export function previousVersionsSetup(model: Model, columns: string[], previous: RelationDescription): Statement[] {
  if (!model.keepsPreviousVersions) return []
  const table = previousVersionsTable(model)
  const expected = [...columns, '_run_id', '_replaced_in']
  const names = new Set(previous.exists ? previous.columns.map((column) => column.name) : [])
  if (previous.exists && names.size === expected.length && expected.every((name) => names.has(name))) {
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
export const savePrevious = (model: Model, columns: string[], source: string) =>
  `insert into ${previousVersionsTable(model)} (${list(columns)}, _run_id, _replaced_in)
       select * from (select ${list(columns, 't.')}, t._run_id, ${RUN_ID} as _replaced_in ${source}) as v
       where not exists (select 1 from ${previousVersionsTable(model)} as p
                         where p._replaced_in = ${RUN_ID} and p.${q(model.uniqueKey as string)} = v.${q(model.uniqueKey as string)})`

/** A delete from the model's table (aliased t) that first saves the rows it removes. */
export const keepingPrevious = (model: Model, columns: string[], deletion: string) =>
  model.keepsPreviousVersions
    ? `with removed as (\n${deletion}\n returning t.*)\n${savePrevious(model, columns, 'from removed as t')}`
    : deletion
