import type { Command } from 'commander'
import type { Model } from '../../lib/model-engine/model-file.ts'
import { configFromEnvironment, say } from '../context.ts'

const graphModule = () => import('../../lib/model-engine/graph.ts')

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('the SQL models: list, graph, compiled SQL, run a selection')
    .addHelpText('after', '\nExample:\n  $ paccafe models run +marts.customer_rfm')

  models
    .command('list')
    .description('every model with its materialization, unique key or partition, and grain')
    .addHelpText('after', '\nExample:\n  $ paccafe models list')
    .action(async () => {
      const { buildLayers, loadModels } = await graphModule()
      const all = await loadModels()
      const order = buildLayers(all).flat()
      const rows = order.map((name) => all.find((model) => model.name === name) as Model)
      const width = Math.max(...rows.map((model) => model.name.length))
      for (const model of rows) {
        const key = model.uniqueKey
          ? ` key=${model.uniqueKey}`
          : model.partitionBy
            ? ` partition=${model.partitionBy}`
            : ''
        const publishes = model.publishes ? ` publishes=${model.publishes}` : ''
        const previous = model.keepsPreviousVersions ? ' previous_versions=kept' : ''
        say(`${model.name.padEnd(width)}  ${model.materialized.padEnd(11)}${key}${publishes}${previous}`)
        if (model.grain) say(`${''.padEnd(width)}  grain: ${model.grain}`)
      }
    })

  models
    .command('graph')
    .description('the dependency graph, layer by layer (or Graphviz dot with --dot)')
    .option('--dot', 'print Graphviz dot instead')
    .addHelpText('after', '\nExample:\n  $ paccafe models graph --dot | dot -Tsvg > models.svg')
    .action(async (options: { dot?: boolean }) => {
      const { buildLayers, loadModels } = await graphModule()
      const all = await loadModels()
      if (options.dot) {
        say('digraph models {\n  rankdir=LR;')
        for (const model of all) {
          for (const source of model.sources) say(`  "${source}" -> "${model.name}";`)
          for (const dependency of model.dependsOn) say(`  "${dependency}" -> "${model.name}";`)
        }
        say('}')
        return
      }
      buildLayers(all).forEach((layer, i) => {
        say(`layer ${i + 1}`)
        for (const name of layer) {
          const model = all.find((m) => m.name === name) as Model
          const reads = [...model.sources, ...model.dependsOn]
          say(`  ${name}${reads.length ? `  <- ${reads.join(', ')}` : ''}`)
        }
      })
    })

  models
    .command('compile <model>')
    .description('the statements that build a model, as the engine runs them (needs the warehouse database)')
    .addHelpText('after', '\nExample:\n  $ paccafe models compile warehouse.fct_order_lines')
    .action(async (name: string) => {
      const { loadModels, selectModels } = await graphModule()
      const { connect } = await import('../../lib/db.ts')
      const { compileModel } = await import('../../lib/model-engine/runner.ts')
      const all = await loadModels()
      const [selected] = selectModels(all, [name])
      const model = all.find((m) => m.name === selected) as Model
      const config = configFromEnvironment()
      const sql = connect(config.warehouseUrl, { name: 'paccafe-cli', max: 1 })
      try {
        const statements = await sql.begin(async (tx) => {
          await tx`select set_config('paccafe.timezone', ${config.timezone}, true)`
          return compileModel(tx, model)
        })
        say(`-- ${model.name} (${model.materialized}) from ${model.file}`)
        for (const statement of statements) say(`\n${statement.sql};`)
      } finally {
        await sql.end()
      }
    })

  models
    .command('run [selectors...]')
    .description('rebuild models through Temporal: name = that model, +name = with upstream, name+ = with downstream')
    .option('--full-refresh', 'drop table models and rebuild them (refused for incremental and scd2 models)')
    .option('--no-wait', 'start the run and return without waiting')
    .addHelpText(
      'after',
      '\nExample:\n  $ paccafe models run warehouse.dim_products+\n  $ paccafe models run marts.inventory_levels --full-refresh',
    )
    .action(async (selectors: string[], options: { fullRefresh?: boolean; wait: boolean }) => {
      const { graphOf, loadModels, selectModels } = await graphModule()
      const { startModelsRun } = await import('../../client/start-runs.ts')
      const { deploymentOfWarehouse } = await import('../../client/deployment.ts')
      const { connectClient, newRunId, webUiRunUrl } = await import('../../lib/temporal.ts')
      const { followRun } = await import('../follow-run.ts')
      const { waitNotices } = await import('../wait-notices.ts')
      const all = await loadModels()
      const names = selectModels(all, selectors.length > 0 ? selectors : all.map((model) => model.name))
      const graph = graphOf(all, names)
      const config = configFromEnvironment()
      const client = await connectClient(config)
      try {
        const runId = newRunId('models')
        const handle = await startModelsRun(
          client,
          config.temporal.taskQueue,
          { runId, graph, fullRefresh: options.fullRefresh },
          await deploymentOfWarehouse(config),
        )
        say(`Started ${handle.workflowId}: ${names.length} models`)
        say(`Watch it in the Web UI: ${webUiRunUrl(config, handle.workflowId)}`)
        if (!options.wait) return
        const notice = waitNotices()
        const follower = followRun(
          { client, handle, taskQueue: config.temporal.taskQueue, hasProgressQuery: false },
          ({ status }) => {
            const line = notice(status, Date.now())
            if (line) say(`  ${line}`)
          },
        )
        const results = await handle.result().finally(() => follower.stop())
        const width = Math.max(...results.map((result) => result.model.length))
        say(`\n${'model'.padEnd(width)}  selected  inserted   updated unchanged   deleted`)
        for (const r of results) {
          say(
            `${r.model.padEnd(width)}  ${[r.rowsSelected, r.rowsInserted, r.rowsUpdated, r.rowsUnchanged, r.rowsDeleted]
              .map((n) => String(n).padStart(8))
              .join('  ')}`,
          )
        }
      } finally {
        await client.connection.close()
      }
    })
}
