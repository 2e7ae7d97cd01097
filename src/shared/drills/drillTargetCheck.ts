/**
 * Whether a drill may restore at all, decided before anything is created: settings complete, the drill subnet
 * outside the source VM's virtual network and not peered with it (safety invariant 2), and the subnet and staging
 * account in the vault's region with a staging account Azure accepts (not zone-redundant). The vault's region is
 * the source VM's: Azure Backup protects a VM only from a vault in its region.
 */
import {
  formatResourceGroupId,
  parseResourceGroupId,
  parseStorageAccountId,
  parseSubnetId,
  parseVmId,
  sameResourceId,
} from '../azure/armResourceId';
import type { NicInfo, StorageAccountInfo, SubnetInfo } from '../azure/drillResources';
import type { DrillTargetSettings } from './drillPolicy';
import { virtualNetworkIdOf } from './drillTarget';

export interface DrillTargetFacts {
  sourceVmId: string;
  /** The source VM's region (= the vault's). */
  sourceRegion: string;
  /** The source VM's NICs as read (undefined entries: a NIC that could not be found). */
  sourceNics: (NicInfo | undefined)[];
  drillSubnet: SubnetInfo | undefined;
  stagingAccount: StorageAccountInfo | undefined;
}

export type DrillTargetVerdict = { ok: true } | { ok: false; reasons: string[] };

/** Settings problems alone (no Azure reads): the first thing `drill` and the app's start check. */
export function drillSettingsProblems(target: Partial<DrillTargetSettings>): string[] {
  const problems: string[] = [];
  if (!target.resourceGroupId || parseResourceGroupId(target.resourceGroupId) === undefined)
    problems.push('IBG_DRILL_RESOURCE_GROUP_ID must be a resource group id: /subscriptions/<id>/resourceGroups/<name>');
  if (!target.subnetId || parseSubnetId(target.subnetId) === undefined)
    problems.push(
      'IBG_DRILL_SUBNET_ID must be a subnet id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<name>',
    );
  if (!target.stagingStorageAccountId || parseStorageAccountId(target.stagingStorageAccountId) === undefined)
    problems.push(
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID must be a storage account id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>',
    );
  return problems;
}

const sameRegion = (a: string, b: string): boolean =>
  a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();

/** Azure refuses a zone-redundant staging account for a VM restore ("shouldn't be zone redundant"). */
const ZONE_REDUNDANT = /_(ZRS|GZRS|RAGZRS)$/i;

export function checkDrillTarget(target: DrillTargetSettings, facts: DrillTargetFacts): DrillTargetVerdict {
  const reasons = drillSettingsProblems(target);
  if (reasons.length > 0) return { ok: false, reasons };
  const drillVnet = virtualNetworkIdOf(target.subnetId);
  // The drill group must not be the source VM's own: cleanup there would sit next to production resources.
  const source = parseVmId(facts.sourceVmId);
  if (source !== undefined && sameResourceId(formatResourceGroupId(source), target.resourceGroupId)) {
    reasons.push(
      `the drill resource group is the source VM's own (${target.resourceGroupId}); set IBG_DRILL_RESOURCE_GROUP_ID to a group used only for drills`,
    );
  }
  const subnet = facts.drillSubnet;
  if (subnet === undefined) {
    reasons.push(`the drill subnet ${target.subnetId} (IBG_DRILL_SUBNET_ID) does not exist or cannot be read`);
  } else if (!sameRegion(subnet.location, facts.sourceRegion)) {
    reasons.push(
      `the drill subnet is in ${subnet.location}, the vault and source VM in ${facts.sourceRegion}: a restore creates the VM in the vault's region, so set IBG_DRILL_SUBNET_ID to a subnet there`,
    );
  }
  // Safety invariant 2: the copy of a production VM must not share (or reach) its network.
  if (facts.sourceNics.length === 0 || facts.sourceNics.some((n) => n === undefined || n.subnetId === undefined)) {
    reasons.push(
      `the source VM's network could not be read, so the drill subnet cannot be shown to be isolated from it`,
    );
  }
  for (const nic of facts.sourceNics) {
    if (nic?.subnetId === undefined || parseSubnetId(nic.subnetId) === undefined) continue;
    const sourceVnet = virtualNetworkIdOf(nic.subnetId);
    if (sameResourceId(sourceVnet, drillVnet)) {
      reasons.push(
        `the drill subnet is in the source VM's virtual network ${sourceVnet}: a restored copy there could reach production (safety invariant 2); set IBG_DRILL_SUBNET_ID to a subnet of an isolated virtual network`,
      );
    } else if (subnet?.peeredNetworkIds.some((p) => sameResourceId(p, sourceVnet))) {
      reasons.push(
        `the drill virtual network ${drillVnet} is peered with the source VM's ${sourceVnet}: a restored copy could reach production (safety invariant 2); remove the peering, or set IBG_DRILL_SUBNET_ID to a subnet of an isolated virtual network`,
      );
    }
  }
  const account = facts.stagingAccount;
  if (account === undefined) {
    reasons.push(
      `the staging storage account ${target.stagingStorageAccountId} (IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID) does not exist or cannot be read`,
    );
  } else {
    if (!sameRegion(account.location, facts.sourceRegion))
      reasons.push(
        `the staging storage account is in ${account.location}, the vault in ${facts.sourceRegion}: Azure needs it in the vault's region: set IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID to an account there`,
      );
    if (ZONE_REDUNDANT.test(account.skuName))
      reasons.push(
        `the staging storage account is zone-redundant (${account.skuName}); Azure refuses those for a VM restore: set IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID to an LRS or GRS account`,
      );
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons: [...new Set(reasons)] };
}
