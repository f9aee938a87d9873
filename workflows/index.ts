// Every workflow the worker hosts: the bundle's entry point.
export { pipelineRun, progressQuery } from './pipeline-run.ts'
export { modelsRun } from './models-run.ts'
