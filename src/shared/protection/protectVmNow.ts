/**
 * One VM's protection cycle, now (the CLI's `backup` command): the VM must be protected by a configured vault; then
 * the same run as the nightly one (preflight, look for a job in progress, trigger). One run per VM and night, so
 * when tonight's run exists it is returned as it is and nothing is triggered again.
 */
import { AppError, isAppError } from '../errors/appError';
import { parseVmId } from '../azure/armResourceId';
import type { ProtectedVm } from '../azure/backupGateway';
import { newRun, runIdOf, vmKeyOf } from '../runs/run';
import { driveRun } from './driveRun';
import type { ProtectionDeps } from './protectionDeps';
import { targetOf } from './protectedItemOf';
import type { StoredRun } from './runRepository';
import { runPolicyOf } from './runPolicyOf';

export type ProtectNowOutcome =
  | { outcome: 'started'; stored: StoredRun }
  /** Tonight's run already existed (the nightly timer or an earlier call); it is followed, not repeated. */
  | { outcome: 'exists'; stored: StoredRun }
  /** Another instance moved the run on while this one worked on it. */
  | { outcome: 'superseded'; stored: StoredRun };

const MODULE = 'protection';

/** The VM's protected item in the first configured vault that protects it; NOT_FOUND names the vaults checked. */
export async function findProtectedVm(deps: ProtectionDeps, vmId: string): Promise<ProtectedVm> {
  const key = vmId.toLowerCase();
  for (const vault of deps.settings.vaults) {
    for await (const item of deps.gateways.backup.listProtectedVms(vault)) {
      if (item.vmId.toLowerCase() === key) return item;
    }
  }
  const vaults = deps.settings.vaults.map((v) => v.id);
  throw new AppError('NOT_FOUND', {
    module: MODULE,
    message:
      `VM ${vmId} is not protected by any configured vault (checked ${vaults.length}: ${vaults.join(', ')}). ` +
      'Enable Azure Backup for it in one of them, or add its vault to IBG_VAULT_IDS.',
  });
}

export async function protectVmNow(deps: ProtectionDeps, vmId: string, night: string): Promise<ProtectNowOutcome> {
  if (!parseVmId(vmId)) {
    throw new AppError('INVALID_INPUT', { module: MODULE, message: `Not a virtual machine resource id: '${vmId}'` });
  }
  // Tonight's run first: following an existing run needs no vault listing.
  const existing = await deps.store.get(runIdOf(night, vmKeyOf(vmId)));
  if (existing) return { outcome: 'exists', stored: existing };
  const item = await findProtectedVm(deps, vmId);
  const run = newRun(night, targetOf(item), deps.clock.now().toISOString());
  let created: StoredRun;
  try {
    created = await deps.store.create(run);
  } catch (e) {
    if (!isAppError(e) || e.code !== 'CONFLICT') throw e;
    const raced = await deps.store.get(run.id);
    if (!raced) throw e;
    return { outcome: 'exists', stored: raced };
  }
  // The user waits for this run: its probe starts at once, outside the fleet's Run Command budget.
  const events = [{ type: 'ScriptSlotGranted' as const, at: deps.clock.now().toISOString() }];
  const result = await driveRun(deps, runPolicyOf(deps.settings), created, { events });
  return { outcome: result.kind === 'superseded' ? 'superseded' : 'started', stored: result.stored };
}
