// Computed columns (header `computed`) of an existing table: converted, added, and evaluated
// again after a refresh changed their inputs. A new table gets them from its select (selectOf).
import { quoteIdentifier as q } from '../../sql-text.ts'
import type { ExistingRelation } from '../catalog.ts'
import type { Model } from '../model-file.ts'
import { computedValue, ddl, qualified, RUN_ID, type Statement } from '../sql.ts'

/**
 * Computed columns are plain columns the engine writes with the rest of the row (selectOf), so
 * a first build can be one `create table ... as select`, which PostgreSQL runs in parallel; a
 * generated column cannot be made that way. Tables built when they were generated columns keep
 * their values and become plain (no rewrite); a computed column new to an existing table is
 * added and filled once. Only what differs: an ALTER TABLE locks out the table's readers until
 * the build commits, even when it changes nothing.
 */
export function computedColumnsSql(model: Model, existing: ExistingRelation): Statement[] {
  const generated = new Set(existing.columns.filter((column) => column.generated).map((column) => column.name))
  const names = new Set(existing.columns.map((column) => column.name))
  return model.computed.flatMap((column) => {
    const target = qualified(model)
    if (generated.has(column.name)) {
      return [ddl(`alter table ${target} alter column ${q(column.name)} drop expression`)]
    }
    if (names.has(column.name)) return []
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
export function recomputeSql(model: Model): Statement[] {
  if (model.computed.length === 0 || model.refreshes.length === 0) return []
  const names = model.computed.map((column) => q(column.name))
  const values = model.computed.map(computedValue)
  return [
    ddl(`update ${qualified(model)}
     set ${names.map((name, i) => `${name} = ${values[i]}`).join(', ')}
     where _run_id = ${RUN_ID} and (${names.join(', ')}) is distinct from (${values.join(', ')})`),
  ]
}
