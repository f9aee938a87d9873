// The pipeline's Temporal schedules through the client's Schedule API (docs/schedules.md): a
// declaration (lib/schedules.ts) becomes a schedule whose action starts `pipelineRun` with the
// same input the CLI and the Web UI give it, so a scheduled run is an ordinary run.
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client'
import type { Config } from '../lib/config.ts'
import { PipelineRunInputSchema, type RunMode } from '../lib/contract.ts'
import { DEPLOYMENT_MEMO_KEY } from '../lib/deployment.ts'
import { BadInputError, ConfigurationError, UsageError } from '../lib/errors.ts'
import { inputProblem } from '../lib/input-checks.ts'
import {
  assertRunIdsValid,
  assertScheduleName,
  type BackfillOverlap,
  CREATED_NOTE,
  calendarOf,
  type DescribedCalendar,
  defaultDeclarations,
  durationMs,
  formatDuration,
  formatScheduleTime,
  overlapFromPolicy,
  overlapPolicyName,
  type ScheduleDeclaration,
  type ScheduleOverlap,
  scheduledWorkflowIdFor,
  scheduleIdFor,
  scheduleNameOf,
  scheduleTimeOfCalendar,
} from '../lib/schedules.ts'
import { pipelineRun } from '../workflows/index.ts'
import { deploymentOfWarehouse } from './deployment.ts'

type PipelineAction = ScheduleOptionsStartWorkflowAction<typeof pipelineRun>

/** The Schedule API's options of a declaration, for `config`'s task queue and deployment. */
export function scheduleOptions(
  declaration: ScheduleDeclaration,
  config: Config,
  deployment: string,
  state: { paused: boolean; note: string } = { paused: false, note: CREATED_NOTE },
): ScheduleOptions<PipelineAction> {
  const { name, mode, at, overlap, catchupWindow } = declaration
  const taskQueue = config.temporal.taskQueue
  assertScheduleName(name)
  assertRunIdsValid(name, taskQueue)
  const input = { mode }
  const problem = inputProblem(PipelineRunInputSchema, input)
  if (problem) throw new BadInputError(`schedule ${name}: pipelineRun input: ${problem}`)
  return {
    scheduleId: scheduleIdFor(name, taskQueue),
    spec: { calendars: [calendarOf(at)], timezone: config.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: pipelineRun,
      taskQueue,
      // What the Web UI's Start Workflow form and `paccafe run` give: the run id comes from the workflow id.
      args: [input],
      workflowId: scheduledWorkflowIdFor(name, taskQueue),
      memo: { [DEPLOYMENT_MEMO_KEY]: deployment },
    },
    policies: { overlap: overlapPolicyName(overlap), catchupWindow, pauseOnFailure: true },
    memo: { [DEPLOYMENT_MEMO_KEY]: deployment },
    state,
  }
}

/** What `paccafe schedule list` and `describe` show of a schedule (the JSON and the table alike). */
export interface ScheduleFacts {
  name: string
  scheduleId: string
  mode: RunMode | 'unknown'
  /** `*:00` every hour, `02:00` every day, in `timezone`; `custom` for another spec. */
  at: string
  timezone: string
  overlap: string
  catchupWindow: string
  pauseOnFailure: boolean
  paused: boolean
  note: string
  taskQueue: string
  workflowId: string
  deployment: string | null
  nextRuns: string[]
  recentRuns: { scheduledAt: string; takenAt: string; workflowId: string }[]
  runningWorkflows: string[]
  actionsTaken: number
  skippedOverlap: number
  missedCatchupWindow: number
  buffered: number
}

export function factsOf(name: string, description: ScheduleDescription): ScheduleFacts {
  const { spec, action, policies, state, info } = description
  const [calendar, ...otherCalendars] = spec.calendars ?? []
  const simple =
    calendar && otherCalendars.length === 0 && !spec.intervals?.length
      ? scheduleTimeOfCalendar(calendar as DescribedCalendar)
      : undefined
  const intervals = (spec.intervals ?? []).map((interval) => `every ${formatDuration(interval.every)}`)
  const input = (action.args?.[0] ?? {}) as { mode?: RunMode }
  return {
    name,
    scheduleId: description.scheduleId,
    mode: input.mode ?? 'unknown',
    at: simple ? formatScheduleTime(simple) : intervals.length > 0 ? intervals.join(', ') : 'custom',
    timezone: spec.timezone ?? 'UTC',
    overlap: overlapFromPolicy(policies.overlap),
    catchupWindow: formatDuration(policies.catchupWindow),
    pauseOnFailure: policies.pauseOnFailure,
    paused: state.paused,
    note: state.note ?? '',
    taskQueue: action.taskQueue,
    workflowId: action.workflowId,
    deployment: (action.memo?.[DEPLOYMENT_MEMO_KEY] as string | undefined) ?? null,
    nextRuns: info.nextActionTimes.map((time) => time.toISOString()),
    recentRuns: info.recentActions.map((recent) => ({
      scheduledAt: recent.scheduledAt.toISOString(),
      takenAt: recent.takenAt.toISOString(),
      workflowId: recent.action.workflow.workflowId,
    })),
    runningWorkflows: info.runningActions.map((running) => running.workflow.workflowId),
    actionsTaken: info.numActionsTaken,
    skippedOverlap: info.numActionsSkippedOverlap,
    missedCatchupWindow: info.numActionsMissedCatchupWindow,
    buffered: Number(description.raw.info?.bufferSize ?? 0),
  }
}

