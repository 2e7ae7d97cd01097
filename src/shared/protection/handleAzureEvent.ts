/**
 * What the app does with an ARM event (azureEvent.ts): a backup triggered outside the app becomes a tracked run
 * (trackExternalBackup), a VM newly tagged for enrolment is checked now (checkTaggedVm), and a drill VM written or
 * deleted moves its run at once (advanceRun) instead of at the next tick.
 *
 * Event Grid delivers at least once and in no particular order: an event id already in the ledger is a duplicate;
 * an event older than 24 h, or older than the state it would act on, is stale. Both are logged with the reason and
 * left alone. Nothing here throws: a throw makes Event Grid redeliver a poison event until it is dead-lettered, so
 * every failure is logged, recorded and returned.
 */
import { sameResourceId } from '../azure/armResourceId';
import { toError } from '../errors/appError';
import { isTerminalStage, vmKeyOf, type Run, type RunStage } from '../runs/run';
import { advanceRun } from './advanceRuns';
import type { AzureEvent } from './azureEvent';
import { checkTaggedVm, type TaggedVmCheckOutcome } from './checkTaggedVm';
import type { ProtectionDeps } from './protectionDeps';
import { trackExternalBackup, type ExternalBackupOutcome } from './trackExternalBackup';
import { recentRunsOf } from './vmRuns';
import { inDrillGroup } from '../drills/cleanupGuard';

export type AzureEventOutcome =
  | { outcome: 'malformed'; reason: string }
  | { outcome: 'duplicate'; reason: string }
  | { outcome: 'stale'; reason: string }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'backup'; result: ExternalBackupOutcome }
  | { outcome: 'drill-advanced'; runIds: string[]; stages: Record<string, RunStage> }
  | TaggedVmCheckOutcome
  | { outcome: 'failed'; error: string };

const DAY_MS = 86_400_000;
/** Azure's event time and our run times come from different clocks. */
const SKEW_MS = 5 * 60_000;

/** Why an event is too old to act on at `nowMs`, if it is. */
export function ageStaleReason(at: string, nowMs: number): string | undefined {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return undefined;
  return nowMs - t > DAY_MS ? `older than 24 h (sent ${at})` : undefined;
}

/**
 * Why a backup action is stale against the VM's latest run, if it is: sent before that run was created (it belongs
 * to an earlier backup the run already knows of), or the run's own trigger (the app's POST produces the same event).
 */
export function backupStaleReason(at: string, latest: Run | undefined): string | undefined {
  const t = Date.parse(at);
  if (latest === undefined || Number.isNaN(t)) return undefined;
  if (t < Date.parse(latest.createdAt) - SKEW_MS)
    return `sent before the VM's latest run ${latest.id} was created (${latest.createdAt})`;
  for (const requested of [latest.backup.triggerRequestedAt, latest.backup.retriggeredAt]) {
    if (requested !== undefined && Math.abs(t - Date.parse(requested)) <= SKEW_MS && isTerminalStage(latest.stage))
      return `the backup that run ${latest.id} triggered itself (${requested})`;
  }
  return undefined;
}

async function onBackupTriggered(
  deps: ProtectionDeps,
  event: Extract<AzureEvent, { kind: 'backup-triggered' }>,
): Promise<AzureEventOutcome> {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(event.vaultId)?.[1];
  if (event.vmName !== undefined && event.vmResourceGroup !== undefined && sub !== undefined) {
    const vmId = `/subscriptions/${sub}/resourceGroups/${event.vmResourceGroup}/providers/Microsoft.Compute/virtualMachines/${event.vmName}`;
    const stale = backupStaleReason(event.at, (await recentRunsOf(deps, vmKeyOf(vmId)))[0]?.run);
    if (stale !== undefined) return { outcome: 'stale', reason: stale };
  }
  const result = await trackExternalBackup(deps, {
    vaultId: event.vaultId,
    resourceUri: event.resourceUri,
    at: event.at,
    ...(event.vmName === undefined ? {} : { vmName: event.vmName }),
  });
  return { outcome: 'backup', result };
}

