// Background processes of the local services: started detached, with their pid files and logs
// under the data folder, found again by pid, waited for by port.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Config } from '../lib/config.ts'
import { projectRoot } from '../lib/paths.ts'

export const pidFile = (config: Config, name: string) => path.join(config.dataDir, 'run', `${name}.pid`)
export const logFile = (config: Config, name: string) => path.join(config.dataDir, 'logs', `${name}.log`)

export function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':')
  return { host: host ?? '127.0.0.1', port: Number(port) }
}

export const isLocal = (host: string) => ['127.0.0.1', 'localhost', '::1'].includes(host)

export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  log?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${log ? ` (see ${log})` : ''}`)
}

/** The pid in <data>/run/<name>.pid, if that process still runs and is still ours. */
export function readPid(config: Config, name: string): number | undefined {
  const file = pidFile(config, name)
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8'))
  try {
    process.kill(pid, 0)
    // A pid can be reused after a reboot: only a process started from this project counts.
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (!commandLine.includes(name === 'worker' ? 'paccafe.ts' : name)) throw new Error('not ours')
    return pid
  } catch {
    rmSync(file, { force: true })
    return undefined
  }
}

/** Starts `command` detached from this process, logging to <data>/logs/<name>.log. */
export function startDetached(
  config: Config,
  name: string,
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): void {
  mkdirSync(path.dirname(pidFile(config, name)), { recursive: true })
  mkdirSync(path.dirname(logFile(config, name)), { recursive: true })
  const out = openSync(logFile(config, name), 'a')
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: projectRoot,
    env: env ?? process.env,
  })
  closeSync(out) // the child has its own copy
  if (child.pid === undefined) throw new Error(`Could not start ${name}`)
  writeFileSync(pidFile(config, name), String(child.pid))
  child.unref()
}
