// Every workflow the worker hosts: the bundle's entry point.

export { progressQuery } from './messages.ts'
export { modelsRun } from './models-run.ts'
export { pipelineRun } from './pipeline-run.ts'
export { quarantineBatch } from './quarantine-batch.ts'
export { reloadRun } from './reload-run.ts'
export { reprocessRun } from './reprocess-run.ts'
