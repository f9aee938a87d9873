#!/usr/bin/env -S node --import tsx
// paccafe: the command line of the pipeline (the program is cli/program.ts, each command in
// cli/commands/). bin/paccafe runs the compiled copy of this file when it is up to date.
import { exitOnCommanderError, reportAndExit } from './context.ts'
import { buildProgram } from './program.ts'

// Output piped into `head` and the like: stop quietly when the reader is gone.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const program = buildProgram()
exitOnCommanderError(program)
program.parseAsync(process.argv).catch(reportAndExit)