/** A VM in the drill resource group: the active runs whose drill VM it is move now (advancing re-reads Azure). */
async function onDrillVm(deps: ProtectionDeps, vmId: string): Promise<AzureEventOutcome> {
  const runs = (await deps.store.listActive()).filter((s) => s.run.drill && sameResourceId(s.run.drill.vmId, vmId));
  if (runs.length === 0)
    return { outcome: 'ignored', reason: 'a VM in the drill resource group that no active run drills' };
  const stages: Record<string, RunStage> = {};
  for (const { run } of runs) Object.assign(stages, (await advanceRun(deps, run.id)).stages);
  return { outcome: 'drill-advanced', runIds: runs.map((s) => s.run.id), stages };
}

/** A VM in the configured drill resource group (drills/cleanupGuard.ts decides what is in it). */
const isDrillGroupVm = (deps: ProtectionDeps, vmId: string): boolean => {
  const target = deps.settings.drills?.target;
  return target !== undefined && inDrillGroup(vmId, target);
};

async function act(deps: ProtectionDeps, event: AzureEvent): Promise<AzureEventOutcome> {
  switch (event.kind) {
    case 'malformed':
      return { outcome: 'malformed', reason: event.reason };
    case 'ignored':
      return { outcome: 'ignored', reason: event.reason };
    case 'backup-triggered':
      return onBackupTriggered(deps, event);
    case 'vm-written':
      return isDrillGroupVm(deps, event.vmId) ? onDrillVm(deps, event.vmId) : checkTaggedVm(deps, event.vmId);
    case 'vm-deleted':
      return isDrillGroupVm(deps, event.vmId)
        ? onDrillVm(deps, event.vmId)
        : { outcome: 'ignored', reason: 'a VM deleted outside the drill resource group' };
  }
}

/** The outcome in a few words, for the ledger. */
const summary = (o: AzureEventOutcome): string => {
  if ('reason' in o) return `${o.outcome}: ${o.reason}`;
  if (o.outcome === 'backup') return `backup: ${o.result.outcome}`;
  if (o.outcome === 'failed') return `failed: ${o.error}`;
  return o.outcome;
};

export async function handleAzureEvent(deps: ProtectionDeps, event: AzureEvent): Promise<AzureEventOutcome> {
  const at = deps.clock.now().toISOString();
  if (event.kind === 'malformed') {
    deps.log.warn('Malformed Azure event: not acted on', { id: event.id, reason: event.reason, raw: event.raw });
    try {
      // Keyed by id when it has one, else by its text: a redelivery of the same event is one entry.
      await deps.events?.record({
        kind: 'malformed-event',
        key: event.id || event.raw,
        at,
        outcome: event.reason,
        raw: event.raw,
      });
    } catch (e) {
      deps.log.error('Could not record a malformed Azure event', { id: event.id, error: toError(e).message });
    }
    return { outcome: 'malformed', reason: event.reason };
  }
  let outcome: AzureEventOutcome;
  try {
    const seen = await deps.events?.get('event', event.id);
    const stale = ageStaleReason(event.at, deps.clock.now().getTime());
    if (seen !== undefined)
      return logged(deps, event, { outcome: 'duplicate', reason: `already received at ${seen.at}` });
    outcome = stale !== undefined ? { outcome: 'stale', reason: stale } : await act(deps, event);
  } catch (e) {
    outcome = { outcome: 'failed', error: toError(e).message };
  }
  try {
    const recorded = await deps.events?.record({ kind: 'event', key: event.id, at, outcome: summary(outcome) });
    if (recorded === 'duplicate') deps.log.info('Azure event received twice at once', { id: event.id });
  } catch (e) {
    deps.log.error('Could not record an Azure event in the ledger', { id: event.id, error: toError(e).message });
  }
  return logged(deps, event, outcome);
}

function logged(
  deps: ProtectionDeps,
  event: Exclude<AzureEvent, { kind: 'malformed' }>,
  outcome: AzureEventOutcome,
): AzureEventOutcome {
  const details = { id: event.id, schema: event.schema, kind: event.kind, at: event.at, ...outcome };
  if (outcome.outcome === 'failed') deps.log.error('Azure event could not be acted on', details);
  else if (outcome.outcome === 'stale' || outcome.outcome === 'duplicate' || outcome.outcome === 'ignored')
    deps.log.info(`Azure event ${outcome.outcome}: ${outcome.reason}`, details);
  else deps.log.info(`Azure event handled: ${summary(outcome)}`, details);
  return outcome;
}
