/** The recovery point as a run keeps it, and where to look for it. */
import type { RecoveryPoint } from '../../azure/backupGateway';
import type { Run, RunRecoveryPoint } from '../run';

/** Only the fields a run keeps: a listed point may carry more. `null`: looked for and none found. */
export const runPointOf = (point: RecoveryPoint | null): RunRecoveryPoint | null =>
  point === null ? null : { id: point.id, name: point.name, time: point.time, type: point.type, tiers: point.tiers };

/** The run's recovery point is the first one after its job started (or, before a job is known, its request). */
export const recoveryPointSince = (run: Run): string =>
  run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt;
