// The paccafe program as people meet it: every command's --help ends with an example, and
// --version is package.json's. Built without running anything (cli/program.ts).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { allCommands, buildProgram } from '../../cli/program.ts'
import { projectRoot } from '../../lib/paths.ts'

function helpOf(command: Command): string {
  let text = ''
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) })
  command.outputHelp()
  return text
}

describe('the paccafe program', () => {
  const program = buildProgram()
  const commands = allCommands(program).filter(({ command }) => command.name() !== 'help')

  it('has the commands the README lists, and runs and status', () => {
    const names = commands.map(({ name }) => name)
    for (const name of ['run', 'runs', 'status', 'batches', 'services up', 'models run', 'build', 'schedule'])
      expect(names).toContain(name)
  })

  it.each(allCommands(buildProgram()).map(({ name, command }) => [name, command] as const))(
    '%s --help shows an example of the command',
    (name, command) => {
      const help = helpOf(command)
      const example = help.slice(help.indexOf('Example'))
      expect(help, help).toMatch(/\nExamples?:\n/)
      expect(example).toContain(`$ paccafe ${name.split(' ')[0]}`)
    },
  )

  it('says the exit codes in the global help', () => {
    const help = helpOf(program)
    expect(help).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*bad input.*\n {2}3 .*failed.*\n {2}4 .*service/)
  })

  it('--version is the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
    expect(program.version()).toBe(version)
  })
})