/** This deployment's handle of schedule `name`, which must exist. */
async function existing(client: Client, config: Config, name: string): Promise<ScheduleHandle> {
  assertScheduleName(name)
  const handle = client.schedule.getHandle(scheduleIdFor(name, config.temporal.taskQueue))
  await describeOrMissing(handle, name)
  return handle
}

async function describeOrMissing(handle: ScheduleHandle, name: string): Promise<ScheduleDescription> {
  try {
    return await handle.describe()
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      throw new UsageError(
        `there is no schedule ${name} (${handle.scheduleId}) on this task queue, expected one of paccafe schedule list`,
      )
    }
    throw error
  }
}

export interface CreateOptions {
  paused?: boolean
  note?: string
}

/** Creates a schedule; one that exists already is refused (init updates instead). */
export async function createSchedule(
  client: Client,
  config: Config,
  declaration: ScheduleDeclaration,
  options: CreateOptions & { deployment?: string } = {},
): Promise<ScheduleHandle> {
  const deployment = options.deployment ?? (await deploymentOfWarehouse(config))
  const state = { paused: options.paused === true, note: options.note ?? CREATED_NOTE }
  const scheduleOptionsOf = scheduleOptions(declaration, config, deployment, state)
  try {
    return await client.schedule.create(scheduleOptionsOf)
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) {
      throw new UsageError(
        `schedule ${declaration.name} (${scheduleOptionsOf.scheduleId}) exists already, expected a new name (or paccafe schedule delete ${declaration.name} first)`,
      )
    }
    throw error
  }
}

/** What a described schedule must equal for init to leave it alone: spec, action and policies. */
function declaredShape(declaration: ScheduleDeclaration, options: ScheduleOptions<PipelineAction>) {
  const { spec, action, policies } = options
  return {
    at: formatScheduleTime(declaration.at),
    timezone: spec.timezone,
    workflowType: 'pipelineRun',
    taskQueue: action.taskQueue,
    workflowId: action.workflowId,
    args: JSON.stringify(action.args),
    deployment: action.memo?.[DEPLOYMENT_MEMO_KEY],
    overlap: overlapFromPolicy(policies?.overlap),
    catchupWindow: formatDuration(durationMs(declaration.catchupWindow)),
    pauseOnFailure: policies?.pauseOnFailure,
  }
}

function describedShape(description: ScheduleDescription) {
  const facts = factsOf('', description)
  return {
    at: facts.at,
    timezone: facts.timezone,
    workflowType: description.action.workflowType,
    taskQueue: facts.taskQueue,
    workflowId: facts.workflowId,
    args: JSON.stringify(description.action.args),
    deployment: facts.deployment,
    overlap: facts.overlap,
    catchupWindow: facts.catchupWindow,
    pauseOnFailure: facts.pauseOnFailure,
  }
}

export type InitOutcome = 'created' | 'updated' | 'unchanged'

/**
 * Creates the default schedules; one that exists already is updated to the declaration, or left
 * as it is when it matches (its paused state and note are kept either way).
 */
