import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { bundleWorkflowCode } from '@temporalio/worker'
import type { Command } from 'commander'
import { projectRoot, workflowsEntry } from '../../lib/paths.ts'
import { say } from '../context.ts'

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('pre-build the workflow bundle that production workers load (dist/workflow-bundle.js)')
    .action(async () => {
      const { code } = await bundleWorkflowCode({ workflowsPath: workflowsEntry })
      const target = path.join(projectRoot, 'dist', 'workflow-bundle.js')
      await mkdir(path.dirname(target), { recursive: true })
      await writeFile(target, code)
      say(`Wrote ${target}`)
    })
}
