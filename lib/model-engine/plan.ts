// The statements that build a model, planned from what the catalog said about its relations
// (catalog.ts), with no database: the same inputs always give the same statements, which the
// golden tests (tests/unit/model-statements.test.ts) compare with the SQL the engine ran before.
import { ConfigurationError } from '../errors.ts'
import { ABSENT, type CatalogColumn, type RelationDescription, type SelectColumn } from './catalog.ts'
import { incrementalBuild } from './materializations/incremental.ts'
import { CHANGED_AT, scd2EngineColumns, scd2Statements } from './materializations/scd2.ts'
import { tableStatements } from './materializations/table.ts'
import { viewStatements } from './materializations/view.ts'
import type { Model } from './model-file.ts'
import { ddl, qualified, type Statement } from './sql.ts'

const sameColumns = (a: SelectColumn[], b: SelectColumn[]) =>
  a.length === b.length && a.every((column, i) => column.name === b[i]?.name && column.type === b[i]?.type)

/** The columns that hold the table's values: generated ones are the database's to fill. */
const storedColumns = (relation: RelationDescription): CatalogColumn[] =>
  relation.exists ? relation.columns.filter((column) => !column.generated) : []

/**
 * The statements that build the model, as the engine runs them (shown by `models compile`);
 * the runner adds a full refresh's drop before them and the statistics refresh after them.
 * `selected` is what the model's select returns (unused for a view), `previousVersions` the
 * model's table of previous versions (read only for a model that keeps them).
 */
export function planStatements(
  model: Model,
  existing: RelationDescription,
  selected: SelectColumn[],
  previousVersions: RelationDescription = ABSENT,
): Statement[] {
  // A model that changed between view and table is dropped first: neither replaces the other.
  const replaced = existing.exists && (existing.kind === 'view') !== (model.materialized === 'view')
  const drop = existing.exists && replaced ? [ddl(`drop ${existing.kind} ${qualified(model)} cascade`)] : []
  if (model.materialized === 'view') return [...drop, ...viewStatements(model)]
  return [...drop, ...storedStatements(model, selected, replaced ? ABSENT : existing, previousVersions)]
}

function storedStatements(
  model: Model,
  columns: SelectColumn[],
  existing: RelationDescription,
  previousVersions: RelationDescription,
): Statement[] {
  const names = columns.map((column) => column.name)
  switch (model.materialized) {
    case 'table':
      return tableStatements(
        model,
        names,
        !existing.exists ? 'none' : sameColumns(storedColumns(existing), columns) ? 'same' : 'different',
      )
    case 'incremental': {
      // Checked on an empty table too: its first build would insert into the columns it has.
      if (existing.exists) {
        // Computed columns are the engine's to add or convert (computed-columns.ts).
        const computed = model.computed.map((column) => column.name)
        assertSameShape(
          model,
          names.filter((name) => !computed.includes(name)),
          storedColumns(existing),
          ['_run_id', ...computed],
        )
      }
      return incrementalBuild(model, names, existing, previousVersions)
    }
    default: // scd2 (a view has no stored rows)
      if (!names.includes(CHANGED_AT)) {
        throw new ConfigurationError(`Model ${model.file}: an scd2 model's select needs a ${CHANGED_AT} column`)
      }
      if (existing.exists) {
        assertSameShape(
          model,
          names.filter((name) => name !== CHANGED_AT),
          storedColumns(existing),
          scd2EngineColumns(model),
        )
      }
      return scd2Statements(model, names, !existing.exists)
  }
}

/** An incremental table keeps its rows across runs, so a changed column list must not pass unnoticed. */
function assertSameShape(model: Model, selected: string[], existing: SelectColumn[], engineColumns: string[]): void {
  const stored = existing.map((column) => column.name).filter((name) => !engineColumns.includes(name))
  const added = selected.filter((name) => !stored.includes(name))
  const removed = stored.filter((name) => !selected.includes(name))
  if (added.length > 0 || removed.length > 0) {
    throw new ConfigurationError(
      `Model ${model.file} no longer matches ${model.name}` +
        `${added.length ? `; new columns: ${added.join(', ')}` : ''}` +
        `${removed.length ? `; removed columns: ${removed.join(', ')}` : ''}` +
        '. Its rows come from past runs, so it cannot be rebuilt: change the table to match ' +
        '(alter table ... add or drop column); the runs that follow fill a new column as they touch rows.',
    )
  }
}
