// table: rebuilt on every build. Readers see the old or the new rows, never half (one
// transaction), and views that read the table keep working when its columns stay the same
// (truncated and refilled, not dropped).

import type { Model } from '../model-file.ts'
import { ddl, list, qualified, type Statement, selectOf } from '../sql.ts'

/** What the build finds: no table, a table with the columns the select returns, or another one. */
export type ExistingTable = 'none' | 'same' | 'different'

export function tableStatements(model: Model, columns: string[], existing: ExistingTable): Statement[] {
  const create = [{ sql: `create table ${qualified(model)} as\n${selectOf(model)}`, counts: 'inserted' as const }]
  if (existing === 'none') return create
  if (existing === 'different') return [ddl(`drop table ${qualified(model)} cascade`), ...create]
  return [
    ddl(`truncate ${qualified(model)}`),
    { sql: `insert into ${qualified(model)} (${list(columns)})\n${selectOf(model)}`, counts: 'inserted' },
  ]
}
