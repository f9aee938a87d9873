// What every activity needs, created once per worker process and passed in.
import type { Client } from '@temporalio/client'
import type { Config } from '../lib/config.ts'
import { connect, type Sql } from '../lib/db.ts'
import { deploymentOf } from '../lib/deployment.ts'
import { migrate } from '../lib/migrations.ts'
import { loadModels } from '../lib/model-engine/graph.ts'
import type { Model } from '../lib/model-engine/model-file.ts'
import { createObjectStore, type ObjectStore } from '../lib/object-store.ts'
import { preflight } from '../lib/preflight.ts'
import { loadCatalogue, type Rule, type TableCheck } from '../lib/quality/rules.ts'
import { connectClient } from '../lib/temporal.ts'

export interface ActivityContext {
  config: Config
  /** The pipeline's own database (staging, clean, dq, warehouse, marts, etl). */
  warehouse: Sql
  /** The POS database, read only. */
  source: Sql
  store: ObjectStore
  models: Model[]
  rules: Rule[]
  /** The tables' volume and freshness checks, declared beside the rules. */
  tableChecks: TableCheck[]
  /** The warehouse's identity (lib/deployment.ts): a worker refuses the activities of another's runs. */
  deployment: string
  /** A Temporal client, connected on first use (notify describes schedules), closed with the context. */
  temporalClient: LazyClient
}

export interface LazyClient {
  (): Promise<Client>
  close(): Promise<void>
}

/**
 * The databases and the bucket the activities use, each reached once first (the bucket is
 * created when missing), so a wrong address or credential stops the worker with one line.
 */
export async function createActivityContext(config: Config): Promise<ActivityContext> {
  const store = createObjectStore(config.s3)
  await preflight(config, ['warehouse', 'source', 's3'], { store })
  const warehouse = connect(config.warehouseUrl, { name: 'paccafe-worker', max: 6 })
  const source = connect(config.sourceUrl, { name: 'paccafe-extract', max: 4, readOnly: true })
  let deployment: string
  try {
    await migrate(warehouse)
    deployment = await deploymentOf(warehouse)
  } catch (error) {
    await Promise.all([warehouse.end({ timeout: 0 }), source.end({ timeout: 0 })])
    throw error
  }
  const { rules, tableChecks } = await loadCatalogue()
  return {
    config,
    warehouse,
    source,
    store,
    models: await loadModels(),
    rules,
    tableChecks,
    deployment,
    temporalClient: lazyClient(config),
  }
}

/** Most workers never need a client: it connects on first use, and again after a failed try. */
export function lazyClient(config: Config): LazyClient {
  let client: Promise<Client> | undefined
  const get = () => {
    if (!client) {
      const connecting = connectClient(config)
      connecting.catch(() => {
        if (client === connecting) client = undefined
      })
      client = connecting
    }
    return client
  }
  const close = async () => {
    const connecting = client
    client = undefined
    const connected = await connecting?.catch(() => undefined)
    await connected?.connection.close()
  }
  return Object.assign(get, { close })
}

/** Closes the pools; a query still running (an activity given up on) is cut after `timeoutSeconds`. */
export async function closeActivityContext(context: ActivityContext, timeoutSeconds = 5): Promise<void> {
  await Promise.all([
    context.warehouse.end({ timeout: timeoutSeconds }),
    context.source.end({ timeout: timeoutSeconds }),
    context.temporalClient.close(),
  ])
}
