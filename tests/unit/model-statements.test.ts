// The statements the model engine plans for each materialization, header and existing relation,
// compared with golden files (tests/unit/goldens/model-statements/<case>.sql), with no database:
// a change in the SQL the engine emits shows up as a diff. After a change made on purpose,
// update the goldens with `npx vitest run --config vitest.unit.config.ts tests/unit/model-statements.test.ts -u`
// and read their diff before committing it.
import { describe, expect, it } from 'vitest'
import {
  ABSENT,
  type CatalogColumn,
  type RelationDescription,
  type SelectColumn,
} from '../../lib/model-engine/catalog.ts'
import { parseModel } from '../../lib/model-engine/model-file.ts'
import { planStatements } from '../../lib/model-engine/plan.ts'
import type { Statement } from '../../lib/model-engine/sql.ts'

// PostgreSQL's type oids and names (format_type) of the types the cases use.
const TYPES: Record<string, [number, string]> = {
  int: [23, 'integer'],
  bigint: [20, 'bigint'],
  text: [25, 'text'],
  numeric: [1700, 'numeric'],
  'numeric(12,2)': [1700, 'numeric(12,2)'],
  date: [1082, 'date'],
  timestamp: [1114, 'timestamp without time zone'],
  boolean: [16, 'boolean'],
  uuid: [2950, 'uuid'],
}

/** Columns written `name type`, for example `n int`; `name type generated` for a generated column. */
function columns(...specs: string[]): CatalogColumn[] {
  return specs.map((spec) => {
    const [name = '', type = '', generated] = spec.split(' ')
    const [oid, typeName] = TYPES[type] ?? [0, type]
    return { name, type: oid, typeName, generated: generated === 'generated' }
  })
}
const selected = (...specs: string[]): SelectColumn[] => columns(...specs).map(({ name, type }) => ({ name, type }))
const table = (specs: string[], empty?: boolean): RelationDescription => ({
  exists: true,
  kind: 'table',
  columns: columns(...specs),
  ...(empty === undefined ? {} : { empty }),
})
const view = (specs: string[]): RelationDescription => ({ exists: true, kind: 'view', columns: columns(...specs) })

interface Case {
  name: string
  file: string
  sql: string
  existing: RelationDescription
  selected: SelectColumn[]
  previousVersions?: RelationDescription
}

const NUMBERS = 'select n, n * 10 as tens from staging.numbers'
const NUMBERS_COLUMNS = ['n int', 'tens int']

const LINES_HEADER = ['-- materialized: incremental', '-- unique_key: nk_line_id', '-- grain: one order line']
const LINES_SELECT = `select l.nk_line_id, l.nk_product_id, l.nk_customer_id, l.order_ts, l.quantity, l.cost
from staging.lines as l
where l.run_id = etl.current_run_id()`
const LINES_COLUMNS = [
  'nk_line_id bigint',
  'nk_product_id int',
  'nk_customer_id int',
  'order_ts timestamp',
  'quantity int',
  'cost numeric',
]
const lines = (...header: string[]) => [...LINES_HEADER, ...header, '', LINES_SELECT].join('\n')

const ORDERS_SQL = `-- materialized: incremental
-- unique_key: order_id
-- publishes: orders
-- previous_versions: kept
-- refresh: region from warehouse.regions by customer

select o.order_id, o.customer, o.amount, r.region
from staging.order_rows as o
left join warehouse.regions as r on r.customer = o.customer
where o.run_id = etl.current_run_id();`
const ORDERS_COLUMNS = ['order_id int', 'customer text', 'amount int', 'region text']
const ORDERS_PREVIOUS = [...ORDERS_COLUMNS, '_run_id text', '_replaced_in text']

const TOTALS_SQL = `-- materialized: incremental
-- partition_by: block

select id / 10 as block, day, sum(amount)::integer as amount
from staging.sales
where etl.is_first_build() or _run_id = etl.current_run_id()
group by 1, 2`
const TOTALS_COLUMNS = ['block int', 'day date', 'amount int']

const PRODUCTS_SQL = `-- materialized: scd2
-- unique_key: nk_product_id
-- surrogate_key: sk_product_id
-- grain: one version of a product

select p.product_id as nk_product_id, p.name, p.price, p._extracted_at as changed_at
from clean.products as p`
const PRODUCTS_COLUMNS = ['nk_product_id int', 'name text', 'price numeric', 'changed_at timestamp']
const PRODUCTS_TABLE = [
  'sk_product_id uuid',
  'nk_product_id int',
  'name text',
  'price numeric',
  'valid_from timestamp',
  'valid_to timestamp',
  'is_current boolean',
  '_run_id text',
]

