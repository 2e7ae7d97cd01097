/**
 * A backup of an enrolled VM that someone else triggered (the portal, a policy, a script): it becomes a tracked run
 * that adopts its job and gets a verdict like the app's own. The app's own trigger produces the same ARM event; a
 * VM with an active run, or a run whose request is this one, is left to that run.
 */
import type { ProtectedVm } from '../azure/backupGateway';
import { vmKeyOf } from '../runs/run';
import { newExternalBackupRun, trackedRunPrefix } from '../runs/trackedRun';
import { advanceRun } from './advanceRuns';
import { isEnrolled } from './enrolledVm';
import { targetOf } from './protectedItemOf';
import type { ProtectionDeps } from './protectionDeps';
import { createNumberedRun, recentNights, recentRunsOf } from './vmRuns';

export type ExternalBackupOutcome =
  | { outcome: 'tracked'; runId: string }
  /** The VM has an active run (this app's own backup, or one already tracked), or a run made this request. */
  | { outcome: 'already-tracked'; runId: string }
  | { outcome: 'not-enrolled'; vmName?: string };

/** An ARM event's time and the run's record of its own request differ by the POST's latency and clock skew. */
const SAME_REQUEST_MS = 10 * 60_000;

const ITEM_NAME = /\/protectedItems\/([^/]+)/i;

async function protectedItemFor(
  deps: ProtectionDeps,
  backup: { vaultId: string; vmName?: string; resourceUri: string },
): Promise<ProtectedVm | undefined> {
  const vault = deps.settings.vaults.find((v) => v.id.toLowerCase() === backup.vaultId.toLowerCase());
  if (vault === undefined) return undefined;
  const itemName = ITEM_NAME.exec(backup.resourceUri)?.[1]?.toLowerCase();
  for await (const item of deps.gateways.backup.listProtectedVms(vault)) {
    if (
      itemName !== undefined
        ? item.protectedItemName.toLowerCase() === itemName
        : item.vmName.toLowerCase() === backup.vmName?.toLowerCase()
    )
      return item;
  }
  return undefined;
}

export async function trackExternalBackup(
  deps: ProtectionDeps,
  backup: { vaultId: string; vmName?: string; resourceUri: string; at: string },
): Promise<ExternalBackupOutcome> {
  const item = await protectedItemFor(deps, backup);
  if (item === undefined || !(await isEnrolled(deps, item)))
    return { outcome: 'not-enrolled', ...(backup.vmName === undefined ? {} : { vmName: backup.vmName }) };
  const vmKey = vmKeyOf(item.vmId);
  const requestedAt = Number.isNaN(Date.parse(backup.at)) ? deps.clock.now().toISOString() : backup.at;
  const runs = await recentRunsOf(deps, vmKey);
  const owner = runs.find(
    (s) =>
      ['triggering', 'backup-running', 'preflight'].includes(s.run.stage) ||
      [s.run.backup.triggerRequestedAt, s.run.backup.retriggeredAt].some(
        (t) => t !== undefined && Math.abs(Date.parse(t) - Date.parse(requestedAt)) <= SAME_REQUEST_MS,
      ),
  );
  if (owner !== undefined) return { outcome: 'already-tracked', runId: owner.run.id };
  const night = recentNights(deps)[0] ?? '';
  const at = deps.clock.now().toISOString();
  const created = await createNumberedRun(deps, night, trackedRunPrefix('ext', night, vmKey), (n) =>
    newExternalBackupRun(night, targetOf(item), n, requestedAt, at),
  );
  // The job is in the vault's list already: follow it now rather than at the next tick.
  await advanceRun(deps, created.run.id);
  return { outcome: 'tracked', runId: created.run.id };
}
