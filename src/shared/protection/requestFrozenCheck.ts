/**
 * Starts the frozen-IRIS check on a VM from outside its run's own flow (an Azure Monitor alert of a failed backup,
 * an operator): the request joins the VM's latest run (finished or not), whose remediation track checks and, when
 * IBG_AUTO_THAW allows, thaws. A VM the app does not protect is refused, never checked.
 */
import type { ProtectionDeps } from './protectionDeps';

export type FrozenCheckSource = 'monitor-alert' | 'event' | 'operator';

export type FrozenCheckRequestOutcome =
  | { outcome: 'requested'; runId: string }
  /** A check or thaw is already under way for the VM (the request is part of it). */
  | { outcome: 'already-checking'; runId: string }
  | { outcome: 'not-enrolled'; vmId: string };

export async function requestFrozenCheck(
  deps: ProtectionDeps,
  request: { vmId: string; reason: string; source: FrozenCheckSource },
): Promise<FrozenCheckRequestOutcome> {
  void deps;
  void request;
  throw new Error('requestFrozenCheck: being written by the lead');
}
