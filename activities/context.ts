// What every activity needs, created once per worker process and passed in.
import type { Config } from '../lib/config.ts'
import type { Sql } from '../lib/db.ts'
import type { Model } from '../lib/models.ts'
import type { ObjectStore } from '../lib/object-store.ts'
import type { Rule } from '../lib/quality/rules.ts'

export interface ActivityContext {
  config: Config
  /** The pipeline's own database (staging, clean, dq, warehouse, marts, etl). */
  warehouse: Sql
  /** The POS database, read only. */
  source: Sql
  store: ObjectStore
  models: Model[]
  rules: Rule[]
}
