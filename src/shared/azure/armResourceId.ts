/**
 * Parsing and formatting of the ARM resource ids the app handles (VMs, vaults, subnets, storage accounts,
 * resource groups). ARM compares ids case-insensitively and services return them in mixed case
 * (`/Subscriptions/…`), so parsing ignores case and formatting produces one canonical spelling.
 * The parsers return `undefined` for anything else; they never throw.
 */

export interface ResourceGroupRef {
  subscriptionId: string;
  resourceGroup: string;
}

export interface VmRef extends ResourceGroupRef {
  name: string;
}

export interface VaultIdParts extends ResourceGroupRef {
  name: string;
}

export interface SubnetRef extends ResourceGroupRef {
  virtualNetwork: string;
  name: string;
}

export interface StorageAccountRef extends ResourceGroupRef {
  name: string;
}

// A segment is anything between slashes; ARM names never contain '/', and we do not judge name rules here.
const SEGMENT = '([^/\\s]+)';
const RG_PREFIX = `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}`;

const matchId = (value: string, pattern: RegExp): string[] | undefined => {
  const trimmed = value.trim().replace(/\/+$/, '');
  const match = pattern.exec(trimmed);
  return match === null ? undefined : match.slice(1);
};

const RESOURCE_GROUP = new RegExp(`${RG_PREFIX}$`, 'i');
const VM = new RegExp(`${RG_PREFIX}/providers/Microsoft\\.Compute/virtualMachines/${SEGMENT}$`, 'i');
const VAULT = new RegExp(`${RG_PREFIX}/providers/Microsoft\\.RecoveryServices/vaults/${SEGMENT}$`, 'i');
const SUBNET = new RegExp(
  `${RG_PREFIX}/providers/Microsoft\\.Network/virtualNetworks/${SEGMENT}/subnets/${SEGMENT}$`,
  'i',
);
const STORAGE_ACCOUNT = new RegExp(`${RG_PREFIX}/providers/Microsoft\\.Storage/storageAccounts/${SEGMENT}$`, 'i');

export const parseResourceGroupId = (id: string): ResourceGroupRef | undefined => {
  const [subscriptionId, resourceGroup] = matchId(id, RESOURCE_GROUP) ?? [];
  return subscriptionId && resourceGroup ? { subscriptionId, resourceGroup } : undefined;
};

export const parseVmId = (id: string): VmRef | undefined => {
  const [subscriptionId, resourceGroup, name] = matchId(id, VM) ?? [];
  return subscriptionId && resourceGroup && name ? { subscriptionId, resourceGroup, name } : undefined;
};

export const parseVaultId = (id: string): VaultIdParts | undefined => {
  const [subscriptionId, resourceGroup, name] = matchId(id, VAULT) ?? [];
  return subscriptionId && resourceGroup && name ? { subscriptionId, resourceGroup, name } : undefined;
};

export const parseSubnetId = (id: string): SubnetRef | undefined => {
  const [subscriptionId, resourceGroup, virtualNetwork, name] = matchId(id, SUBNET) ?? [];
  return subscriptionId && resourceGroup && virtualNetwork && name
    ? { subscriptionId, resourceGroup, virtualNetwork, name }
    : undefined;
};

export const parseStorageAccountId = (id: string): StorageAccountRef | undefined => {
  const [subscriptionId, resourceGroup, name] = matchId(id, STORAGE_ACCOUNT) ?? [];
  return subscriptionId && resourceGroup && name ? { subscriptionId, resourceGroup, name } : undefined;
};

export const formatResourceGroupId = (ref: ResourceGroupRef): string =>
  `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}`;

export const formatVmId = (ref: VmRef): string =>
  `${formatResourceGroupId(ref)}/providers/Microsoft.Compute/virtualMachines/${ref.name}`;

export const formatVaultId = (ref: VaultIdParts): string =>
  `${formatResourceGroupId(ref)}/providers/Microsoft.RecoveryServices/vaults/${ref.name}`;

export const formatVirtualNetworkId = (ref: ResourceGroupRef & { virtualNetwork: string }): string =>
  `${formatResourceGroupId(ref)}/providers/Microsoft.Network/virtualNetworks/${ref.virtualNetwork}`;

export const formatSubnetId = (ref: SubnetRef): string => `${formatVirtualNetworkId(ref)}/subnets/${ref.name}`;

export const formatStorageAccountId = (ref: StorageAccountRef): string =>
  `${formatResourceGroupId(ref)}/providers/Microsoft.Storage/storageAccounts/${ref.name}`;

/** ARM ids are case-insensitive; compare them that way (and ignore a trailing slash). */
export const sameResourceId = (a: string, b: string): boolean =>
  a.trim().replace(/\/+$/, '').toLowerCase() === b.trim().replace(/\/+$/, '').toLowerCase();
