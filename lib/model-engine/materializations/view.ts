// view: replaced in place; its rows are read through it, so there is nothing else to build.

import type { Model } from '../model-file.ts'
import { ddl, qualified, type Statement, selectOf } from '../sql.ts'

export function viewStatements(model: Model): Statement[] {
  return [ddl(`create or replace view ${qualified(model)} as\n${selectOf(model)}`)]
}
