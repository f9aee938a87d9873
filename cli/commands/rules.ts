// paccafe rules [--table T]: the rule catalogue as people read it. Every rule and table check
// with its severity, threshold and description, and its results on the last runs: the rows
// checked and failed on the last run, and the failed rows' trend over the runs before it.
import type { Command } from 'commander'
import type { Sql } from '../../lib/db.ts'
import { UsageError } from '../../lib/errors.ts'
import type { CatalogueRule } from '../../lib/quality/record-quality.ts'
import { configFromEnvironment, say, sayJson } from '../context.ts'

interface ListedRule {
  name: string
  table: string
  kind: 'row' | 'table'
  severity: string
  threshold: string | null
  description: string
}

interface Result {
  rule_name: string
  run_id: string
  rows_checked: number
  rows_failed: number
  passed: boolean
  detail: string | null
  threshold_exceeded: boolean
}

const listed = (rule: CatalogueRule): ListedRule => ({
  name: rule.name,
  table: rule.table,
  kind: rule.kind ?? 'row',
  severity: rule.severity,
  threshold: rule.threshold === undefined ? null : String(rule.threshold),
  description: rule.description,
})

export function registerRulesCommand(program: Command): void {
  program
    .command('rules')
    .description('every data-quality rule and table check, with its results on the last runs')
    .option('--table <table>', 'only the rules of this table')
    .option('--runs <n>', 'runs in the trend', '5')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The rules come from models/clean/*.rules.yml, with the checks made in code (a sheet's cells,
a POS table's schema drift) as dq.rules lists them. The trend is the failed rows of the last
runs, oldest first: 3 → 5 → 120.

Example:
  $ paccafe rules --table order_details --runs 10`,
    )
    .action(async (options: { table?: string; runs: string; json?: boolean }) => {
      const runs = Number(options.runs)
      if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
        throw new UsageError(`--runs must be a whole number from 1 to 100, not ${JSON.stringify(options.runs)}`)
      }
      const { connect } = await import('../../lib/db.ts')
      const { preflight } = await import('../../lib/preflight.ts')
      const config = configFromEnvironment()
      await preflight(config, ['warehouse'])
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      try {
        const rules = await allRules(sql)
        const tables = [...new Set(rules.map((rule) => rule.table))].sort()
        if (options.table !== undefined && !tables.includes(options.table)) {
          throw new UsageError(`unknown table ${JSON.stringify(options.table)}; the tables are ${tables.join(', ')}`)
        }
        const shown = rules.filter((rule) => options.table === undefined || rule.table === options.table)
        const results = await lastResults(sql, runs)
        if (options.json) {
          const json = shown.map((rule) => ({ ...rule, results: results.get(rule.name) ?? [] }))
          return sayJson(json)
        }
        for (const table of tables.filter((t) => shown.some((rule) => rule.table === t))) {
          say(table)
          for (const rule of shown.filter((r) => r.table === table)) printRule(rule, results.get(rule.name) ?? [])
          say('')
        }
      } finally {
        await sql.end({ timeout: 5 })
      }
    })
}

/** The declared rules and table checks (the files are the truth), then those only dq.rules lists. */
async function allRules(sql: Sql): Promise<ListedRule[]> {
  const { loadCatalogue } = await import('../../lib/quality/rules.ts')
  const { tableCheckCatalogue } = await import('../../lib/quality/table-checks.ts')
  const { rules, tableChecks } = await loadCatalogue()
  const tables = [...new Set([...rules, ...tableChecks].map((rule) => rule.table))]
  const declared = [
    ...rules.map(listed),
    ...tables.flatMap((table) =>
      tableCheckCatalogue(
        table,
        tableChecks.filter((check) => check.table === table),
      ).map(listed),
    ),
  ]
  const names = new Set(declared.map((rule) => rule.name))
  const recorded = await sql<ListedRule[]>`
    select rule_name as name, table_name as "table", kind, severity, threshold, description
    from dq.rules order by table_name, rule_name`
  const all = [...declared, ...recorded.filter((rule) => !names.has(rule.name))]
  const order = (rule: ListedRule) => `${rule.table} ${rule.kind === 'row' ? 0 : 1} ${rule.name}`
  return all.sort((a, b) => order(a).localeCompare(order(b)))
}

/** Each rule's results on its last `runs` runs, the latest last. */
async function lastResults(sql: Sql, runs: number): Promise<Map<string, Result[]>> {
  const rows = await sql<Result[]>`
    select rule_name, run_id, rows_checked, rows_failed, passed, detail, threshold_exceeded
    from (
      select r.*, u.started_at,
             row_number() over (partition by r.rule_name order by u.started_at desc, r.run_id desc) as recency
      from dq.rule_results as r
      join etl.runs as u using (run_id)
    ) as ranked
    where recency <= ${runs}
    order by rule_name, started_at, run_id`
  const byRule = new Map<string, Result[]>()
  for (const row of rows) byRule.set(row.rule_name, [...(byRule.get(row.rule_name) ?? []), row])
  return byRule
}

function printRule(rule: ListedRule, results: Result[]): void {
  const threshold = rule.threshold === null ? '' : `  threshold ${rule.threshold}`
  say(`  ${rule.name}  ${rule.severity}${rule.kind === 'table' ? ' (table check)' : ''}${threshold}`)
  say(`      ${rule.description}`)
  const last = results.at(-1)
  if (!last) {
    say('      no results yet')
    return
  }
  const verb = rule.severity === 'count' ? 'counted' : 'failed'
  const outcome = last.detail ?? `${last.rows_checked} checked, ${last.rows_failed} ${verb}`
  const stopped = last.threshold_exceeded ? ', above its threshold: the run stopped' : ''
  const trend = results.length > 1 ? `; trend ${results.map((r) => r.rows_failed).join(' → ')}` : ''
  say(`      last run ${last.run_id}: ${outcome}${last.passed ? '' : ' (not passed)'}${stopped}${trend}`)
}
