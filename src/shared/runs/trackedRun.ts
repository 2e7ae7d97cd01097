/**
 * Runs the app starts for something it did not ask for: a backup someone else triggered (`~ext-<n>`), and a
 * frozen-IRIS check asked for by an Azure Monitor alert when the VM has no run to join (`~check-<n>`). Like an
 * operator's drill run (drillRun.ts) they never share an id with the nightly run or each other.
 */
import { RUN_SCHEMA_VERSION, runIdOf, vmKeyOf, type Run, type RunTarget } from './run';

export type TrackedRunKind = 'ext' | 'check';

/** The id of such a run without its number: `<night>/<vmKey>~<kind>-`. */
export const trackedRunPrefix = (kind: TrackedRunKind, night: string, vmKey: string): string =>
  `${runIdOf(night, vmKey)}~${kind}-`;

export const trackedRunIdOf = (kind: TrackedRunKind, night: string, vmKey: string, n: number): string =>
  `${trackedRunPrefix(kind, night, vmKey)}${n}`;

function base(id: string, night: string, target: RunTarget, at: string): Omit<Run, 'stage' | 'backup'> {
  return {
    schemaVersion: RUN_SCHEMA_VERSION,
    id,
    night,
    vmKey: vmKeyOf(target.vmId),
    target,
    createdAt: at,
    updatedAt: at,
    stageStartedAt: at,
    history: [],
  };
}

/**
 * A run following a backup requested by someone else at `requestedAt`: it starts in 'triggering' with the request
 * recorded as external, so it only looks for the job that request made (advanceRuns' job list), never asks for one.
 */
export function newExternalBackupRun(
  night: string,
  target: RunTarget,
  n: number,
  requestedAt: string,
  at: string,
): Run {
  const id = trackedRunIdOf('ext', night, vmKeyOf(target.vmId), n);
  return {
    ...base(id, night, target, at),
    stage: 'triggering',
    backup: { triggerRequestedAt: requestedAt, external: true },
  };
}

/**
 * A run that only carries a remediation (its stage is 'done' from the start: there is no backup of its own); the
 * caller feeds it FrozenCheckRequested, and the open track keeps it ticked until the check is over.
 */
export function newCheckRun(night: string, target: RunTarget, n: number, at: string, reason: string): Run {
  const id = trackedRunIdOf('check', night, vmKeyOf(target.vmId), n);
  return {
    ...base(id, night, target, at),
    stage: 'done',
    finishedAt: at,
    backup: {},
    reason: `No backup: a run for the frozen-IRIS check asked for by ${reason}`,
  };
}
