// Records a workflow's history from the Temporal server as a replay-test fixture
// (tests/integration/replay.test.ts replays every fixture against the current workflow code;
// docs/workflows.md, "Replay tests", says when to record one).
//
//   node --import tsx scripts/record-history.ts <workflow-id> [--run-id <id>] --name <name> [--force]
//
// It connects as the project does (lib/config.ts, lib/temporal.ts: the PACCAFE_* variables and
// .env), fetches the history of a closed execution and writes tests/fixtures/histories/<name>.json:
// { workflowId, runId, workflowType, status, history }, the history in the ProtoJSON form that
// Temporal's tools (`temporal workflow show --output json`, historyToJSON) write, formatted by
// biome. A history holding the S3 secret key or a database password, in any text or payload, is
// refused. An existing fixture is not overwritten without --force: old fixtures prove that old
// histories still replay.
//
// Why not historyToJSON / historyFromJSON of @temporalio/common: npm installs protobufjs 8 once
// under @temporalio/common and again under @temporalio/proto (protobufjs 7 of @grpc/proto-loader
// holds the top level), and these two functions then throw "type must be a Type". The two below
// do the same with the protobufjs copy the history types belong to.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { History } from '@temporalio/worker'
import { loadConfig, loadDotEnv } from '../lib/config.ts'
import { projectRoot } from '../lib/paths.ts'
import { connectClient } from '../lib/temporal.ts'

interface ProtoType {
  fromObject(object: unknown): unknown
}
const require = createRequire(import.meta.url)
const protoRoot = require('@temporalio/proto') as { lookupType(name: string): ProtoType }
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  toJson(type: ProtoType, message: unknown): unknown
  fromJson(type: ProtoType, json: unknown, options: { ignoreUnknownFields: boolean }): unknown
}
const historyType = protoRoot.lookupType('temporal.api.history.v1.History')

/** A history as ProtoJSON (int64 as strings, enums by name, timestamps as RFC 3339). */
export function historyToJson(history: History): { events: unknown[] } {
  return protojson.toJson(historyType, historyType.fromObject(history)) as { events: unknown[] }
}

/** A ProtoJSON history as the History message Worker.runReplayHistory takes. */
export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History
}

/** Every string in a value, base64 payload data decoded too, so that a secret is found wherever it is. */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value, Buffer.from(value, 'base64').toString('utf8')]
  if (Array.isArray(value)) return value.flatMap(textsOf)
  if (value && typeof value === 'object') return Object.values(value).flatMap(textsOf)
  return []
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'run-id': { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } },
  })
  const [workflowId] = positionals
  const name = values.name
  if (!workflowId || !name || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    console.error('usage: record-history.ts <workflow-id> [--run-id <id>] --name <kebab-case-name> [--force]')
    process.exit(2)
  }
  const file = path.join(projectRoot, 'tests', 'fixtures', 'histories', `${name}.json`)
  if (existsSync(file) && !values.force) {
    console.error(`${path.relative(projectRoot, file)} exists: record beside it under a new name (or --force)`)
    process.exit(1)
  }

  loadDotEnv()
  const config = loadConfig()
  const client = await connectClient(config)
  try {
    const handle = client.workflow.getHandle(workflowId, values['run-id'])
    const description = await handle.describe()
    if (description.status.name === 'RUNNING') throw new Error(`${workflowId} is still running: record a closed run`)
    const history = historyToJson(await handle.fetchHistory())

    const secrets = [
      config.s3.secretKey,
      ...[config.sourceUrl, config.warehouseUrl].map((url) => decodeURIComponent(new URL(url).password)),
    ]
    const texts = textsOf(history)
    if (secrets.some((secret) => secret.length > 0 && texts.some((text) => text.includes(secret))))
      throw new Error(`the history of ${workflowId} holds a secret (S3 key or password): not written`)

    const fixture = {
      workflowId,
      runId: description.runId,
      workflowType: description.type,
      status: description.status.name,
      history,
    }
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, `${JSON.stringify(fixture, null, 2)}\n`)
    // Formatted as `npm run lint` wants it.
    execFileSync(path.join(projectRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
      stdio: 'ignore',
    })
    console.log(
      `${path.relative(projectRoot, file)}: ${history.events.length} events of ${workflowId} (${fixture.status})`,
    )
  } finally {
    await client.connection.close()
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
