// What the worker does with every activity it takes: refuses one of another deployment's runs
// (its header names another warehouse, workflows/interceptors.ts), and logs its start and end.
import type { Context } from '@temporalio/activity'
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common'
import type { ActivityInterceptorsFactory } from '@temporalio/worker'
import { DEPLOYMENT_HEADER } from '../lib/contract.ts'
import { wrongDeploymentMessage } from '../lib/deployment.ts'
import type { Logger } from '../lib/logger.ts'

/** What an activity works on, from its input's ids (never rows): a table, a sheet, a model. */
function subjectOf(args: unknown[]): string | undefined {
  const input = args[0] as Record<string, unknown> | undefined
  const subject = input?.model ?? input?.tableName ?? input?.sheet
  return typeof subject === 'string' ? subject : undefined
}

export function activityInterceptors(deployment: string, logger?: Logger): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info
        const workflowId = ctx.info.workflowExecution?.workflowId ?? ''
        const header = input.headers[DEPLOYMENT_HEADER]
        const belongsTo = header ? defaultPayloadConverter.fromPayload<string>(header) : undefined
        if (belongsTo && belongsTo !== deployment) {
          const message = wrongDeploymentMessage(activityType, workflowId, belongsTo, deployment)
          logger?.error({ activity: activityType, workflowId }, message)
          throw ApplicationFailure.nonRetryable(message, 'WrongDeployment')
        }
        const about = {
          activity: activityType,
          workflowId,
          attempt,
          subject: subjectOf(input.args),
        }
        const started = performance.now()
        logger?.info(about, 'activity started')
        try {
          const result = await next(input)
          logger?.info({ ...about, ms: Math.round(performance.now() - started) }, 'activity completed')
          return result
        } catch (error) {
          logger?.warn({ ...about, err: (error as Error).message }, 'activity failed')
          throw error
        }
      },
    },
  })
}
