import type { Command } from 'commander'
import { configFromEnvironment, say } from '../context.ts'

export function registerServicesCommand(program: Command): void {
  const services = program
    .command('services')
    .description('the local Temporal dev server, S3 gateway and databases')
    .addHelpText('after', '\nExample:\n  $ paccafe services up --with-worker')
  services
    .command('install')
    .description('build the pinned Temporal CLI and S3 gateway into the tools folder when missing')
    .addHelpText('after', '\nExample:\n  $ paccafe services install')
    .action(async () => {
      const { installTools } = await import('../../local-services/pinned-tools.ts')
      await installTools(configFromEnvironment(), say)
    })
  services
    .command('up')
    .description('install what is missing, start Temporal and the S3 gateway, create the warehouse database')
    .option('--with-worker', 'also start a long-running worker in the background')
    .addHelpText('after', '\nExample:\n  $ paccafe services up --with-worker   # worker log: .data/logs/worker.log')
    .action(async (options: { withWorker?: boolean }) => {
      const { preflight } = await import('../../lib/preflight.ts')
      const { servicesUp, startBackgroundWorker } = await import('../../local-services/services.ts')
      const config = configFromEnvironment()
      await servicesUp(config, say)
      // A service found already running may still refuse this configuration's credentials.
      await preflight(config, ['temporal', 'warehouse', 's3'])
      if (options.withWorker) await startBackgroundWorker(config, say)
    })
  services
    .command('down')
    .description('stop the background worker and the services this script started')
    .addHelpText('after', '\nExample:\n  $ paccafe services down')
    .action(async () => {
      const { servicesDown } = await import('../../local-services/services.ts')
      await servicesDown(configFromEnvironment(), say)
    })
}
