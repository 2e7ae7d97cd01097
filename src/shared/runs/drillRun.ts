/**
 * A drill-only run: the restore drill of one recovery point, asked for by an operator (`iris-backup-guard drill`)
 * outside the nightly backup. It is a Run that starts in 'restore-running' with its point chosen, no backup of its
 * own (`backup: {}`) and no verdict, and then goes restore → verify → cleanup → done/failed as a nightly drill does.
 */
import type { RecoveryPoint } from '../azure/backupGateway';
import type { DrillTargetSettings } from '../drills/drillPolicy';
import { drillPointOf, drillVmName, newRunDrill } from '../drills/drillTarget';
import { runPointOf } from './phases/recoveryPoint';
import { RUN_SCHEMA_VERSION, runIdOf, runNumber, vmKeyOf, type Run, type RunTarget } from './run';

const YMD = /^\d{4}-\d{2}-\d{2}$/;

/** What separates a drill run's key from the nightly run's (a VM key never holds '~drill-'). */
const DRILL_SUFFIX = '~drill-';

/**
 * `${night}/${vmKey}~drill-${n}`: the n-th operator drill of the VM that night. It never equals the nightly run's
 * id (`${night}/${vmKey}`) nor another drill's, and holds no character a table key refuses ('/' only as the
 * night's separator, which runRepositoryOf splits on).
 */
export const drillRunIdOf = (night: string, vmKey: string, n: number): string => `${drillRunPrefix(night, vmKey)}${n}`;

/** A drill run's id without its number. */
export const drillRunPrefix = (night: string, vmKey: string): string => `${runIdOf(night, vmKey)}${DRILL_SUFFIX}`;

/** n of a drill run id of this VM and night, or undefined for any other id (the nightly run's included). */
export function drillRunNumber(runId: string, night: string, vmKey: string): number | undefined {
  return runNumber(runId, drillRunPrefix(night, vmKey));
}

export interface DrillRunInput {
  night: string;
  target: RunTarget;
  point: RecoveryPoint;
  /** The operator drill's number that night (1, 2, …): see drillRunIdOf. */
  n: number;
  drillTarget: DrillTargetSettings;
  at: string;
}

/**
 * The drill run, queued for its drill slot in 'restore-running'. Its drill VM is named with attempt n + 1: the
 * nightly run's drill of the same VM and night is attempt 1, so the two VMs never share a name.
 */
export function newDrillRun(input: DrillRunInput): Run {
  const { night, target, point, n, at } = input;
  if (!YMD.test(night)) throw new TypeError(`night must be YYYY-MM-DD, got '${night}'`);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`drill number must be 1 or more, got ${n}`);
  const vmKey = vmKeyOf(target.vmId);
  const vmName = drillVmName(runIdOf(night, vmKey), target.vmName, night, n + 1);
  return {
    schemaVersion: RUN_SCHEMA_VERSION,
    id: drillRunIdOf(night, vmKey, n),
    night,
    vmKey,
    target,
    stage: 'restore-running',
    createdAt: at,
    updatedAt: at,
    stageStartedAt: at,
    backup: {},
    recoveryPoint: runPointOf(point),
    drill: { ...newRunDrill(input.drillTarget, vmName, drillPointOf(point), at), onDemand: true },
    history: [],
  };
}
