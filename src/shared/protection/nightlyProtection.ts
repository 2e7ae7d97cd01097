/**
 * Nightly protection: sweep the app's stale Run Commands from the enrolled VMs, create tonight's run for each (one
 * per VM and night: a second call finds it and skips), and start the preflight probes that the subscriptions' Run
 * Command budget allows. Nothing here waits for a script: advanceRuns reads them on its ticks, starts the queued
 * ones as slots free up, and moves the runs on to their backups.
 */
import type { Alert } from '../alerts/alert';
import { raiseAlert } from './alertDelivery';
import { dedupKey } from '../alerts/alertDedup';
import { scopeFailureAlert } from '../alerts/scopeFailureAlert';
import { isAppError, toError } from '../errors/appError';
import type { BackupJob } from '../azure/backupGateway';
import { newRun, type RunStage } from '../runs/run';
import { grantScriptSlots } from '../runs/scriptSlots';
import { driveRun } from './driveRun';
import type { Enrollment } from './enrollment';
import { listInProgressJobs } from './commands/backupJobs';
import { listEnrollment, vaultFailure } from './listEnrollment';
import { refreshEvidenceIndex } from './refreshEvidenceIndex';
import { previousNight } from './night';
import { promisePool } from './promisePool';
import { type ProtectionDeps } from './protectionDeps';
import { targetOf, vaultRefOf } from './protectedItemOf';
import { runPolicyOf } from './runPolicyOf';
import { sweepRunCommands } from './sweepRunCommands';
import { sweepDrillResources } from './sweepDrillResources';
import { staleDrillVms } from '../drills/staleDrills';
import type { DrillRecord } from '../drills/drillRecord';

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
  /** Vaults and subscriptions that could not be read tonight, one alert each (also raised through deps.alerts). */
  alerts: Alert[];
}

/**
 * Each vault's backup jobs in progress, listed once for the whole night instead of once per VM (a vault-wide list
 * per VM grows with the fleet squared). A vault whose list fails is left out: its runs list for themselves, and an
 * alert says so (a refusal here will refuse those runs too).
 */
async function inProgressJobsByVault(
  deps: ProtectionDeps,
  enrollment: Enrollment,
  alerts: Alert[],
): Promise<Map<string, BackupJob[]>> {
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
      const failure = vaultFailure(
        e,
        vaultRefOf(deps.settings, vaultId),
        'listBackupJobs',
        'Its runs look for their own jobs, and cannot follow their backups while this lasts',
      );
      alerts.push(scopeFailureAlert(failure, now.toISOString()));
    }
  }
  return byVault;
}

