/** Rebuilds the gateway's protected-item reference from what a run stored. */
import { parseVaultId } from '../azure/armResourceId';
import type { ProtectedVm, VaultRef } from '../azure/backupGateway';
import type { Settings } from '../config/settings';
import type { Run, RunTarget } from '../runs/run';

export function vaultRefOf(settings: Settings, vaultId: string): VaultRef {
  const configured = settings.vaults.find((v) => v.id.toLowerCase() === vaultId.toLowerCase());
  if (configured) return configured;
  const parts = parseVaultId(vaultId);
  if (!parts) throw new TypeError(`Not a Recovery Services vault id: '${vaultId}'`);
  return { id: vaultId, ...parts };
}

export const protectedItemOf = (settings: Settings, run: Run): ProtectedVm => ({
  vault: vaultRefOf(settings, run.target.vaultId),
  vmId: run.target.vmId,
  vmName: run.target.vmName,
  containerName: run.target.containerName,
  protectedItemName: run.target.protectedItemName,
});

export const targetOf = (item: ProtectedVm): RunTarget => ({
  vmId: item.vmId,
  vmName: item.vmName,
  vaultId: item.vault.id,
  containerName: item.containerName,
  protectedItemName: item.protectedItemName,
});
