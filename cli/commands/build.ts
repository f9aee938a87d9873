import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { projectRoot } from '../../lib/paths.ts'
import { say } from '../context.ts'

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description(
      'pre-build the workflow bundle that production workers load (dist/workflow-bundle.js) and the compiled CLI (dist/paccafe-cli.js)',
    )
    .option('--cli', 'only the compiled CLI')
    .addHelpText(
      'after',
      `
bin/paccafe runs the compiled CLI while it is newer than every source file it was built from,
and the sources (through tsx) otherwise.

Example:
  $ paccafe build
  $ paccafe build --cli`,
    )
    .action(async (options: { cli?: boolean }) => {
      const { compileCli } = await import('../compile.ts')
      const cli = await compileCli()
      say(`Wrote ${cli.entry} from ${cli.inputs} source files`)
      if (options.cli) return
      const { bundleWorkflows } = await import('../../worker/worker.ts')
      const { code } = await bundleWorkflows()
      const target = path.join(projectRoot, 'dist', 'workflow-bundle.js')
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, code)
      say(`Wrote ${target}`)
    })
}
