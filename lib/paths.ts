// Absolute locations inside the project, independent of the current directory.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const modelsDir = path.join(projectRoot, 'models')
export const migrationsDir = path.join(projectRoot, 'migrations')
export const workflowsEntry = path.join(projectRoot, 'workflows', 'index.ts')
export const workflowInterceptorsEntry = path.join(projectRoot, 'workflows', 'interceptors.ts')
