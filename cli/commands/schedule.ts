import type { Command } from 'commander'

/** `paccafe schedule ...`: the pipeline's Temporal schedules. */
export function registerScheduleCommand(_program: Command): void {}
