// Versioned migrations for the pipeline's own schemas: numbered SQL files applied in order,
// all in one transaction (all or nothing), recorded in etl.schema_migrations with a checksum of
// their statements, so that an applied file whose SQL was edited afterwards is caught instead
// of silently diverging, while its comments may still be corrected.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { scan } from 'libpg-query'
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
        checksum: await statementsChecksum(sql),
      }
    }),
  )
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** `v2:` and the SHA-256 of the SQL's tokens less its comments: layout and comments do not count. */
export async function statementsChecksum(sql: string): Promise<string> {
  const { tokens } = await scan(sql)
  const statements = tokens.filter((token) => token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT')
  return `v2:${sha256(statements.map((token) => token.text).join(' '))}`
}

/**
 * Checksums of the whole text (the format before `v2:`) of migrations whose comments alone were
 * edited since: a database that applied them then is restamped, not refused.
 */
const WHOLE_TEXT_CHECKSUMS_BEFORE_COMMENT_EDITS = new Map<number, string>([
  [1, '07b66f37229329985593a9fd24d706fe8642fa12d88ab2f913260748f77dc4bb'],
  [6, 'ddc19e1c69a62732a60c9deae6792689762f2986cb4a25ee2bc79a5d05177082'],
  [9, '30c1609c8d35741dd9c19e2a0cbae7c0ab4aac320808c222f3aa646704e15a1a'],
  [10, '22020350e9e739b858efb374d1ef90bcd828c6d69a63e6e3226c8cbd55eeff33'],
  [12, '258db74c14b38056732cc1a7f2d4f0d6a2cf7e7c1112797e4cbfae76cd17000d'],
  [13, 'ef92cea6e72965d328bbf041909bcd577957930d2aac6494644ee900686b1bf4'],
  [14, 'e03f350cf453a2f39f78ee317a34e03509dce2243e55915aaf7086d42e70f080'],
  [15, '68b50c50da08aecf2ae0aac9a8d0fae9f9c7dae1981402539c28f0d8d3b6c5ba'],
])

/** Whether a checksum recorded in the whole-text format is of this migration's text or of its text before comment edits. */
function isWholeTextChecksumOf(recorded: string, migration: Migration): boolean {
  if (recorded.startsWith('v2:')) return false
  return (
    recorded === sha256(migration.sql) || recorded === WHOLE_TEXT_CHECKSUMS_BEFORE_COMMENT_EDITS.get(migration.version)
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
      if (checksum !== undefined && isWholeTextChecksumOf(checksum, migration)) {
        await tx`update etl.schema_migrations set checksum = ${migration.checksum} where version = ${migration.version}`
        continue
      }
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
