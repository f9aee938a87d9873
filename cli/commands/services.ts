import type { Command } from 'commander'
import { preflight } from '../../lib/preflight.ts'
import { installTools } from '../../local-services/pinned-tools.ts'
import { servicesDown, servicesUp, startBackgroundWorker } from '../../local-services/services.ts'
import { configFromEnvironment, say } from '../context.ts'

export function registerServicesCommand(program: Command): void {
  const services = program.command('services').description('the local Temporal dev server, S3 gateway and databases')
  services
    .command('install')
    .description('build the pinned Temporal CLI and S3 gateway into the tools folder when missing')
    .action(async () => installTools(configFromEnvironment(), say))
  services
    .command('up')
    .description('install what is missing, start Temporal and the S3 gateway, create the warehouse database')
    .option('--with-worker', 'also start a long-running worker in the background')
    .action(async (options: { withWorker?: boolean }) => {
      const config = configFromEnvironment()
      await servicesUp(config, say)
      // A service found already running may still refuse this configuration's credentials.
      await preflight(config, ['temporal', 'warehouse', 's3'])
      if (options.withWorker) await startBackgroundWorker(config, say)
    })
  services
    .command('down')
    .description('stop the background worker and the services this script started')
    .action(() => servicesDown(configFromEnvironment(), say))
}
