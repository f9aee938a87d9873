import type { Command } from 'commander'
import { installWorkerLogging } from '../../lib/logger.ts'
import { createWorker, shutdownWorker } from '../../lib/worker.ts'
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
      try {
        await handle.worker.run() // returns after SIGINT/SIGTERM, once in-flight tasks finish
      } finally {
        await shutdownWorker(handle)
      }
    })
}
