// The pipeline's Temporal schedules on the real dev server: a trigger starts an ordinary
// pipelineRun whose ids say it was scheduled and when; with a run in progress a second trigger
// is skipped (SKIP) or buffered and run after (BUFFER_ONE); a paused schedule does not fire; a
// backfill runs its range one run after another; a failed run pauses its schedule with a note;
// schedules survive a restart of the dev server; and the CLI creates and lists them.
//
// Each wait is for an event the server reports (an action taken, skipped, buffered; a run
// closed), bounded. The first tests run with no worker, so a triggered run stays in progress
// until the worker starts. The schedules are the test's own (their ids carry its task queue)
// and are deleted at the end.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Client, WorkflowHandle } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deploymentOfWarehouse } from '../../client/deployment.ts'
import {
  backfillSchedule,
  createSchedule,
  describeSchedule,
  initSchedules,
  listSchedules,
  pauseSchedule,
  type ScheduleFacts,
  scheduleOptions,
  triggerSchedule,
} from '../../client/schedules.ts'
import type { Config } from '../../lib/config.ts'
import { deploymentOf } from '../../lib/deployment.ts'
import {
  type ScheduleDeclaration,
  type ScheduleOverlap,
  scheduledRunIdFor,
  scheduleIdFor,
  scheduleNameOf,
} from '../../lib/schedules.ts'
import { connectClient } from '../../lib/temporal.ts'
import { createHarness, type Harness } from '../support/harness.ts'
import { runPaccafe } from '../support/paccafe-cli.ts'
import { environmentOf, freePort, type OwnedProcess, startTemporalServer, until } from '../support/processes.ts'

const TEST_MS = 300_000
/** Bound for the scheduler to act on a trigger, a backfill or a closed run. */
const SCHEDULER_MS = 60_000
/** Bound for a run at this scale to finish, on a busy machine. */
const RUN_MS = 180_000

let h: Harness
let queue: string
const cleanUps: (() => Promise<unknown>)[] = []

/** A time of day twelve hours away in the cafe's zone (Asia/Jakarta, UTC+7): it never fires during the test. */
function farFromNow(): ScheduleDeclaration['at'] {
  return { kind: 'daily', hour: (new Date().getUTCHours() + 7 + 12) % 24, minute: 30 }
}

function declaration(name: string, overlap: ScheduleOverlap, mode: 'full' | 'incremental' = 'full') {
  return { name, mode, at: farFromNow(), overlap, catchupWindow: '1h' } satisfies ScheduleDeclaration
}

const facts = (name: string, config: Config = h.config, client: Client = h.client) =>
  describeSchedule(client, config, name)

/** Waits until the schedule's facts satisfy `check`, and returns them. */
async function untilFacts(name: string, what: string, check: (f: ScheduleFacts) => boolean): Promise<ScheduleFacts> {
  let last: ScheduleFacts | undefined
  await until(
    `${name}: ${what}`,
    async () => {
      last = await facts(name)
      return check(last)
    },
    SCHEDULER_MS,
    250,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last described: ${JSON.stringify(last)}`)
  })
  return last as ScheduleFacts
}

/** Triggers are named by the second they are taken in: the next one must be in a later second. */
async function afterTheSecondOf(run: { scheduledAt: string } | undefined): Promise<void> {
  const next = new Date(run?.scheduledAt ?? 0).getTime() + 1000
  await until('the next second', () => Date.now() >= Math.floor(next / 1000) * 1000 + 50, 5_000, 20)
}

const runIdOf = (workflowId: string) =>
  `scheduled-${workflowId.slice('paccafe-pipeline-scheduled-'.length).replace(/-(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/, '-$1$2$3T$4$5$6Z')}`

async function resultOf(workflowId: string): Promise<unknown> {
  const handle: WorkflowHandle = h.client.workflow.getHandle(workflowId)
  return Promise.race([
    handle.result(),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${workflowId} did not finish`)), RUN_MS)),
  ])
}

