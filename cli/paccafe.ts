#!/usr/bin/env -S node --import tsx
// paccafe: the command line of the pipeline. Each command lives in cli/commands/.
import { Command } from 'commander'
import { registerBatchCommands } from './commands/batches.ts'
import { registerBuildCommand } from './commands/build.ts'
import { registerDuplicatesCommand } from './commands/duplicates.ts'
import { registerFailedLoadCommands } from './commands/failed-loads.ts'
import { registerJourneyCommand } from './commands/journey.ts'
import { registerModelsCommand } from './commands/models.ts'
import { registerRetentionCommand } from './commands/retention.ts'
import { registerRulesCommand } from './commands/rules.ts'
import { registerRunCommand } from './commands/run.ts'
import { registerScheduleCommand } from './commands/schedule.ts'
import { registerSeedCommand } from './commands/seed.ts'
import { registerServicesCommand } from './commands/services.ts'
import { registerSimulateCommand } from './commands/simulate.ts'
import { registerStartCommand } from './commands/start.ts'
import { registerWorkerCommand } from './commands/worker.ts'
import { reportAndExit } from './context.ts'

const program = new Command()
  .name('paccafe')
  .description(
    'Paccafe ETL pipeline: POS and spreadsheets -> validated star-schema warehouse, orchestrated by Temporal',
  )
  .showHelpAfterError()

registerServicesCommand(program)
registerSeedCommand(program)
registerSimulateCommand(program)
registerWorkerCommand(program)
registerRunCommand(program)
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

// Output piped into `head` and the like: stop quietly when the reader is gone.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

program.parseAsync(process.argv).catch(reportAndExit)
