// scd2: a new version (valid_from, valid_to, is_current) of a row when its columns change; the
// select returns the current attributes and when the change was seen (changed_at).
import { quoteIdentifier as q, quoteLiteral } from '../../sql-text.ts'
import type { Model } from '../model-file.ts'
import { ddl, list, qualified, RUN_ID, type Statement, selectOf } from '../sql.ts'
import { runIdIndex } from './index-policy.ts'

/** The column of an scd2 model's select that says when the change was seen. */
export const CHANGED_AT = 'changed_at'

/** The columns the engine adds to an scd2 model's select: the version's key and validity, and the run. */
export const scd2EngineColumns = (model: Model) => [
  model.surrogateKey as string,
  'valid_from',
  'valid_to',
  'is_current',
  '_run_id',
]

export function scd2Statements(model: Model, columns: string[], create: boolean): Statement[] {
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
