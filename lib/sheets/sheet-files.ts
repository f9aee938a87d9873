// Finding the sheet files to ingest, in a local folder and under a landing prefix in the object
// store: objects are downloaded to temporary files, so the spreadsheet reader works on files either way.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { ObjectStore } from '../object-store.ts'

export interface SheetFile {
  /** Where the file came from, as recorded and shown in errors: its name in the folder, or s3://bucket/key. */
  name: string
  /** A local path to read. */
  path: string
  checksum: string
}

/** Workbooks (.xlsx) hold every sheet; a CSV holds one and is named after it (stock_count_2024-11.csv). */
function holdsSheet(fileName: string, sheet: string): boolean {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.xlsx')) return true
  return lower.endsWith('.csv') && lower.startsWith(sheet.toLowerCase())
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * The files that may hold `sheet`, sorted by name. `release` removes downloaded copies.
 */
export async function findSheetFiles(
  sheet: string,
  dir: string,
  store: ObjectStore,
  landingPrefix: string,
): Promise<{ files: SheetFile[]; release: () => Promise<void> }> {
  const files: SheetFile[] = []
  if (existsSync(dir)) {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isFile() || !holdsSheet(entry.name, sheet)) continue
      const full = path.join(dir, entry.name)
      files.push({ name: entry.name, path: full, checksum: await sha256File(full) })
    }
  }
  const downloads = await mkdtemp(path.join(tmpdir(), 'paccafe-landing-'))
  const release = () => rm(downloads, { recursive: true, force: true })
  try {
    const keys: string[] = []
    for await (const item of store.client.listObjectsV2(store.bucket, landingPrefix, true)) {
      if (item.name && holdsSheet(path.basename(item.name), sheet)) keys.push(item.name)
    }
    for (const key of keys.sort()) {
      // One folder per object keeps its own file name, which errors quote.
      const folder = path.join(downloads, String(files.length))
      await mkdir(folder)
      const local = path.join(folder, path.basename(key))
      await pipeline(await store.client.getObject(store.bucket, key), createWriteStream(local))
      files.push({ name: `s3://${store.bucket}/${key}`, path: local, checksum: await sha256File(local) })
    }
  } catch (error) {
    await release()
    throw error
  }
  return { files, release }
}
