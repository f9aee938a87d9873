// The paccafe program: every command, its options and help, built without side effects (no
// output, no exit), so that tests can walk it. Commands load what they need when they run.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import { projectRoot } from '../lib/paths.ts'
import { registerBatchCommands } from './commands/batches.ts'
import { registerBuildCommand } from './commands/build.ts'
import { registerDuplicatesCommand } from './commands/duplicates.ts'
import { registerFailedLoadCommands } from './commands/failed-loads.ts'
import { registerJourneyCommand } from './commands/journey.ts'
import { registerModelsCommand } from './commands/models.ts'
import { registerReportCommand } from './commands/report.ts'
import { registerRetentionCommand } from './commands/retention.ts'
import { registerRulesCommand } from './commands/rules.ts'
import { registerRunCommand } from './commands/run.ts'
import { registerRunsCommand } from './commands/runs.ts'
import { registerScheduleCommand } from './commands/schedule.ts'
import { registerSeedCommand } from './commands/seed.ts'
import { registerServicesCommand } from './commands/services.ts'
import { registerSimulateCommand } from './commands/simulate.ts'
import { registerStartCommand } from './commands/start.ts'
import { registerStatusCommand } from './commands/status.ts'
import { registerWorkerCommand } from './commands/worker.ts'
import { EXIT_CODES_HELP } from './exit-codes.ts'

/** The version in package.json, read when asked (the compiled CLI has no copy of it). */
export function packageVersion(): string {
  const file = path.join(projectRoot, 'package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

export function buildProgram(): Command {
  const program = new Command()
    .name('paccafe')
    .description(
      'Paccafe ETL pipeline: POS and spreadsheets -> validated star-schema warehouse, orchestrated by Temporal',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .addHelpText(
      'after',
      `
Example:
  $ paccafe services up --with-worker && paccafe seed && paccafe run --follow

${EXIT_CODES_HELP}

Every command has --help with an example; the reference is docs/cli.md.`,
    )

  registerServicesCommand(program)
  registerSeedCommand(program)
  registerSimulateCommand(program)
  registerWorkerCommand(program)
  registerRunCommand(program)
  registerRunsCommand(program)
  registerStatusCommand(program)
  registerReportCommand(program)
  registerModelsCommand(program)
  registerJourneyCommand(program)
  registerStartCommand(program)
  registerBuildCommand(program)
  registerBatchCommands(program)
  registerFailedLoadCommands(program)
  registerDuplicatesCommand(program)
  registerRulesCommand(program)
  registerRetentionCommand(program)
  registerScheduleCommand(program)
  return program
}

/** Every command below `program`, depth first, with its full name ("models run"). */
export function allCommands(program: Command, prefix = ''): { name: string; command: Command }[] {
  return program.commands.flatMap((command) => {
    const name = `${prefix}${command.name()}`
    return [{ name, command }, ...allCommands(command, `${name} `)]
  })
}
