// The quarantine in the object store: one NDJSON object per run, table and rule with the rows held
// back (or nullified), and a manifest per run and table; deterministic, so a retry rewrites the same bytes.
import { Readable } from 'node:stream'
import type { Sql } from '../db.ts'
import { type ObjectStore, putJson, readText, uploadStream } from '../object-store.ts'

export interface QuarantineObject {
  rule: string
  severity: string
  column?: string
  objectKey: string
  rowCount: number
  sha256: string
}

export function quarantinePrefix(runId: string, tableName: string): string {
  return `quarantine/run=${runId}/table=${tableName}`
}

export function quarantineObjectKey(runId: string, tableName: string, rule: string): string {
  return `${quarantinePrefix(runId, tableName)}/rule=${rule}.jsonl`
}

/**
 * Streams the rows of `linesQuery` (one column `line`, a JSON document per row, in a stable
 * order) into `objectKey`, through a cursor: never all rows in memory.
 */
export async function archiveLines(sql: Sql, store: ObjectStore, objectKey: string, linesQuery: string) {
  const cursor = sql.unsafe<{ line: string }[]>(linesQuery).cursor(500)
  const body = Readable.from(
    (async function* () {
      for await (const rows of cursor) for (const row of rows) yield `${row.line}\n`
    })(),
  )
  return uploadStream(store, objectKey, body, 'application/x-ndjson')
}

interface ManifestEntry {
  object_key: string
  rule: string
  severity: string
  column: string | null
  row_count: number
  sha256: string
}

/**
 * The run and table's manifest.json lists every quarantine object. Ingestion (parse failures)
 * and validation (rules) both add to it: entries are merged by object key, so either step can
 * run, or run again, without dropping the other's objects.
 */
export async function writeManifest(
  store: ObjectStore,
  runId: string,
  tableName: string,
  objects: QuarantineObject[],
): Promise<void> {
  if (objects.length === 0) return
  const key = `${quarantinePrefix(runId, tableName)}/manifest.json`
  const added: ManifestEntry[] = objects.map((object) => ({
    object_key: object.objectKey,
    rule: object.rule,
    severity: object.severity,
    column: object.column ?? null,
    row_count: object.rowCount,
    sha256: object.sha256,
  }))
  const kept = (await readManifest(store, key)).filter((entry) => !added.some((a) => a.object_key === entry.object_key))
  const entries = [...kept, ...added].sort((a, b) => a.object_key.localeCompare(b.object_key))
  await putJson(store, key, { run_id: runId, table: tableName, objects: entries })
}

async function readManifest(store: ObjectStore, key: string): Promise<ManifestEntry[]> {
  try {
    return (JSON.parse(await readText(store, key)) as { objects: ManifestEntry[] }).objects
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') return []
    throw error
  }
}