describe("the pipeline's schedules", () => {
  beforeAll(async () => {
    h = await createHarness({ scale: 0.1 }, { startWorker: false })
    queue = h.config.temporal.taskQueue
  }, TEST_MS)

  afterAll(async () => {
    for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => undefined)
    // The test's schedules live on the shared dev server: every one of its task queue goes.
    if (h) {
      for await (const summary of h.client.schedule.list()) {
        if (scheduleNameOf(summary.scheduleId, queue)) {
          await h.client.schedule
            .getHandle(summary.scheduleId)
            .delete()
            .catch(() => undefined)
        }
      }
    }
    await h?.close()
  }, TEST_MS)

  it(
    'with a run in progress, a second trigger is skipped (SKIP)',
    async () => {
      await createSchedule(h.client, h.config, declaration('test-skip', 'skip'))
      expect(await triggerSchedule(h.client, h.config, 'test-skip')).toBe('skip') // its own policy, passed
      const first = await untilFacts('test-skip', 'the first trigger taken', (f) => f.recentRuns.length === 1)
      expect(first.runningWorkflows).toEqual([first.recentRuns[0]?.workflowId])
      await afterTheSecondOf(first.recentRuns[0])
      await triggerSchedule(h.client, h.config, 'test-skip')
      const after = await untilFacts('test-skip', 'the second trigger skipped', (f) => f.skippedOverlap === 1)
      expect(after).toMatchObject({ actionsTaken: 1, buffered: 0, runningWorkflows: first.runningWorkflows })
      expect(after.recentRuns).toEqual(first.recentRuns)
    },
    TEST_MS,
  )

  it(
    'with a run in progress, a trigger is buffered (BUFFER_ONE), and one more is skipped',
    async () => {
      await createSchedule(h.client, h.config, declaration('test-buffer', 'buffer-one'))
      await triggerSchedule(h.client, h.config, 'test-buffer')
      const first = await untilFacts('test-buffer', 'the first trigger taken', (f) => f.recentRuns.length === 1)
      await afterTheSecondOf(first.recentRuns[0])
      await triggerSchedule(h.client, h.config, 'test-buffer')
      await untilFacts('test-buffer', 'the second trigger buffered', (f) => f.buffered === 1)
      await triggerSchedule(h.client, h.config, 'test-buffer')
      const after = await untilFacts('test-buffer', 'the third trigger skipped', (f) => f.skippedOverlap === 1)
      expect(after).toMatchObject({ actionsTaken: 1, buffered: 1, recentRuns: first.recentRuns })
    },
    TEST_MS,
  )

  it(
    'the triggered runs complete once a worker polls, the buffered one after: their ids say scheduled and when',
    async () => {
      await h.startWorker()
      const skipRun = (await facts('test-skip')).recentRuns[0]?.workflowId as string
      const bufferRun = (await facts('test-buffer')).recentRuns[0]?.workflowId as string
      await Promise.all([resultOf(skipRun), resultOf(bufferRun)])
      const buffered = await untilFacts('test-buffer', 'the buffered run taken', (f) => f.recentRuns.length === 2)
      const bufferedRun = buffered.recentRuns[1]?.workflowId as string
      await resultOf(bufferedRun)

      const stamp = /-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
      for (const [name, workflowId] of [
        ['test-skip', skipRun],
        ['test-buffer', bufferRun],
        ['test-buffer', bufferedRun],
      ] as const) {
        expect(workflowId.startsWith(`paccafe-pipeline-scheduled-${name}.${queue}-`)).toBe(true)
        expect(workflowId).toMatch(stamp)
        const description = await h.client.workflow.getHandle(workflowId).describe()
        expect(description.status.name).toBe('COMPLETED')
        expect(description.type).toBe('pipelineRun')
        expect(description.searchAttributes.TemporalScheduledById).toEqual([scheduleIdFor(name, queue)])
        expect(description.memo?.deployment).toBe(await deploymentOf(h.warehouse))
        const [run] = await h.warehouse`select status, mode from etl.runs where run_id = ${runIdOf(workflowId)}`
        expect(run).toEqual({ status: 'succeeded', mode: 'full' })
      }
      // The run id: scheduled-<name>.<task queue>-<nominal time, compact>.
      const nominal = new Date((await facts('test-skip')).recentRuns[0]?.scheduledAt as string)
      nominal.setUTCMilliseconds(0)
      expect(runIdOf(skipRun)).toBe(scheduledRunIdFor('test-skip', queue, nominal))
      // The buffered run started once the one before it had closed.
      const before = await h.client.workflow.getHandle(bufferRun).describe()
      const after = await h.client.workflow.getHandle(bufferedRun).describe()
      expect(after.startTime.getTime()).toBeGreaterThanOrEqual(before.closeTime?.getTime() ?? Number.POSITIVE_INFINITY)
      // The runs are found by their task queue, as the Web UI lists them.
      const listed: string[] = []
      const pipelineRuns = `TaskQueue = "${queue}" AND WorkflowType = "pipelineRun"`
      for await (const workflow of h.client.workflow.list({ query: pipelineRuns })) {
        listed.push(workflow.workflowId)
      }
      expect(listed.sort()).toEqual([skipRun, bufferRun, bufferedRun].sort())
    },
    TEST_MS,
  )

  it(
    'a paused schedule does not fire, while the same spec unpaused fires all along',
    async () => {
      const deployment = await deploymentOfWarehouse(h.config)
      const everyTwoSeconds = { intervals: [{ every: '2s' }], timezone: h.config.timezone }
      const paused = scheduleOptions(declaration('test-paused', 'skip'), h.config, deployment, {
        paused: true,
        note: 'paused by the test',
      })
      await h.client.schedule.create({ ...paused, spec: everyTwoSeconds })
      // The witness starts its runs on a task queue no worker polls: the first stays in progress.
      const idleQueue = `${queue}-idle`
      cleanUps.push(() => terminateAll(h.client, idleQueue))
      const witness = scheduleOptions(declaration('test-witness', 'skip'), h.config, deployment)
      await h.client.schedule.create({
        ...witness,
        spec: everyTwoSeconds,
        action: { ...witness.action, taskQueue: idleQueue },
      })
      await untilFacts('test-witness', 'five firings', (f) => f.actionsTaken + f.skippedOverlap >= 5)
      const quiet = await facts('test-paused')
      await h.client.schedule.getHandle(witness.scheduleId).delete()
      await terminateAll(h.client, idleQueue)
      expect(quiet).toMatchObject({ paused: true, note: 'paused by the test', actionsTaken: 0, recentRuns: [] })
      expect(quiet.skippedOverlap + quiet.missedCatchupWindow).toBe(0)
      // No run of the paused one, by the query that finds the witness's.
      const startedBy = async (name: string) => {
        const ids: string[] = []
        const query = `TemporalScheduledById = "${scheduleIdFor(name, queue)}"`
        for await (const workflow of h.client.workflow.list({ query })) ids.push(workflow.workflowId)
        return ids
      }
      expect(await startedBy('test-paused')).toEqual([])
      expect((await startedBy('test-witness')).length).toBeGreaterThan(0)
    },
    TEST_MS,
  )

  it(
    'a backfill runs the declared range, both ends included, one run after another',
    async () => {
      await createSchedule(
        h.client,
        h.config,
        {
          name: 'test-backfill',
          mode: 'incremental',
          at: { kind: 'hourly', minute: 0 },
          overlap: 'skip',
          catchupWindow: '1h',
        },
        { paused: true, note: 'only backfilled' },
      )
      const start = new Date('2026-12-01T01:00:00Z')
      const end = new Date('2026-12-01T02:00:00Z')
      await backfillSchedule(h.client, h.config, 'test-backfill', { start, end })
      const taken = await untilFacts('test-backfill', 'both slots taken', (f) => f.recentRuns.length === 2)
      expect(taken.recentRuns.map((run) => run.scheduledAt)).toEqual([
        '2026-12-01T01:00:00.000Z',
        '2026-12-01T02:00:00.000Z',
      ])
      const [first, second] = taken.recentRuns.map((run) => run.workflowId) as [string, string]
      expect(first).toBe(`paccafe-pipeline-scheduled-test-backfill.${queue}-2026-12-01T01:00:00Z`)
      expect(second).toBe(`paccafe-pipeline-scheduled-test-backfill.${queue}-2026-12-01T02:00:00Z`)
      await resultOf(first)
      await resultOf(second)
      const runs = await h.warehouse`
        select run_id, status, mode from etl.runs where run_id like ${'scheduled-test-backfill.%'} order by run_id`
      expect(runs).toEqual([
        { run_id: `scheduled-test-backfill.${queue}-20261201T010000Z`, status: 'succeeded', mode: 'incremental' },
        { run_id: `scheduled-test-backfill.${queue}-20261201T020000Z`, status: 'succeeded', mode: 'incremental' },
      ])
      const one = await h.client.workflow.getHandle(first).describe()
      const two = await h.client.workflow.getHandle(second).describe()
      expect(two.startTime.getTime()).toBeGreaterThanOrEqual(one.closeTime?.getTime() ?? Number.POSITIVE_INFINITY)
      expect((await facts('test-backfill')).paused).toBe(true) // a backfill leaves the state as it was
    },
    TEST_MS,
  )

  it(
    'a scheduled run that fails pauses its schedule, with a note saying why',
    async () => {
      await createSchedule(h.client, h.config, declaration('test-failing', 'skip'))
      expect((await facts('test-failing')).paused).toBe(false)
      // Schema drift in the source: the run fails at once, not retried (as in run-failures.test.ts).
      await h.source`alter table employees drop column role`
      cleanUps.push(() => h.source`alter table employees add column if not exists role varchar(50)`)
      await triggerSchedule(h.client, h.config, 'test-failing')
      const taken = await untilFacts('test-failing', 'the trigger taken', (f) => f.recentRuns.length === 1)
      const workflowId = taken.recentRuns[0]?.workflowId as string
      await expect(resultOf(workflowId)).rejects.toThrow(/Workflow execution failed/)
      const paused = await untilFacts('test-failing', 'paused by the failure', (f) => f.paused)
      // The server's note: the failed workflow and its failure.
      expect(paused.note).toMatch(/^paused due to workflow failure: /)
      expect(paused.note).toContain(
        `${workflowId}: Run ${runIdOf(workflowId)} failed: Schema drift in source table public.employees`,
      )
      const [run] = await h.warehouse`select status, error from etl.runs where run_id = ${runIdOf(workflowId)}`
      expect(run?.status).toBe('failed')
      expect(run?.error).toMatch(/Schema drift in source table public\.employees/)
      await h.source`alter table employees add column if not exists role varchar(50)`
    },
    TEST_MS,
  )

  it(
    'schedules survive a restart of the dev server: list and describe show them with their policies',
    async () => {
      const [port, uiPort] = [await freePort(), await freePort()]
      const dir = await mkdtemp(path.join(tmpdir(), 'paccafe-schedules-'))
      cleanUps.push(() => rm(dir, { recursive: true, force: true }))
      const dbFile = path.join(dir, 'temporal.sqlite')
      let server: OwnedProcess = await startTemporalServer(port, uiPort, dbFile)
      cleanUps.push(() => server.kill())
      const config = { ...h.config, temporal: { ...h.config.temporal, address: `127.0.0.1:${port}` } }
      const client = await connectClient(config)
      let before: ScheduleFacts[] = []
      try {
        expect((await initSchedules(client, config)).map((o) => [o.name, o.outcome])).toEqual([
          ['hourly-incremental', 'created'],
          ['nightly-full', 'created'],
        ])
        await pauseSchedule(client, config, 'nightly-full', 'paused before the restart')
        // init again: nothing to change, and the pause is kept.
        expect((await initSchedules(client, config)).map((o) => o.outcome)).toEqual(['unchanged', 'unchanged'])
        before = await listSchedules(client, config)
        await server.kill()
        server = await startTemporalServer(port, uiPort, dbFile)
      } finally {
        await client.connection.close()
      }
      const again = await connectClient(config)
      try {
        let after: ScheduleFacts[] = []
        await until(
          'the restarted server to list the schedules',
          async () => {
            after = await listSchedules(again, config).catch(() => [])
            return after.length === 2
          },
          SCHEDULER_MS,
          500,
        )
        const stable = (f: ScheduleFacts) => ({ ...f, nextRuns: undefined, recentRuns: undefined })
        expect(after.map(stable)).toEqual(before.map(stable))
        expect(
          after.map((f) => [f.name, f.mode, f.at, f.timezone, f.overlap, f.catchupWindow, f.pauseOnFailure]),
        ).toEqual([
          ['hourly-incremental', 'incremental', '*:00', 'Asia/Jakarta', 'skip', '1h', true],
          ['nightly-full', 'full', '02:00', 'Asia/Jakarta', 'skip', '6h', true],
        ])
        const nightly = await describeSchedule(again, config, 'nightly-full')
        expect(nightly).toMatchObject({ paused: true, note: 'paused before the restart', taskQueue: queue })
        expect(nightly.deployment).toBe(await deploymentOf(h.warehouse))
        // init with another overlap policy updates both, each keeping its state and note.
        const updated = await initSchedules(again, config, { overlap: 'buffer-one' })
        expect(updated.map((o) => o.outcome)).toEqual(['updated', 'updated'])
        const now = await listSchedules(again, config)
        expect(now.map((f) => [f.name, f.overlap, f.paused, f.note])).toEqual([
          ['hourly-incremental', 'buffer-one', false, 'created by paccafe schedule'],
          ['nightly-full', 'buffer-one', true, 'paused before the restart'],
        ])
      } finally {
        await again.connection.close()
      }
    },
    TEST_MS,
  )

  it(
    'the CLI: schedule init, then list --json; a bad flag exits non-zero with its one line',
    async () => {
      const env = environmentOf(h.config)
      const init = await runPaccafe(['schedule', 'init', '--paused'], env)
      expect(init.stderr).toBe('')
      expect(init.code).toBe(0)
      expect(init.stdout).toContain(`hourly-incremental     created   paccafe-hourly-incremental.${queue}`)
      const list = await runPaccafe(['schedule', 'list', '--json'], env)
      expect(list.code).toBe(0)
      const listed = (JSON.parse(list.stdout) as ScheduleFacts[]).filter((f) =>
        ['hourly-incremental', 'nightly-full'].includes(f.name),
      )
      expect(listed.map((f) => [f.name, f.scheduleId, f.mode, f.at, f.overlap, f.paused])).toEqual([
        ['hourly-incremental', `paccafe-hourly-incremental.${queue}`, 'incremental', '*:00', 'skip', true],
        ['nightly-full', `paccafe-nightly-full.${queue}`, 'full', '02:00', 'skip', true],
      ])
      expect(listed[0]?.note).toMatch(/^created paused by .+ with paccafe schedule init$/)
      // The same facts as the client's.
      const own = (await listSchedules(h.client, h.config)).filter((f) => f.name === 'nightly-full')
      expect(listed.filter((f) => f.name === 'nightly-full')).toEqual(JSON.parse(JSON.stringify(own)))

      // Pause and unpause with a note, which describe shows.
      const pause = await runPaccafe(['schedule', 'pause', 'nightly-full', '--note', 'POS migration tonight'], env)
      expect(pause).toMatchObject({ code: 0, stdout: 'paused nightly-full: POS migration tonight\n' })
      const unpause = await runPaccafe(['schedule', 'unpause', 'nightly-full', '--note', 'migration done'], env)
      expect(unpause.code).toBe(0)
      const described = await runPaccafe(['schedule', 'describe', 'nightly-full', '--json'], env)
      expect(JSON.parse(described.stdout)).toMatchObject({ paused: false, note: 'migration done' })
      await pauseSchedule(h.client, h.config, 'nightly-full', 'paused again by the test') // until afterAll deletes it

      for (const [args, line] of [
        [
          ['schedule', 'create', 'late', '--mode', 'full', '--at', '25:00'],
          'paccafe: --at "25:00" is not a time, expected HH:MM from 00:00 to 23:59 (every day) or *:MM (every hour), such as 02:00 or *:00',
        ],
        [
          ['schedule', 'init', '--overlap', 'allow-all'],
          'paccafe: --overlap "allow-all" is not an overlap policy, expected skip or buffer-one',
        ],
        [
          ['schedule', 'backfill', 'nightly-full', '--from', '2026-12-02T00:00Z', '--to', '2026-12-01T00:00Z'],
          'paccafe: --to 2026-12-01T00:00:00.000Z is not after --from 2026-12-02T00:00:00.000Z, expected the end of the range after its start',
        ],
        [
          ['schedule', 'pause', 'no-such-schedule'],
          `paccafe: there is no schedule no-such-schedule (paccafe-no-such-schedule.${queue}) on this task queue, expected one of paccafe schedule list`,
        ],
      ] as const) {
        const result = await runPaccafe([...args], env)
        expect(result.code, args.join(' ')).not.toBe(0)
        expect(result.stderr.trim()).toBe(line)
        expect(result.stdout).toBe('')
      }
      const help = await runPaccafe(['schedule', 'trigger', '--help'], env)
      expect(help.code).toBe(0)
      expect(help.stdout).toContain('Example:\n  $ paccafe schedule trigger nightly-full')
    },
    TEST_MS,
  )
})

async function terminateAll(client: Client, taskQueue: string): Promise<void> {
  for await (const workflow of client.workflow.list({
    query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`,
  })) {
    await client.workflow
      .getHandle(workflow.workflowId)
      .terminate('test over')
      .catch(() => undefined)
  }
}
