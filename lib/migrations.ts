// Versioned migrations for the pipeline's own schemas: numbered SQL files applied in order,
// all in one transaction (all or nothing), recorded in etl.schema_migrations with a checksum so that an
// applied file that was edited afterwards is caught instead of silently diverging.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Sql } from './db.ts'
import { ConfigurationError } from './errors.ts'
import { migrationsDir } from './paths.ts'

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort()
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8')
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      }
    }),
  )
}

// Any fixed number: it serializes concurrent workers applying migrations at start-up.
const MIGRATION_LOCK_ID = 7_233_001

/** Applies the migrations not yet applied. Returns the names of those applied now. */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations())
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`
    await tx`create schema if not exists etl`
    await tx`
      create table if not exists etl.schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now()
      )`
    const applied = new Map(
      (await tx<{ version: number; checksum: string }[]>`select version, checksum from etl.schema_migrations`).map(
        (row) => [row.version, row.checksum],
      ),
    )
    const appliedNow: string[] = []
    for (const migration of all) {
      const checksum = applied.get(migration.version)
      if (checksum === migration.checksum) continue
      if (checksum !== undefined) {
        throw new ConfigurationError(
          `Migration ${migration.name} was changed after it was applied; add a new migration instead`,
        )
      }
      await tx.unsafe(migration.sql)
      await tx`
        insert into etl.schema_migrations (version, name, checksum)
        values (${migration.version}, ${migration.name}, ${migration.checksum})`
      appliedNow.push(migration.name)
    }
    return appliedNow
  })
}
