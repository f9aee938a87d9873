// Migrations against a real PostgreSQL: applied once, in order; an applied migration whose SQL
// changed is refused, while an edit of its comments is not; a database whose checksums are of
// the earlier whole-text format is restamped.
import { createHash } from 'node:crypto'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { connect, dropDatabase, ensureDatabase, type Sql } from '../../lib/db.ts'
import { ConfigurationError } from '../../lib/errors.ts'
import { migrate, readMigrations, statementsChecksum } from '../../lib/migrations.ts'
import { testConfig, uniqueTestId } from '../support/harness.ts'

const { warehouseUrl } = testConfig(uniqueTestId('migrations'))
let sql: Sql | undefined

async function freshDatabase(): Promise<Sql> {
  await sql?.end()
  await dropDatabase(warehouseUrl)
  await ensureDatabase(warehouseUrl)
  sql = connect(warehouseUrl, { max: 1 })
  return sql
}

const recorded = async (db: Sql) =>
  new Map(
    (await db<{ version: number; checksum: string }[]>`select version, checksum from etl.schema_migrations`).map(
      (row) => [row.version, row.checksum],
    ),
  )

describe('migrations', () => {
  let db: Sql
  beforeEach(async () => {
    db = await freshDatabase()
  })
  afterAll(async () => {
    await sql?.end()
    await dropDatabase(warehouseUrl)
  })

  it('are applied once, every file in order', async () => {
    const migrations = await readMigrations()
    expect(await migrate(db)).toEqual(migrations.map((migration) => migration.name))
    expect(await migrate(db)).toEqual([])
    expect([...(await recorded(db)).keys()].sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version))
  })

  it('refuse an applied migration whose statements changed, and accept one whose comments changed', async () => {
    const migrations = await readMigrations()
    await migrate(db, migrations)
    const last = migrations.at(-1)
    if (!last) throw new Error('no migrations')
    const withComment = { ...last, sql: `-- a corrected comment\n/* and another */\n${last.sql}\n-- the end\n` }
    withComment.checksum = await statementsChecksum(withComment.sql)
    expect(await migrate(db, [...migrations.slice(0, -1), withComment])).toEqual([])

    const changedSql = `${last.sql}\nselect 1;`
    const changed = { ...last, sql: changedSql, checksum: await statementsChecksum(changedSql) }
    const refused = migrate(db, [...migrations.slice(0, -1), changed])
    await expect(refused).rejects.toThrow(ConfigurationError)
    await expect(refused).rejects.toThrow(`Migration ${last.name} was changed after it was applied`)
  })

  it('restamp checksums recorded in the whole-text format, of the text or of its text before comment edits', async () => {
    const migrations = await readMigrations()
    await migrate(db, migrations)
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
    // As a database migrated before statement checksums holds them: 0012's text was then longer.
    await db`update etl.schema_migrations set checksum = ${'258db74c14b38056732cc1a7f2d4f0d6a2cf7e7c1112797e4cbfae76cd17000d'} where version = 12`
    const unedited = migrations.find((migration) => migration.version === 2)
    if (!unedited) throw new Error('no migration 0002')
    await db`update etl.schema_migrations set checksum = ${sha256(unedited.sql)} where version = 2`

    expect(await migrate(db, migrations)).toEqual([])
    const after = await recorded(db)
    for (const migration of migrations) expect(after.get(migration.version)).toBe(migration.checksum)

    // A whole-text checksum of some other text is a changed migration.
    await db`update etl.schema_migrations set checksum = ${sha256('select 1')} where version = 2`
    await expect(migrate(db, migrations)).rejects.toThrow('was changed after it was applied')
  })
})