export async function runNightlyProtection(deps: ProtectionDeps, night: string): Promise<NightlyResult> {
  // First: a call cut short from here on is made again by a later advance tick (nightLedger.ts).
  await deps.nights
    ?.started(night, deps.clock.now().toISOString())
    .catch((e) => deps.log.warn('Could not record the nightly call as begun', { error: toError(e).message }));
  const { enrollment, alerts } = await listEnrollment(deps);
  const everyScopeRead = alerts.length === 0;
  if (enrollment.taggedNotProtected.length > 0 || enrollment.listedNotProtected.length > 0) {
    deps.log.warn('Enrolled VMs that no configured vault protects cannot be backed up', {
      taggedNotProtected: enrollment.taggedNotProtected,
      listedNotProtected: enrollment.listedNotProtected,
    });
  }
  const policy = runPolicyOf(deps.settings);
  const context = { inProgressJobs: await inProgressJobsByVault(deps, enrollment, alerts) };
  // Raised before the runs are driven, so that a host time-out later in the invocation cannot lose them.
  for (const alert of alerts)
    await raiseAlert(deps, `nightly/${night}/${dedupKey(alert)}`, alert).catch(() => undefined);
  const vmIds = enrollment.enrolled.map((e) => e.item.vmId);
  await sweepRunCommands(
    deps,
    vmIds,
    (await deps.store.listActive()).map((s) => s.run),
  ).catch((e) => deps.log.warn('Could not sweep stale Run Commands', { error: toError(e).message }));
  if (deps.settings.drills !== undefined) await drillHousekeeping(deps, alerts);
  // First every VM gets tonight's run, then the runs are driven. If this invocation is cut short, every VM already
  // has its run and advanceRuns picks up the ones left behind.
  const created = await promisePool(enrollment.enrolled, deps.settings.maxConcurrency, async ({ item }) => {
    const run = newRun(night, targetOf(item), deps.clock.now().toISOString());
    try {
      return { item, stored: await deps.store.create(run) };
    } catch (e) {
      if (isAppError(e) && e.code === 'CONFLICT') return { item, exists: run.id };
      throw e;
    }
  });
  // Slots are counted over every active run, so scripts still running from an earlier call hold theirs.
  const granted = grantScriptSlots(
    (await deps.store.listActive()).map((s) => s.run),
    deps.settings.runCommandsPerSubscription,
  );
  const at = deps.clock.now().toISOString();
  const settled = await promisePool(created, deps.settings.maxConcurrency, async (c): Promise<NightlyVmOutcome> => {
    if (!c.ok) throw c.error;
    const { item } = c.value;
    if (c.value.stored === undefined) return { vmId: item.vmId, outcome: 'exists', runId: c.value.exists ?? '' };
    const stored = c.value.stored;
    const events = granted.has(stored.run.id) ? [{ type: 'ScriptSlotGranted' as const, at }] : [];
    const result = await driveRun(deps, policy, stored, { events }, context);
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
  // Finished once every enrolled VM of every vault has its run; otherwise a later tick calls again.
  if (everyScopeRead && created.every((c) => c.ok)) {
    await deps.nights
      ?.finished(night, deps.clock.now().toISOString())
      .catch((e) => deps.log.warn('Could not record the nightly call as finished', { error: toError(e).message }));
  }
  // Last, as the least urgent: yesterday's runs are folded into the evidence index again (mends a lost index write).
  await refreshEvidenceIndex(deps, previousNight(night)).catch((e) =>
    deps.log.warn('Could not refresh the evidence index', { error: toError(e).message }),
  );
  const vms: NightlyVmOutcome[] = settled.map((s, i) =>
    s.ok
      ? s.value
      : { vmId: enrollment.enrolled[i]?.item.vmId ?? '', outcome: 'error', error: toError(s.error).message },
  );
  return {
    night,
    enrollment: { ...enrollment, enrolled: enrollment.enrolled.map((e) => e.item.vmId) },
    vms,
    alerts,
  };
}

/**
 * Once a night with drills on: the orphan sweep of drill resources, and an alert for each VM with no passed drill
 * for IBG_DRILL_STALE_DAYS. Failures are logged; they never stop tonight's backups.
 */
async function drillHousekeeping(deps: ProtectionDeps, alerts: Alert[]): Promise<void> {
  await sweepDrillResources(deps).catch((e) =>
    deps.log.warn('Could not sweep the drill resource group', { error: toError(e).message }),
  );
  const days = deps.settings.drills?.staleAfterDays ?? 0;
  if (days <= 0 || deps.drillRecords === undefined) return;
  try {
    const records: DrillRecord[] = [];
    for await (const r of deps.drillRecords.list()) records.push(r);
    const at = deps.clock.now().toISOString();
    const day = at.slice(0, 10);
    for (const vm of staleDrillVms(records, deps.clock.now(), days)) {
      const alert: Alert = {
        severity: 'error',
        code: 'DrillOverdue',
        message: `${vm.vmName}: no restore drill has passed in ${days} days${vm.lastPassedAt === undefined ? ' (none ever passed)' : ` (last passed ${vm.lastPassedAt})`}; its backups are not proven restorable`,
        scope: { kind: 'vm', vmId: vm.vmId },
        at,
      };
      alerts.push(alert);
      await raiseAlert(deps, `drill-overdue/${day}/${dedupKey(alert)}`, alert);
    }
  } catch (e) {
    deps.log.warn('Could not check the VMs for overdue drills', { error: toError(e).message });
  }
}
