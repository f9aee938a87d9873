// The model graph: every model file of the models folder, checked as a whole (no reference to a
// missing model, no cycle) before anything runs, ordered in layers and selected the way dbt does.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ModelNode } from '../contract.ts'
import { ConfigurationError } from '../errors.ts'
import { modelsDir } from '../paths.ts'
import { type Model, parseModel, versionedModel } from './model-file.ts'

export async function loadModels(dir = modelsDir): Promise<Model[]> {
  const models: Model[] = []
  for (const schema of await readdir(dir, { withFileTypes: true })) {
    if (!schema.isDirectory()) continue
    const folder = path.join(dir, schema.name)
    for (const file of (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort()) {
      const full = path.join(folder, file)
      models.push(await parseModel(full, await readFile(full, 'utf8')))
    }
  }
  assertValidGraph(models)
  return models
}

/** A reference to a missing model or a cycle fails before anything runs, naming the files. */
export function assertValidGraph(models: Model[]): void {
  const byName = new Map(models.map((model) => [model.name, model]))
  for (const model of models) {
    for (const dependency of model.dependsOn) {
      if (!byName.has(dependency)) {
        throw new ConfigurationError(`Model ${model.file} reads ${dependency}, but no model file builds it`)
      }
    }
  }
  for (const model of models) {
    for (const name of model.previousVersionsRead) {
      const versioned = byName.get(versionedModel(name)) as Model
      if (!versioned.keepsPreviousVersions) {
        throw new ConfigurationError(
          `Model ${model.file} reads ${name}, but ${versioned.file} does not keep previous versions ` +
            '(its header needs "-- previous_versions: kept")',
        )
      }
    }
  }
  buildLayers(models)
}

/**
 * Groups models into layers: every model's dependencies are in earlier layers. Used to order
 * and to show the graph; the workflow itself starts each model as soon as its inputs are built.
 */
export function buildLayers(models: Pick<Model, 'name' | 'file' | 'dependsOn'>[]): string[][] {
  const names = new Set(models.map((model) => model.name))
  const remaining = new Map(
    models.map((model) => [model.name, new Set(model.dependsOn.filter((dependency) => names.has(dependency)))]),
  )
  const layers: string[][] = []
  while (remaining.size > 0) {
    const ready = [...remaining]
      .filter(([, deps]) => deps.size === 0)
      .map(([name]) => name)
      .sort()
    if (ready.length === 0) {
      const files = models.filter((model) => remaining.has(model.name)).map((model) => model.file)
      throw new ConfigurationError(`Models form a cycle: ${files.join(', ')}`)
    }
    for (const name of ready) remaining.delete(name)
    for (const deps of remaining.values()) for (const name of ready) deps.delete(name)
    layers.push(ready)
  }
  return layers
}

/** The models a name stands for: `schema.table` or a table name that is unique. */
function resolveName(models: Model[], name: string): Model {
  const matches = models.filter((model) => model.name === name || model.table === name)
  if (matches.length === 1) return matches[0] as Model
  if (matches.length === 0) throw new ConfigurationError(`There is no model named ${name}`)
  throw new ConfigurationError(`${name} is ambiguous: ${matches.map((model) => model.name).join(', ')}`)
}

function closure(start: Model, next: (model: Model) => string[], byName: Map<string, Model>): Set<string> {
  const seen = new Set<string>([start.name])
  const queue = [start]
  while (queue.length > 0) {
    for (const name of next(queue.shift() as Model)) {
      if (seen.has(name)) continue
      seen.add(name)
      queue.push(byName.get(name) as Model)
    }
  }
  return seen
}

/**
 * Selects models the way dbt does: `name` is the model alone, `+name` adds everything it reads
 * (upstream), `name+` adds everything that reads it (downstream). Returns names in graph order.
 */
export function selectModels(models: Model[], selectors: string[]): string[] {
  const byName = new Map(models.map((model) => [model.name, model]))
  const readers = (model: Model) => models.filter((other) => other.dependsOn.includes(model.name)).map((m) => m.name)
  const selected = new Set<string>()
  for (const selector of selectors) {
    const upstream = selector.startsWith('+')
    const downstream = selector.endsWith('+')
    const model = resolveName(models, selector.replace(/^\+|\+$/g, ''))
    selected.add(model.name)
    if (upstream) for (const name of closure(model, (m) => m.dependsOn, byName)) selected.add(name)
    if (downstream) for (const name of closure(model, readers, byName)) selected.add(name)
  }
  return buildLayers(models)
    .flat()
    .filter((name) => selected.has(name))
}

/** The graph a workflow runs for these models (named in graph order): each with what it reads among them. */
export function graphOf(models: Model[], names: string[]): ModelNode[] {
  const selected = new Set(names)
  return names.map((name) => ({
    name,
    dependsOn: (models.find((model) => model.name === name) as Model).dependsOn.filter((d) => selected.has(d)),
  }))
}
