import type { Command } from 'commander'
import { createWorker, shutdownWorker } from '../../lib/worker.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a long-lived worker hosting the pipeline workflows and activities')
    .action(async () => {
      const config = configFromEnvironment()
      const handle = await createWorker(config)
      say(`Worker polling task queue ${config.temporal.taskQueue} on ${config.temporal.address}`)
      try {
        await handle.worker.run() // returns after SIGINT/SIGTERM, once in-flight tasks finish
      } finally {
        await shutdownWorker(handle)
      }
    })
}
