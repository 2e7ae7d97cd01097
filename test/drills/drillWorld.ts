/**
 * A sandbox world with drills on: a drill resource group with its own isolated virtual network and a staging
 * account in the vault's region, the protection world's VMs in the production network, and the IBG_DRILL_*
 * settings pointing at them. Everything goes through the real composition root and SDK clients.
 */
import type { Scenario } from '../../sandbox/index';
import type { AzuriteTables } from '../../sandbox/azurite';
import { protectionVm, SUB, startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';

export const DRILL_RG = 'rg-drill';
export const DRILL_RG_ID = `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}`;
export const DRILL_VNET_ID = `${DRILL_RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet-drill`;
export const DRILL_SUBNET_ID = `${DRILL_VNET_ID}/subnets/drill`;
export const STAGING_ID = `${DRILL_RG_ID}/providers/Microsoft.Storage/storageAccounts/ibgstaging`;

export const drillEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  IBG_DRILL_ENABLED: 'true',
  IBG_DRILL_RESOURCE_GROUP_ID: DRILL_RG_ID,
  IBG_DRILL_SUBNET_ID: DRILL_SUBNET_ID,
  IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: STAGING_ID,
  ...extra,
});

/** VMs `names`, each protected by vault-1; the scenario's backup part carries the drill's network and timings. */
export function drillScenario(names: string[], extra: Partial<Scenario> = {}): Scenario {
  return {
    name: 'drills',
    vaults: [{ subscriptionId: SUB, resourceGroup: 'rg-backup', name: 'vault-1', location: 'westeurope' }],
    vms: names.map((n) => protectionVm(n)),
    backup: {
      durationMinutes: 20,
      restoreFromSnapshotMinutes: 15,
      restoreFromVaultMinutes: 45,
      restoredVmBootMinutes: 3,
      restoredVmAgentMinutes: 2,
      storageAccounts: [
        {
          subscriptionId: SUB,
          resourceGroup: DRILL_RG,
          name: 'ibgstaging',
          location: 'westeurope',
          sku: 'Standard_LRS',
        },
      ],
      virtualNetworks: [
        {
          subscriptionId: SUB,
          resourceGroup: 'rg-iris',
          name: 'vnet-prod',
          location: 'westeurope',
          subnets: ['default'],
        },
        {
          subscriptionId: SUB,
          resourceGroup: DRILL_RG,
          name: 'vnet-drill',
          location: 'westeurope',
          subnets: ['drill'],
        },
      ],
    },
    ...extra,
  };
}

export async function startDrillWorld(
  scenario: Scenario,
  envOverrides: Record<string, string> = {},
  azurite?: AzuriteTables,
): Promise<ProtectionWorld> {
  // Without `azurite` the world starts (and stops) its own.
  return startProtectionWorld(scenario, azurite, drillEnv(envOverrides));
}
