/**
 * Starts the frozen-IRIS check on a VM from outside its run's own flow (an Azure Monitor alert of a failed backup,
 * an operator): the request joins the VM's latest run (finished or not), whose remediation track checks and, when
 * IBG_AUTO_THAW allows, thaws. A VM without a recent run gets a check-only run (runs/trackedRun.ts). A VM the app
 * does not protect and enrol is refused, never checked.
 */
import { parseVmId } from '../azure/armResourceId';
import { isRemediating } from '../remediation/remediationState';
import { vmKeyOf } from '../runs/run';
import { newCheckRun, trackedRunPrefix } from '../runs/trackedRun';
import { driveRun } from './driveRun';
import { enrolledVm } from './enrolledVm';
import { targetOf } from './protectedItemOf';
import type { ProtectionDeps } from './protectionDeps';
import { runPolicyOf } from './runPolicyOf';
import { createNumberedRun, recentNights, recentRunsOf } from './vmRuns';

export type FrozenCheckSource = 'monitor-alert' | 'event' | 'operator';

export type FrozenCheckRequestOutcome =
  | { outcome: 'requested'; runId: string }
  /** A check or thaw is already under way for the VM (the request is part of it). */
  | { outcome: 'already-checking'; runId: string }
  | { outcome: 'not-enrolled'; vmId: string };

const SOURCE_WORDS: Record<FrozenCheckSource, string> = {
  'monitor-alert': 'an Azure Monitor alert',
  event: 'an Azure event',
  operator: 'an operator',
};

export async function requestFrozenCheck(
  deps: ProtectionDeps,
  request: { vmId: string; reason: string; source: FrozenCheckSource },
): Promise<FrozenCheckRequestOutcome> {
  if (!parseVmId(request.vmId)) return { outcome: 'not-enrolled', vmId: request.vmId };
  const vmKey = vmKeyOf(request.vmId);
  let stored = (await recentRunsOf(deps, vmKey))[0];
  if (stored === undefined) {
    const item = await enrolledVm(deps, request.vmId);
    if (item === undefined) return { outcome: 'not-enrolled', vmId: request.vmId };
    const night = recentNights(deps)[0] ?? '';
    const at = deps.clock.now().toISOString();
    stored = await createNumberedRun(deps, night, trackedRunPrefix('check', night, vmKey), (n) =>
      newCheckRun(night, targetOf(item), n, at, SOURCE_WORDS[request.source]),
    );
  }
  if (isRemediating(stored.run.remediation)) return { outcome: 'already-checking', runId: stored.run.id };
  const at = deps.clock.now().toISOString();
  const event = { type: 'FrozenCheckRequested' as const, at, reason: request.reason, source: request.source };
  const result = await driveRun(deps, runPolicyOf(deps.settings), stored, { events: [event] });
  return { outcome: 'requested', runId: result.stored.run.id };
}
