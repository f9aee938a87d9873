// Running the `paccafe` command as a user does (bin/paccafe), for the CLI tests: its exit code
// and what it printed, whatever the code.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../lib/paths.ts'

const run = promisify(execFile)
export const cli = path.join(projectRoot, 'bin', 'paccafe')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  timeoutMs?: number
  /** Another program to run instead of bin/paccafe (script(1), to give it a terminal). */
  command?: string
}

export async function runPaccafe(
  args: string[],
  env: NodeJS.ProcessEnv,
  { timeoutMs = 300_000, command = cli }: RunOptions = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(command, args, { env: { ...process.env, ...env }, timeout: timeoutMs })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
