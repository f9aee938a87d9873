// Every workflow the worker hosts: the bundle's entry point.

export { modelsRun } from './models-run.ts'
export { pipelineRun, progressQuery } from './pipeline-run.ts'
