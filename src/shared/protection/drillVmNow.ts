/**
 * A restore drill of one VM now, outside the nightly backup (the CLI's `drill` command): the VM must be protected by
 * a configured vault and drills configured; the point is the newest, or the one asked for. It creates a drill-only
 * run (runs/drillRun.ts) and drives it as far as it goes at once; the caller follows it with advanceRun.
 */
import { parseVmId } from '../azure/armResourceId';
import type { ProtectedVm, RecoveryPoint } from '../azure/backupGateway';
import { drillSettingsProblems } from '../drills/drillTargetCheck';
import { AppError, isAppError } from '../errors/appError';
import { drillRunPrefix, newDrillRun } from '../runs/drillRun';
import { createNumberedRun } from './vmRuns';
import { vmKeyOf } from '../runs/run';
import { driveRun } from './driveRun';
import type { ProtectionDeps } from './protectionDeps';
import { findProtectedVm } from './protectVmNow';
import { targetOf } from './protectedItemOf';
import type { StoredRun } from './runRepository';
import { runPolicyOf } from './runPolicyOf';

const MODULE = 'drill';

/** How many of the newest points an unknown --recovery-point lists. */
const POINTS_LISTED = 5;

/** The drill cannot start as configured, or the VM or point is not one it can drill; nothing was created. */
export class DrillRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillRefused';
  }
}

export interface DrillNowOptions {
  /** A recovery point's name or id; absent: the newest. */
  recoveryPoint?: string;
}

export type DrillNowOutcome =
  | { outcome: 'started'; stored: StoredRun }
  /** Another instance moved the run on while this one worked on it. */
  | { outcome: 'superseded'; stored: StoredRun };

/** Why drills cannot run with these deps: the missing IBG_DRILL_* settings, or parts not wired. Empty: they can. */
export function drillConfigurationProblems(deps: ProtectionDeps): string[] {
  const drills = deps.settings.drills;
  if (drills === undefined) {
    return ['drills are off: set IBG_DRILL_ENABLED=true', ...drillSettingsProblems({})];
  }
  const problems = drillSettingsProblems(drills.target);
  if (deps.gateways.drills === undefined || deps.gateways.evidence === undefined || deps.drillRecords === undefined)
    problems.push('the drill gateways or the drill records table are not wired (IBG_EVIDENCE_CONTAINER_URL)');
  return problems;
}

const newestFirst = (a: RecoveryPoint, b: RecoveryPoint): number => Date.parse(b.time) - Date.parse(a.time);

const pointLine = (p: RecoveryPoint): string => `${p.name} (${p.time}, ${p.type})`;

/** The point asked for (by name or id, case-insensitive), else the newest; DrillRefused names the newest few. */
export function choosePoint(
  points: readonly RecoveryPoint[],
  wanted: string | undefined,
  vmName: string,
): RecoveryPoint {
  const sorted = [...points].sort(newestFirst);
  if (wanted === undefined) {
    const newest = sorted[0];
    if (newest === undefined) throw new DrillRefused(`${vmName} has no recovery point to drill yet; back it up first.`);
    return newest;
  }
  const key = wanted.toLowerCase();
  const found = sorted.find((p) => p.name.toLowerCase() === key || p.id.toLowerCase() === key);
  if (found !== undefined) return found;
  const listed = sorted.slice(0, POINTS_LISTED).map((p) => `  ${pointLine(p)}`);
  throw new DrillRefused(
    [
      `--recovery-point "${wanted}" is not a recovery point of ${vmName}.`,
      listed.length === 0
        ? `${vmName} has no recovery point yet.`
        : `Its newest ${listed.length === 1 ? 'point is' : `${listed.length} points are`} (name, time, type):`,
      ...listed,
    ].join('\n'),
  );
}

export async function drillVmNow(
  deps: ProtectionDeps,
  vmId: string,
  night: string,
  options: DrillNowOptions = {},
): Promise<DrillNowOutcome> {
  if (!parseVmId(vmId)) {
    throw new AppError('INVALID_INPUT', { module: MODULE, message: `Not a virtual machine resource id: '${vmId}'` });
  }
  const problems = drillConfigurationProblems(deps);
  const drills = deps.settings.drills;
  if (problems.length > 0 || drills === undefined) {
    throw new DrillRefused(['Restore drills are not configured:', ...problems.map((p) => `  ${p}`)].join('\n'));
  }
  let item: ProtectedVm;
  try {
    item = await findProtectedVm(deps, vmId);
  } catch (e) {
    if (isAppError(e) && e.code === 'NOT_FOUND') throw new DrillRefused(e.message);
    throw e;
  }
  const points: RecoveryPoint[] = [];
  for await (const p of deps.gateways.backup.listRecoveryPoints(item)) points.push(p);
  const point = choosePoint(points, options.recoveryPoint, item.vmName);

  const vmKey = vmKeyOf(item.vmId);
  // Another drill of the VM may take a number between the listing and the write: createNumberedRun takes the next.
  const created = await createNumberedRun(deps, night, drillRunPrefix(night, vmKey), (n) =>
    newDrillRun({
      night,
      target: targetOf(item),
      point,
      n,
      drillTarget: drills.target,
      at: deps.clock.now().toISOString(),
    }),
  );
  // The operator waits for this drill: it starts at once, outside the subscription's drill budget.
  const events = [{ type: 'DrillSlotGranted' as const, at: deps.clock.now().toISOString() }];
  const result = await driveRun(deps, runPolicyOf(deps.settings), created, { events });
  return { outcome: result.kind === 'superseded' ? 'superseded' : 'started', stored: result.stored };
}
