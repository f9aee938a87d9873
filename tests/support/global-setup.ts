// Starts the real services once for the whole test run, with the same code `npm start` uses:
// the pinned Temporal dev server and S3 gateway, and the local PostgreSQL.
import { loadConfig, loadDotEnv } from '../../lib/config.ts'
import { servicesUp } from '../../local-services/services.ts'

export default async function setup(): Promise<void> {
  loadDotEnv()
  await servicesUp(loadConfig(), (line) => console.log(`[services] ${line}`))
}
