// The environment that makes a `paccafe` command (seed, simulate) work on a bench's databases.
import type { Config } from '../lib/config.ts'

export function envFor(config: Config): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PACCAFE_SOURCE_URL: config.sourceUrl,
    PACCAFE_WAREHOUSE_URL: config.warehouseUrl,
    PACCAFE_S3_BUCKET: config.s3.bucket,
    PACCAFE_SHEETS_DIR: config.sheets.dir,
    PACCAFE_TASK_QUEUE: config.temporal.taskQueue,
    PACCAFE_LOG_LEVEL: 'error',
  }
}
