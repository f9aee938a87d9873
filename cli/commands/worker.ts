import type { Command } from 'commander'
import { installWorkerLogging } from '../../lib/logger.ts'
import { createWorker, runUntilStopped } from '../../worker/worker.ts'
import { configFromEnvironment } from '../context.ts'

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a long-lived worker hosting the pipeline workflows and activities')
    .action(async () => {
      const config = configFromEnvironment()
      const logger = installWorkerLogging(config.logLevel)
      const handle = await createWorker(config)
      logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker polling')
      const exitCode = await runUntilStopped(handle, logger)
      // Whatever an abandoned activity still holds open (a stalled read, a socket) must not keep the process alive.
      process.exit(exitCode)
    })
}