const CASES: Case[] = [
  // view
  {
    name: 'view-absent',
    file: '/m/marts/numbers.sql',
    sql: `-- materialized: view\n${NUMBERS}`,
    existing: ABSENT,
    selected: [],
  },
  {
    name: 'view-present',
    file: '/m/marts/numbers.sql',
    sql: `-- materialized: view\n${NUMBERS}`,
    existing: view(NUMBERS_COLUMNS),
    selected: [],
  },
  {
    name: 'view-replacing-table',
    file: '/m/marts/numbers.sql',
    sql: `-- materialized: view\n${NUMBERS}`,
    existing: table(NUMBERS_COLUMNS),
    selected: [],
  },
  {
    name: 'view-computed',
    file: '/m/marts/numbers.sql',
    sql: `-- materialized: view\n-- computed: hundreds int = tens * 10\n${NUMBERS}`,
    existing: ABSENT,
    selected: [],
  },
  // table
  {
    name: 'table-absent',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n-- grain: one number\n${NUMBERS};\n`,
    existing: ABSENT,
    selected: selected(...NUMBERS_COLUMNS),
  },
  {
    name: 'table-default-materialization',
    file: '/m/clean/numbers.sql',
    sql: NUMBERS,
    existing: ABSENT,
    selected: selected(...NUMBERS_COLUMNS),
  },
  {
    name: 'table-same-columns',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n${NUMBERS}`,
    existing: table(NUMBERS_COLUMNS),
    selected: selected(...NUMBERS_COLUMNS),
  },
  {
    name: 'table-columns-changed',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n${NUMBERS}`,
    existing: table(['n int', 'tens bigint']),
    selected: selected(...NUMBERS_COLUMNS),
  },
  {
    name: 'table-replacing-view',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n${NUMBERS}`,
    existing: view(NUMBERS_COLUMNS),
    selected: selected(...NUMBERS_COLUMNS),
  },
  {
    name: 'table-computed',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n-- computed: hundreds int = tens * 10\n${NUMBERS}`,
    existing: table([...NUMBERS_COLUMNS, 'hundreds int']),
    selected: selected(...NUMBERS_COLUMNS, 'hundreds int'),
  },
  {
    name: 'table-publishes',
    file: '/m/clean/numbers.sql',
    sql: `-- materialized: table\n-- publishes: numbers\n${NUMBERS}`,
    existing: table(NUMBERS_COLUMNS),
    selected: selected(...NUMBERS_COLUMNS),
  },
  // incremental, merged on a unique key
  {
    name: 'incremental-absent',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: ABSENT,
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-replacing-view',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: view(LINES_COLUMNS),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-empty',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: table([...LINES_COLUMNS, '_run_id text'], true),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-merge',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: table([...LINES_COLUMNS, '_run_id text']),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-merge-without-run-id',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: table(LINES_COLUMNS),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-columns-changed',
    file: '/m/warehouse/lines.sql',
    sql: lines(),
    existing: table(['nk_line_id bigint', 'nk_product_id int', 'discount numeric', '_run_id text']),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-publishes',
    file: '/m/warehouse/lines.sql',
    sql: lines('-- publishes: order_details'),
    existing: table([...LINES_COLUMNS, '_run_id text']),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-refresh',
    file: '/m/warehouse/lines.sql',
    sql: lines(
      '-- refresh: nk_product_id from warehouse.dim_products by nk_product_id at order_ts unindexed',
      '-- refresh: nk_customer_id, cost from warehouse.dim_customers by nk_customer_id',
    ),
    existing: table([...LINES_COLUMNS, '_run_id text']),
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-refresh-first-build',
    file: '/m/warehouse/lines.sql',
    sql: lines(
      '-- refresh: nk_product_id from warehouse.dim_products by nk_product_id at order_ts unindexed',
      '-- refresh: nk_customer_id, cost from warehouse.dim_customers by nk_customer_id',
    ),
    existing: ABSENT,
    selected: selected(...LINES_COLUMNS),
  },
  {
    name: 'incremental-computed',
    file: '/m/warehouse/lines.sql',
    sql: lines(
      '-- refresh: cost from warehouse.costs by nk_product_id',
      '-- computed: cost_amount numeric(12,2) = quantity * cost',
      '-- computed: is_large boolean = quantity > 10',
    ),
    existing: table([...LINES_COLUMNS, '_run_id text', 'cost_amount numeric(12,2)', 'is_large boolean']),
    selected: selected(...LINES_COLUMNS, 'cost_amount numeric(12,2)', 'is_large boolean'),
  },
  {
    name: 'incremental-computed-first-build',
    file: '/m/warehouse/lines.sql',
    sql: lines('-- computed: cost_amount numeric(12,2) = quantity * cost'),
    existing: ABSENT,
    selected: selected(...LINES_COLUMNS, 'cost_amount numeric(12,2)'),
  },
  {
    name: 'incremental-computed-generated-and-new',
    file: '/m/warehouse/lines.sql',
    sql: lines(
      '-- computed: cost_amount numeric(12,2) = quantity * cost',
      '-- computed: is_large boolean = quantity > 10',
    ),
    existing: table([...LINES_COLUMNS, '_run_id text', 'cost_amount numeric(12,2) generated']),
    selected: selected(...LINES_COLUMNS, 'cost_amount numeric(12,2)', 'is_large boolean'),
  },
  {
    name: 'incremental-computed-empty',
    file: '/m/warehouse/lines.sql',
    sql: lines('-- computed: cost_amount numeric(12,2) = quantity * cost'),
    existing: table([...LINES_COLUMNS, '_run_id text', 'cost_amount numeric(12,2) generated'], true),
    selected: selected(...LINES_COLUMNS, 'cost_amount numeric(12,2)'),
  },
  // incremental, keeping previous versions
  {
    name: 'previous-versions-first-build',
    file: '/m/warehouse/orders.sql',
    sql: ORDERS_SQL,
    existing: ABSENT,
    selected: selected(...ORDERS_COLUMNS),
    previousVersions: ABSENT,
  },
  {
    name: 'previous-versions-merge',
    file: '/m/warehouse/orders.sql',
    sql: ORDERS_SQL,
    existing: table([...ORDERS_COLUMNS, '_run_id text']),
    selected: selected(...ORDERS_COLUMNS),
    previousVersions: table(ORDERS_PREVIOUS),
  },
  {
    name: 'previous-versions-columns-changed',
    file: '/m/warehouse/orders.sql',
    sql: ORDERS_SQL,
    existing: table([...ORDERS_COLUMNS, '_run_id text']),
    selected: selected(...ORDERS_COLUMNS),
    previousVersions: table(['order_id int', 'customer text', 'amount int', '_run_id text', '_replaced_in text']),
  },
  // incremental, partitioned
  {
    name: 'partitioned-absent',
    file: '/m/warehouse/daily_totals.sql',
    sql: TOTALS_SQL,
    existing: ABSENT,
    selected: selected(...TOTALS_COLUMNS),
  },
  {
    name: 'partitioned-empty',
    file: '/m/warehouse/daily_totals.sql',
    sql: TOTALS_SQL,
    existing: table([...TOTALS_COLUMNS, '_run_id text'], true),
    selected: selected(...TOTALS_COLUMNS),
  },
  {
    name: 'partitioned-replace',
    file: '/m/warehouse/daily_totals.sql',
    sql: TOTALS_SQL,
    existing: table([...TOTALS_COLUMNS, '_run_id text']),
    selected: selected(...TOTALS_COLUMNS),
  },
  {
    name: 'partitioned-computed',
    file: '/m/warehouse/daily_totals.sql',
    sql: TOTALS_SQL.replace('-- partition_by: block', '-- partition_by: block\n-- computed: doubled int = amount * 2'),
    existing: table([...TOTALS_COLUMNS, '_run_id text']),
    selected: selected(...TOTALS_COLUMNS, 'doubled int'),
  },
  {
    name: 'partitioned-columns-changed',
    file: '/m/warehouse/daily_totals.sql',
    sql: TOTALS_SQL,
    existing: table(['block int', 'amount int', '_run_id text']),
    selected: selected(...TOTALS_COLUMNS),
  },
  // scd2
  {
    name: 'scd2-absent',
    file: '/m/warehouse/dim_products.sql',
    sql: PRODUCTS_SQL,
    existing: ABSENT,
    selected: selected(...PRODUCTS_COLUMNS),
  },
  {
    name: 'scd2-present',
    file: '/m/warehouse/dim_products.sql',
    sql: PRODUCTS_SQL,
    existing: table(PRODUCTS_TABLE),
    selected: selected(...PRODUCTS_COLUMNS),
  },
  {
    name: 'scd2-replacing-view',
    file: '/m/warehouse/dim_products.sql',
    sql: PRODUCTS_SQL,
    existing: view(PRODUCTS_COLUMNS),
    selected: selected(...PRODUCTS_COLUMNS),
  },
  {
    name: 'scd2-columns-changed',
    file: '/m/warehouse/dim_products.sql',
    sql: PRODUCTS_SQL,
    existing: table(PRODUCTS_TABLE.filter((column) => !column.startsWith('price '))),
    selected: selected(...PRODUCTS_COLUMNS),
  },
  {
    name: 'scd2-without-changed-at',
    file: '/m/warehouse/dim_products.sql',
    sql: PRODUCTS_SQL.replace(' as changed_at', ' as seen_at'),
    existing: ABSENT,
    selected: selected('nk_product_id int', 'name text', 'price numeric', 'seen_at timestamp'),
  },
]

/** The statements as a golden file shows them: each numbered, with what its row count means. */
async function plan(c: Case): Promise<string> {
  const model = await parseModel(c.file, c.sql)
  let statements: Statement[]
  try {
    statements = planStatements(model, c.existing, c.selected, c.previousVersions)
  } catch (error) {
    return `-- ${c.name}: refused\n-- ${(error as Error).constructor.name}: ${(error as Error).message}\n`
  }
  const shown = statements.map(
    (statement, i) =>
      `-- ${i + 1} of ${statements.length}${statement.counts ? `, counts ${statement.counts}` : ''}\n${statement.sql};\n`,
  )
  return `-- ${c.name}\n\n${shown.join('\n')}`
}

describe('the statements that build a model', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    await expect(await plan(c)).toMatchFileSnapshot(`goldens/model-statements/${name}.sql`)
  })
})
