import type { Command } from 'commander'
import { configFromEnvironment } from '../context.ts'

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a long-lived worker hosting the pipeline workflows and activities')
    .addHelpText(
      'after',
      '\nSIGTERM or SIGINT drains it: no new tasks, running activities finish.\n\nExample:\n  $ paccafe worker   # polls PACCAFE_TASK_QUEUE (paccafe-pipeline)',
    )
    .action(async () => {
      const { installWorkerLogging } = await import('../../lib/logger.ts')
      const { createWorker, runUntilStopped } = await import('../../worker/worker.ts')
      const config = configFromEnvironment()
      const logger = installWorkerLogging(config.logLevel)
      const handle = await createWorker(config, { logger })
      logger.info(
        {
          taskQueue: config.temporal.taskQueue,
          address: config.temporal.address,
          deployment: handle.context.deployment,
        },
        'worker polling',
      )
      const exitCode = await runUntilStopped(handle, logger)
      // Whatever an abandoned activity still holds open (a stalled read, a socket) must not keep the process alive.
      process.exit(exitCode)
    })
}
