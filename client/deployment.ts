// The deployment a client's runs belong to (lib/deployment.ts): its own warehouse's identity,
// read once over a session of its own. Kept out of lib/deployment.ts, which workflows import.
import type { Config } from '../lib/config.ts'
import { connect } from '../lib/db.ts'
import { deploymentOf } from '../lib/deployment.ts'

export async function deploymentOfWarehouse(config: Config): Promise<string> {
  const sql = connect(config.warehouseUrl, { name: 'paccafe-client', max: 1 })
  try {
    return await deploymentOf(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}
