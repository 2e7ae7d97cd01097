/**
 * Nightly protection: for each enrolled VM, create tonight's run (one per VM and night: a second call finds it and
 * skips), run the preflight, look for a backup already in progress, and trigger the backup. Later stages are moved
 * on by advanceRuns.
 */
import { isAppError, toError } from '../errors/appError';
import type { BackupJob, ProtectedVm } from '../gateways/backupGateway';
import type { VmInfo } from '../gateways/vmCommandGateway';
import { initialCommands } from '../runs/decide';
import { newRun, type RunStage } from '../runs/run';
import { driveRun } from './driveRun';
import { decideEnrollment, type Enrollment } from './enrollment';
import { listInProgressJobs } from './executeCommand';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';
import { targetOf } from './protectedItemOf';
import { runPolicyOf } from './runPolicyOf';

export type NightlyVmOutcome =
  | { vmId: string; outcome: 'started'; runId: string; stage: RunStage; reason?: string }
  /** Tonight's run already exists (an earlier call or another instance owns it). */
  | { vmId: string; outcome: 'exists'; runId: string }
  /** Another instance moved the run on while this one worked on it. */
  | { vmId: string; outcome: 'superseded'; runId: string }
  | { vmId: string; outcome: 'error'; error: string };

export interface NightlyResult {
  night: string;
  enrollment: Omit<Enrollment, 'enrolled'> & { enrolled: string[] };
  vms: NightlyVmOutcome[];
}

export async function listEnrollment(deps: ProtectionDeps): Promise<Enrollment> {
  const { settings, gateways } = deps;
  const protectedVms: ProtectedVm[] = [];
  for (const vault of settings.vaults)
    for await (const item of gateways.backup.listProtectedVms(vault)) protectedVms.push(item);
  const vms: VmInfo[] = [];
  const tag = settings.enrollment.tag;
  if (tag) {
    // A vault protects VMs of its own subscription, so those are the only ones worth listing.
    const subscriptions = [...new Set(settings.vaults.map((v) => v.subscriptionId.toLowerCase()))];
    for (const sub of subscriptions) for await (const vm of gateways.compute.listVms(sub)) vms.push(vm);
  }
  return decideEnrollment({ protectedVms, vms, listedVmIds: settings.enrollment.vmIds, ...(tag ? { tag } : {}) });
}

/**
 * Each vault's backup jobs in progress, listed once for the whole night instead of once per VM (a vault-wide list
 * per VM grows with the fleet squared). A vault whose list fails is left out: its runs list for themselves.
 */
async function inProgressJobsByVault(deps: ProtectionDeps, enrollment: Enrollment): Promise<Map<string, BackupJob[]>> {
  const byVault = new Map<string, BackupJob[]>();
  const now = deps.clock.now();
  for (const vaultId of new Set(enrollment.enrolled.map((e) => e.item.vault.id.toLowerCase()))) {
    try {
      byVault.set(vaultId, await listInProgressJobs(deps, vaultId, now));
    } catch (e) {
      deps.log.warn('Could not list the backup jobs in progress; each VM looks for itself', {
        vaultId,
        error: toError(e).message,
      });
    }
  }
  return byVault;
}

export async function runNightlyProtection(deps: ProtectionDeps, night: string): Promise<NightlyResult> {
  const enrollment = await listEnrollment(deps);
  if (enrollment.taggedNotProtected.length > 0 || enrollment.listedNotProtected.length > 0) {
    deps.log.warn('Enrolled VMs that no configured vault protects cannot be backed up', {
      taggedNotProtected: enrollment.taggedNotProtected,
      listedNotProtected: enrollment.listedNotProtected,
    });
  }
  const policy = runPolicyOf(deps.settings);
  const context = { inProgressJobs: await inProgressJobsByVault(deps, enrollment) };
  // First every VM gets tonight's run, then the runs are driven. If this invocation is cut short (a host time-out
  // during a long fleet's preflights), every VM already has its run and advanceRuns picks up the ones left behind.
  const created = await promisePool(enrollment.enrolled, deps.settings.maxConcurrency, async ({ item }) => {
    const run = newRun(night, targetOf(item), deps.clock.now().toISOString());
    try {
      return { item, stored: await deps.store.create(run) };
    } catch (e) {
      if (isAppError(e) && e.code === 'CONFLICT') return { item, exists: run.id };
      throw e;
    }
  });
  const settled = await promisePool(created, deps.settings.maxConcurrency, async (c): Promise<NightlyVmOutcome> => {
    if (!c.ok) throw c.error;
    const { item } = c.value;
    if (c.value.stored === undefined) return { vmId: item.vmId, outcome: 'exists', runId: c.value.exists ?? '' };
    const stored = c.value.stored;
    const result = await driveRun(deps, policy, stored, { commands: initialCommands(stored.run) }, context);
    if (result.kind === 'superseded') return { vmId: item.vmId, outcome: 'superseded', runId: stored.run.id };
    const r = result.stored.run;
    return {
      vmId: item.vmId,
      outcome: 'started',
      runId: r.id,
      stage: r.stage,
      ...(r.reason === undefined ? {} : { reason: r.reason }),
    };
  });
  const vms: NightlyVmOutcome[] = settled.map((s, i) =>
    s.ok
      ? s.value
      : { vmId: enrollment.enrolled[i]?.item.vmId ?? '', outcome: 'error', error: toError(s.error).message },
  );
  return {
    night,
    enrollment: { ...enrollment, enrolled: enrollment.enrolled.map((e) => e.item.vmId) },
    vms,
  };
}
