// Builds one model's table inside one transaction: introspect its relations (catalog.ts), plan
// the statements of its materialization (plan.ts), run them and count what they did for
// etl.steps. A retry after a crash starts from the committed state, so it gives the same table.
import { refreshStatistics, type Sql, type TransactionSql } from '../db.ts'
import { ConfigurationError } from '../errors.ts'
import { introspect } from './catalog.ts'
import type { Model } from './model-file.ts'
import { planStatements } from './plan.ts'
import { qualified, type Statement } from './sql.ts'

/**
 * The statistics target of the ANALYZE after a build, below PostgreSQL's default. These
 * statistics serve the next models' plans (row counts, distinct keys, null shares), which a
 * smaller sample gives as well, and sorting the larger sample for every column was a large
 * share of a full build. Run ANALYZE on a table for finer statistics.
 */
const BUILD_STATISTICS_TARGET = 30

/**
 * The planner's price of passing a row from a parallel worker to the build's own process: a
 * tenth of the default. A first build writes every row it selects, and all of them pass to the
 * process that writes; at the default the planner kept every build in one process, though two
 * workers made the largest builds faster.
 */
const BUILD_PARALLEL_TUPLE_COST = '0.01'

/** What a model's build did, counted in rows of its select. */
export interface ModelBuildResult {
  model: string
  rowsSelected: number
  rowsInserted: number
  rowsUpdated: number
  rowsUnchanged: number
  rowsDeleted: number
}

export interface ModelSettings {
  runId: string
  /** The cafe's local time zone; models read it through etl.local_time_zone(). */
  timezone: string
}

/** The statements that build the model now, from its relations as the transaction sees them (`models compile` prints them). */
export async function compileModel(sql: Sql | TransactionSql, model: Model): Promise<Statement[]> {
  const { existing, selected, previousVersions } = await introspect(sql, model)
  return planStatements(model, existing, selected, previousVersions)
}

export async function buildModel(
  sql: Sql,
  model: Model,
  settings: ModelSettings,
  options: { fullRefresh?: boolean } = {},
): Promise<ModelBuildResult> {
  if (options.fullRefresh && (model.materialized === 'incremental' || model.materialized === 'scd2')) {
    // Its rows (and an scd2 model's history) came from the batches of past runs; a run reads
    // only its own, so dropping the table would leave it empty.
    throw new ConfigurationError(
      `${model.name} is ${model.materialized}: its rows come from the batches of past runs, which a rebuild ` +
        'cannot read again, so a full refresh would empty it. Only table models are rebuilt from scratch.',
    )
  }
  return sql.begin(async (tx) => {
    await tx`select set_config('paccafe.run_id', ${settings.runId}, true),
                    set_config('paccafe.timezone', ${settings.timezone}, true),
                    set_config('parallel_tuple_cost', ${BUILD_PARALLEL_TUPLE_COST}, true)`
    // One builder of a given model at a time, even across workers.
    await tx`select pg_advisory_xact_lock(hashtext(${model.name}))`
    if (options.fullRefresh && model.materialized === 'table') {
      await tx.unsafe(`drop table if exists ${qualified(model)} cascade`)
    }
    const statements = await compileModel(tx, model)
    const counts = { selected: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0 }
    for (const statement of statements) {
      const result = await tx.unsafe(statement.sql)
      if (statement.counts === 'merge') {
        const [merged] = result as unknown as { selected: number; inserted: number; updated: number }[]
        if (!merged) throw new Error(`The merge of ${model.name} returned no counts`)
        counts.selected += merged.selected
        counts.inserted += merged.inserted
        counts.updated += merged.updated
        counts.unchanged += merged.selected - merged.inserted - merged.updated
      } else if (statement.counts === 'replace') {
        const [replaced] = result as unknown as { selected: number; inserted: number; deleted: number }[]
        if (!replaced) throw new Error(`The partition replace of ${model.name} returned no counts`)
        counts.selected += replaced.selected
        counts.inserted += replaced.inserted
        counts.deleted += replaced.deleted
      } else if (statement.counts) {
        counts[statement.counts] += result.count
      }
    }
    if (model.materialized !== 'view') {
      await refreshStatistics(tx, qualified(model), counts.inserted + counts.updated + counts.deleted, {
        statisticsTarget: BUILD_STATISTICS_TARGET,
      })
    }
    // A rebuilt table or a first build selected exactly what it inserted.
    if (model.materialized !== 'scd2' && counts.selected === 0) counts.selected = counts.inserted
    // scd2: an input row is unchanged unless it opened a version (a changed row also closed one).
    if (model.materialized === 'scd2') counts.unchanged = counts.selected - counts.inserted
    return {
      model: model.name,
      rowsSelected: counts.selected,
      rowsInserted: counts.inserted,
      rowsUpdated: counts.updated,
      rowsUnchanged: counts.unchanged,
      rowsDeleted: counts.deleted,
    }
  })
}
