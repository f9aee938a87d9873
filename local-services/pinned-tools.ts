// The pinned Temporal CLI (its dev server) and S3 gateway, built with `go install` into the
// project's tools folder the first time they are needed.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../lib/config.ts'
import { ConfigurationError } from '../lib/errors.ts'

export type Say = (line: string) => void

export interface Tool {
  name: string
  module: string
  version: string
}

/** Pinned versions; later CLI tags carry a replace directive and cannot be go-installed. */
export const TOOLS: Tool[] = [
  { name: 'temporal', module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.5.1' },
  { name: 'versitygw', module: 'github.com/versity/versitygw/cmd/versitygw', version: 'v1.7.0' },
]

export const toolPath = (config: Config, tool: Tool) => path.join(config.toolsDir, 'bin', tool.name)

/** Builds the pinned tools that are missing (or of another version) into <tools>/bin, in parallel. */
export async function installTools(config: Config, say: Say): Promise<void> {
  const missing = TOOLS.filter((tool) => {
    const stamp = `${toolPath(config, tool)}.version`
    return (
      !existsSync(toolPath(config, tool)) || !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== tool.version
    )
  })
  if (missing.length === 0) return
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new ConfigurationError(
      `Go is needed to build ${missing.map((t) => `${t.name} ${t.version}`).join(' and ')}: install Go 1.22 or later, or run the stack with docker compose (see README)`,
    )
  }
  say(
    `Building ${missing.map((t) => `${t.name} ${t.version}`).join(' and ')} with go install (first time only, a few minutes)...`,
  )
  await Promise.all(missing.map((tool) => goInstall(config, tool)))
}

function goInstall(config: Config, tool: Tool): Promise<void> {
  const binary = toolPath(config, tool)
  return new Promise((resolve, reject) => {
    const build = spawn('go', ['install', `${tool.module}@${tool.version}`], {
      env: { ...process.env, GOBIN: path.dirname(binary) },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    build.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    build.on('error', reject)
    build.on('close', (code) => {
      if (code !== 0) return reject(new Error(`go install ${tool.module}@${tool.version} failed:\n${stderr}`))
      writeFileSync(`${binary}.version`, `${tool.version}\n`)
      resolve()
    })
  })
}