export async function initSchedules(
  client: Client,
  config: Config,
  options: { overlap?: ScheduleOverlap; paused?: boolean; note?: string } = {},
): Promise<{ name: string; scheduleId: string; outcome: InitOutcome }[]> {
  const deployment = await deploymentOfWarehouse(config)
  const outcomes: { name: string; scheduleId: string; outcome: InitOutcome }[] = []
  for (const declaration of defaultDeclarations(options.overlap)) {
    const wanted = scheduleOptions(declaration, config, deployment)
    const handle = client.schedule.getHandle(wanted.scheduleId)
    const current = await handle.describe().catch((error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return undefined
      throw error
    })
    let outcome: InitOutcome
    if (!current) {
      outcome = await client.schedule
        .create({ ...wanted, state: { paused: options.paused === true, note: options.note ?? CREATED_NOTE } })
        .then(
          () => 'created' as const,
          async (error: unknown) => {
            // Created by another init since the describe: make it the declaration all the same.
            if (!(error instanceof ScheduleAlreadyRunning)) throw error
            await updateTo(handle, wanted)
            return 'updated' as const
          },
        )
    } else if (ownedElsewhere(current, deployment)) {
      // Another checkout's schedule on the same namespace and task queue: never taken over.
      throw new ConfigurationError(
        `Schedule ${wanted.scheduleId} belongs to deployment ${describedShape(current).deployment}, not this one (${deployment}): give each warehouse its own task queue (PACCAFE_TASK_QUEUE)`,
      )
    } else if (JSON.stringify(describedShape(current)) === JSON.stringify(declaredShape(declaration, wanted))) {
      outcome = 'unchanged'
    } else {
      await updateTo(handle, wanted)
      outcome = 'updated'
    }
    outcomes.push({ name: declaration.name, scheduleId: wanted.scheduleId, outcome })
  }
  return outcomes
}

/** Whether the schedule's runs are bound to another deployment's warehouse. */
function ownedElsewhere(description: ScheduleDescription, deployment: string): boolean {
  const owner = describedShape(description).deployment
  return owner !== null && owner !== deployment
}

async function updateTo(handle: ScheduleHandle, wanted: ScheduleOptions<PipelineAction>): Promise<void> {
  const { spec, action, policies } = wanted
  await handle.update<typeof pipelineRun>((previous) => ({
    spec,
    action,
    policies,
    state: { paused: previous.state.paused, note: previous.state.note },
  }))
}

/** Every schedule of this deployment's task queue, with its facts. */
export async function listSchedules(client: Client, config: Config): Promise<ScheduleFacts[]> {
  const facts: ScheduleFacts[] = []
  for await (const summary of client.schedule.list()) {
    const name = scheduleNameOf(summary.scheduleId, config.temporal.taskQueue)
    if (!name) continue
    // Deleted between the list and the describe: not listed.
    const description = await client.schedule
      .getHandle(summary.scheduleId)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof ScheduleNotFoundError) return undefined
        throw error
      })
    if (description) facts.push(factsOf(name, description))
  }
  return facts.sort((a, b) => a.name.localeCompare(b.name))
}

export async function describeSchedule(client: Client, config: Config, name: string): Promise<ScheduleFacts> {
  assertScheduleName(name)
  const handle = client.schedule.getHandle(scheduleIdFor(name, config.temporal.taskQueue))
  return factsOf(name, await describeOrMissing(handle, name))
}

/** Pauses with a note (the reason the Web UI and `describe` show). */
export async function pauseSchedule(client: Client, config: Config, name: string, note: string): Promise<void> {
  await (await existing(client, config, name)).pause(note)
}

export async function unpauseSchedule(client: Client, config: Config, name: string, note: string): Promise<void> {
  await (await existing(client, config, name)).unpause(note)
}

/**
 * Starts a run now. The client's trigger allows overlaps unless told: the schedule's own policy
 * (or the one given) is always passed, so a trigger never runs beside a run in progress.
 */
export async function triggerSchedule(
  client: Client,
  config: Config,
  name: string,
  overlap?: ScheduleOverlap,
): Promise<ScheduleOverlap> {
  assertScheduleName(name)
  const handle = client.schedule.getHandle(scheduleIdFor(name, config.temporal.taskQueue))
  const own = overlapFromPolicy((await describeOrMissing(handle, name)).policies.overlap)
  const policy: ScheduleOverlap = overlap ?? (own === 'buffer-one' ? 'buffer-one' : 'skip')
  await handle.trigger(overlapPolicyName(policy))
  return policy
}

/** Takes the actions of `[start, end]` now, one after another by default (buffer-all). */
export async function backfillSchedule(
  client: Client,
  config: Config,
  name: string,
  range: { start: Date; end: Date },
  overlap: BackfillOverlap = 'buffer-all',
): Promise<void> {
  const handle = await existing(client, config, name)
  await handle.backfill({ start: range.start, end: range.end, overlap: overlapPolicyName(overlap) })
}

export async function deleteSchedule(client: Client, config: Config, name: string): Promise<void> {
  await (await existing(client, config, name)).delete()
}
