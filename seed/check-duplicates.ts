// `paccafe duplicates --scale N` and the benchmark: a demo POS of that size in databases of
// their own, its customers staged and grouped by the real activities and models, and the groups
// compared with the generator's ground truth of who is who.
import { MockActivityEnvironment } from '@temporalio/testing'
import { closeActivityContext, createActivityContext } from '../activities/context.ts'
import { createActivities } from '../activities/index.ts'
import { type Config, sourceAdminUrl, userName, withDatabaseName } from '../lib/config.ts'
import { connect, dropDatabase, ensureDatabase } from '../lib/db.ts'
import { compareWithTruth, type GroupingQuality } from '../lib/quality/duplicate-customers.ts'
import { newRunId } from '../lib/temporal.ts'
import { DEFAULT_GENERATOR_OPTIONS, generatePos, grantReader } from './generate-pos.ts'

/** The models that group duplicate customers, in build order (their time is the grouping's). */
export const GROUPING_MODELS = [
  'warehouse.int_customer_match_keys',
  'warehouse.customer_duplicate_pairs',
  'warehouse.int_customer_masters',
]

export interface DuplicatesCheck extends GroupingQuality {
  scale: number
  customers: number
  /** The grouping models' build time. */
  seconds: number
}

export async function checkDuplicates(
  base: Config,
  options: { scale: number; seed?: number; keep?: boolean },
): Promise<DuplicatesCheck> {
  const name = `paccafe_duplicates_${String(options.scale).replace('.', '_')}`
  const config: Config = {
    ...base,
    sourceUrl: withDatabaseName(base.sourceUrl, `${name}_pos`),
    warehouseUrl: withDatabaseName(base.warehouseUrl, `${name}_wh`),
  }
  const adminUrl = sourceAdminUrl(config)
  await Promise.all([dropDatabase(adminUrl), dropDatabase(config.warehouseUrl)])
  await Promise.all([ensureDatabase(adminUrl), ensureDatabase(config.warehouseUrl)])
  const admin = connect(adminUrl, { name: 'paccafe-duplicates', max: 1 })
  try {
    const generated = await generatePos(admin, {
      ...DEFAULT_GENERATOR_OPTIONS,
      scale: options.scale,
      seed: options.seed ?? DEFAULT_GENERATOR_OPTIONS.seed,
    })
    await grantReader(admin, userName(config.sourceUrl))
    const context = await createActivityContext(config)
    try {
      const activities = createActivities(context)
      const env = new MockActivityEnvironment()
      const runId = newRunId('full')
      await env.run(activities.startRun, { runId, workflowId: runId, mode: 'full' as const })
      await env.run(activities.extractPosTable, { runId, tableName: 'customers', mode: 'full' as const })
      await env.run(activities.runModel, { runId, model: 'clean.customers' })
      const started = performance.now()
      for (const model of GROUPING_MODELS) await env.run(activities.runModel, { runId, model })
      const seconds = (performance.now() - started) / 1000
      await env.run(activities.finishRun, { runId, status: 'succeeded' as const })
      const quality = await compareWithTruth(context.warehouse, admin)
      return { scale: options.scale, customers: generated.rows.customers ?? 0, seconds, ...quality }
    } finally {
      await closeActivityContext(context)
    }
  } finally {
    await admin.end()
    if (!options.keep) await Promise.all([dropDatabase(adminUrl), dropDatabase(config.warehouseUrl)])
  }
}

/** The one line `paccafe duplicates` prints. */
export function duplicatesLine(check: DuplicatesCheck): string {
  return (
    `duplicates scale=${check.scale} precision=${check.precision.toFixed(3)} recall=${check.recall.toFixed(3)} ` +
    `groups=${check.groups} seconds=${check.seconds.toFixed(2)}`
  )
}
