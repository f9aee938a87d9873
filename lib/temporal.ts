// The Temporal client's connection, the names of runs and their workflow ids, and the Web UI's
// link to a run. Starting workflows is client/start-runs.ts's (it imports the workflows).
import { Client, Connection, type OperatorService } from '@temporalio/client'
import { SearchAttributeType } from '@temporalio/common'
import type { Config } from './config.ts'
import { type RunMode, WORKFLOW_ID_PREFIX } from './contract.ts'
import { ConfigurationError } from './errors.ts'
import { connectTemporal } from './preflight.ts'
import { PIPELINE_SEARCH_ATTRIBUTES, typeName } from './search-attributes.ts'

/** A client of the configured server; an unreachable server fails within seconds, in one line. */
export async function connectClient(config: Config): Promise<Client> {
  const connection = await connectTemporal(config, () =>
    Connection.connect({ address: config.temporal.address, connectTimeout: '5s' }),
  )
  return new Client({ connection, namespace: config.temporal.namespace })
}

/** TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW of temporal.api.enums.v1 (@temporalio/proto is not a direct dependency). */
const TASK_QUEUE_TYPE_WORKFLOW = 1

/**
 * A poller the server saw within this long is a live worker: an idle worker's long poll is
 * renewed every minute, while the server remembers the pollers of a dead one for minutes.
 */
const LIVE_POLLER_MS = 120_000

/** How many workers poll the task queue for workflow tasks now. */
export async function workflowPollerCount(client: Client, taskQueue: string, now = Date.now()): Promise<number> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  })
  return (response.pollers ?? []).filter((poller) => {
    const seconds = poller.lastAccessTime?.seconds
    return seconds === undefined || seconds === null || now - Number(seconds) * 1000 < LIVE_POLLER_MS
  }).length
}

/** A run id says when and how it ran: run-20261125T180102Z-full. */
export function newRunId(mode: RunMode | 'models' | 'reload', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
  return `run-${stamp}-${mode}`
}

/** Workflow ids are deterministic per run, so starting the same run twice cannot run it twice. */
export function workflowIdFor(runId: string): string {
  return `${WORKFLOW_ID_PREFIX}${runId}`
}

export function webUiRunUrl(config: Config, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`
}

/** temporal.api.enums.v1.IndexedValueType of the search attribute types the pipeline uses. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.BOOL]: 5,
  [SearchAttributeType.TEXT]: 1,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.DATETIME]: 6,
  [SearchAttributeType.KEYWORD_LIST]: 7,
}

/**
 * Registers the pipeline's search attributes (lib/search-attributes.ts) in the namespace when
 * missing: a workflow that sets an unregistered one cannot make progress. Returns those added.
 */
export async function registerSearchAttributes(
  operatorService: Pick<OperatorService, 'listSearchAttributes' | 'addSearchAttributes'>,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await operatorService.listSearchAttributes({ namespace })
  const missing = PIPELINE_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})))
  if (missing.length === 0) return []
  try {
    await operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    })
  } catch (error) {
    // Another worker starting at the same moment may have registered them first.
    const { customAttributes: now } = await operatorService.listSearchAttributes({ namespace })
    const stillMissing = missing.filter((key) => !(key.name in (now ?? {})))
    if (stillMissing.length === 0) return []
    const commands = stillMissing
      .map(
        (key) =>
          `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${typeName(key)}`,
      )
      .join('; ')
    throw new ConfigurationError(
      `The search attributes ${stillMissing.map((key) => key.name).join(', ')} are missing in namespace ${namespace} and could not be registered (${(error as Error).message}): run ${commands}`,
      { cause: error },
    )
  }
  return missing.map((key) => key.name)
}
