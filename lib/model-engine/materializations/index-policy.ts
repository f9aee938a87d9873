// The indexes the engine keeps on the tables it builds: which columns, of which kind, and when
// one it built before is dropped.
import { quoteIdentifier as q } from '../../sql-text.ts'
import type { Model } from '../model-file.ts'
import { ddl, qualified, type Statement } from '../sql.ts'

/**
 * The index that finds the rows a run wrote. Every lookup asks for the current run, the latest
 * (run ids sort by time), and a run's inserts and new row versions land in the pages with free
 * space, mostly at the table's end: a BRIN index, a min and max per range of pages, finds
 * them as a B-tree would, and is far smaller and cheaper to build and keep. Tables built with a
 * B-tree keep it.
 */
export const runIdIndex = (model: Model, ifNotExists: boolean) =>
  ddl(
    `create index ${ifNotExists ? 'if not exists ' : ''}${q(`${model.table}__run_id`)} on ${qualified(model)}
       using brin (_run_id) with (autosummarize = on)`,
  )

/**
 * The unique key's, _run_id's, and the refresh keys' indexes; an index on a key now `unindexed`
 * is dropped (why a key goes unindexed: Refresh in model-file.ts).
 */
export function incrementalIndexes(model: Model): Statement[] {
  const target = qualified(model)
  const indexed = new Set(model.refreshes.filter((refresh) => refresh.indexed).map((refresh) => refresh.by))
  const unindexed = new Set(model.refreshes.map((refresh) => refresh.by).filter((by) => !indexed.has(by)))
  const keyIndex = (by: string) => q(`${model.table}__${by}`)
  return [
    ddl(
      `create unique index if not exists ${q(`${model.table}__unique_key`)} on ${target} (${q(model.uniqueKey as string)})`,
    ),
    runIdIndex(model, true),
    ...[...indexed].map((by) => ddl(`create index if not exists ${keyIndex(by)} on ${target} (${q(by)})`)),
    ...[...unindexed].map((by) => ddl(`drop index if exists ${q(model.schema)}.${keyIndex(by)}`)),
  ]
}

/** A partitioned model's partition column: each build deletes its partitions by it. */
export const partitionIndex = (model: Model) =>
  ddl(
    `create index if not exists ${q(`${model.table}__partition`)} on ${qualified(model)} (${q(model.partitionBy as string)})`,
  )
