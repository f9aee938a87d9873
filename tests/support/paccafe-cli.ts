// Running the `paccafe` command as a user does (bin/paccafe), for the CLI tests: its exit code
// and what it printed, whatever the code.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../lib/paths.ts'

const run = promisify(execFile)
const cli = path.join(projectRoot, 'bin', 'paccafe')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function runPaccafe(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(cli, args, { env: { ...process.env, ...env }, timeout: timeoutMs })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
