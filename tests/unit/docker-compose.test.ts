// There is no Docker engine here: check what can be checked of docker-compose.yml.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { projectRoot } from '../../lib/paths.ts'
import { PIPELINE_SEARCH_ATTRIBUTES } from '../../lib/search-attributes.ts'
import { SHUTDOWN_FORCE_TIME } from '../../worker/worker.ts'

const composeText = readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')
const compose = parse(composeText) as {
  services: Record<
    string,
    {
      image?: string
      build?: unknown
      ports?: string[]
      healthcheck?: { test: unknown }
      depends_on?: Record<string, { condition: string }>
      command?: string[]
      stop_signal?: string
      stop_grace_period?: string
    }
  >
}
const envExample = readFileSync(path.join(projectRoot, '.env.example'), 'utf8')

describe('docker-compose.yml', () => {
  it('has PostgreSQL, MinIO, Temporal with its Web UI, and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['minio', 'postgres', 'temporal', 'worker'])
  })

  it('pins every image to a tag (never latest)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) continue
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/)
      expect(service.image, name).not.toMatch(/:latest$/)
    }
  })

  it('publishes the ports a user opens: PostgreSQL, S3 API and console, gRPC and Web UI', () => {
    expect(compose.services.postgres?.ports).toContain('5432:5432')
    expect(compose.services.minio?.ports).toEqual(['9000:9000', '9001:9001'])
    expect(compose.services.temporal?.ports).toEqual(['7233:7233', '8233:8233'])
  })

  it('gives every service a health check, and starts the worker only when the others are healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) expect(service.healthcheck?.test, name).toBeTruthy()
    const dependsOn = compose.services.worker?.depends_on ?? {}
    expect(Object.keys(dependsOn).sort()).toEqual(['minio', 'postgres', 'temporal'])
    for (const dependency of Object.values(dependsOn)) expect(dependency.condition).toBe('service_healthy')
  })

  it('stops the worker with SIGTERM and waits longer than the worker gives its activities', () => {
    const worker = compose.services.worker
    expect(worker?.stop_signal).toBe('SIGTERM')
    const seconds = (duration: string) => Number(duration.replace(/s$/, ''))
    expect(seconds(worker?.stop_grace_period ?? '0s')).toBeGreaterThan(seconds(SHUTDOWN_FORCE_TIME))
  })

  it("keeps Temporal's runs and schedules in a volume and registers the runs' search attributes", () => {
    const command = compose.services.temporal?.command ?? []
    expect(command[command.indexOf('--db-filename') + 1]).toBe('/data/temporal.sqlite')
    const registered = command.filter((_, i) => command[i - 1] === '--search-attribute').map((a) => a.split('=')[0])
    expect(registered).toEqual(PIPELINE_SEARCH_ATTRIBUTES.map((key) => key.name))
  })

  it('documents every variable it uses in .env.example', () => {
    const used = [...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1] as string)
    expect(used.length).toBeGreaterThan(0)
    for (const variable of new Set(used)) expect(envExample, variable).toMatch(new RegExp(`^${variable}=`, 'm'))
  })
})
