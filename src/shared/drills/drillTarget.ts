/**
 * The drill VM a run creates: a recognisable name unique in the subscription, its id in the drill resource group,
 * the tags that mark it (and its disks and NIC) as the app's, and the restore request that creates it.
 */
import {
  formatVirtualNetworkId,
  formatVmId,
  parseResourceGroupId,
  parseSubnetId,
  parseVmId,
} from '../azure/armResourceId';
import type { RestoreVmRequest } from '../azure/drillResources';
import type { DrillPoint, RunDrill } from './drillState';
import {
  DRILL_TAG_EXPIRES,
  DRILL_TAG_MANAGED_BY,
  DRILL_TAG_RUN,
  DRILL_TAG_SOURCE_VM,
  MANAGED_BY_VALUE,
} from './drillTags';
import { stableHash, type DrillTargetSettings } from './drillPolicy';

/** Every drill VM's name starts with it; nothing else the app creates does. */
export const DRILL_VM_PREFIX = 'ibg-drill-';

/** Azure tag values hold at most 256 characters. */
const TAG_VALUE_CHARS = 256;

/**
 * `ibg-drill-<vm>-<yyyymmdd>-<hash>`: at most 64 characters (a Linux VM name's limit), letters, digits and '-'
 * only, never ending in '-'. The hash of the run id (which holds the subscription, group, VM and night) makes it
 * unique in the subscription; `attempt` > 1 names a repeated drill of the same run (the CLI's).
 */
export function drillVmName(runId: string, vmName: string, night: string, attempt = 1): string {
  const vm = vmName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 24)
    .replace(/-$/, '');
  const hash = stableHash(`${runId}#${attempt}`).toString(36).padStart(7, '0');
  return `${DRILL_VM_PREFIX}${vm || 'vm'}-${night.replace(/-/g, '')}-${hash}`;
}

export function drillVmId(target: DrillTargetSettings, name: string): string {
  const rg = parseResourceGroupId(target.resourceGroupId);
  if (rg === undefined) throw new TypeError(`Not a resource group id: '${target.resourceGroupId}'`);
  return formatVmId({ ...rg, name });
}

/** The virtual network of a subnet id (the id up to `/subnets/`). */
export function virtualNetworkIdOf(subnetId: string): string {
  const ref = parseSubnetId(subnetId);
  if (ref === undefined) throw new TypeError(`Not a subnet id: '${subnetId}'`);
  return formatVirtualNetworkId(ref);
}

/** The tags every drill resource carries: the cleanup guard deletes nothing without them (safety invariant 1). */
export function drillTags(runId: string, sourceVmId: string, expiresAt: string): Record<string, string> {
  return {
    [DRILL_TAG_MANAGED_BY]: MANAGED_BY_VALUE,
    [DRILL_TAG_RUN]: runId.slice(0, TAG_VALUE_CHARS),
    [DRILL_TAG_SOURCE_VM]: sourceVmId.slice(0, TAG_VALUE_CHARS),
    [DRILL_TAG_EXPIRES]: expiresAt,
  };
}

/** The AlternateLocation restore that creates the drill VM in the drill group and subnet. */
export function restoreRequestOf(
  target: DrillTargetSettings,
  sourceVmId: string,
  recoveryPointName: string,
  vmName: string,
  region: string,
): RestoreVmRequest {
  if (parseVmId(sourceVmId) === undefined) throw new TypeError(`Not a VM id: '${sourceVmId}'`);
  return {
    recoveryPointName,
    sourceVmId,
    targetVmId: drillVmId(target, vmName),
    targetResourceGroupId: target.resourceGroupId,
    storageAccountId: target.stagingStorageAccountId,
    virtualNetworkId: virtualNetworkIdOf(target.subnetId),
    subnetId: target.subnetId,
    region,
  };
}

/**
 * The point as a drill keeps it. A point with its snapshot tier is restored from it (Instant Restore); one whose
 * tiers are not known was listed at the snapshot, so it has that tier.
 */
export const drillPointOf = (rp: {
  name: string;
  time: string;
  type: string;
  tiers?: readonly string[];
}): DrillPoint => ({
  name: rp.name,
  time: rp.time,
  type: rp.type,
  tier: rp.tiers === undefined || rp.tiers.includes('InstantRP') ? 'snapshot' : 'vault',
});

/** A drill of `point` into the drill VM `vmName`, queued at `at` for a slot in the subscription's drill budget. */
export const newRunDrill = (target: DrillTargetSettings, vmName: string, point: DrillPoint, at: string): RunDrill => ({
  vmName,
  vmId: drillVmId(target, vmName),
  queuedAt: at,
  point,
  cleanup: { claimed: [], failures: 0 },
});
