/** ARM resource ids and the Backup service's container/item names for IaaS VMs (reference/azure-apis.md §1.3). */
export const vmResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

export const diskResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;

export const nicResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}`;

export const virtualNetworkResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;

export const storageAccountResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;

export const vaultResourceId = (sub: string, rg: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;

export const containerNameOf = (rg: string, vm: string): string => `IaasVMContainer;iaasvmcontainerv2;${rg};${vm}`;
export const protectedItemNameOf = (rg: string, vm: string): string => `VM;iaasvmcontainerv2;${rg};${vm}`;

/** Case-insensitive key of a resource (ARM names are case-insensitive). */
export const resourceKey = (...parts: string[]): string => parts.join('/').toLowerCase();

/** The segments of /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}, or undefined. */
export function parseResourceId(
  id: string,
): { subscriptionId: string; resourceGroup: string; type: string; name: string } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)$/i.exec(id.trim());
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2], type: m[3], name: m[4] };
}

export function parseResourceGroupId(id: string): { subscriptionId: string; resourceGroup: string } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/?$/i.exec(id.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2] };
}

/** The item names are `VM;iaasvmcontainerv2;{rg};{vm}`; the container is `IaasVMContainer;iaasvmcontainerv2;{rg};{vm}`. */
export function parseItemName(item: string): { resourceGroup: string; vmName: string } | undefined {
  const parts = item.split(';');
  if (parts.length !== 4 || parts[0]?.toLowerCase() !== 'vm' || !parts[2] || !parts[3]) return undefined;
  return { resourceGroup: parts[2], vmName: parts[3] };
}

/** ISO 8601 duration of a span in ms: PT<h>H<m>M<s>S, e.g. 600500 ms → PT10M0.5S. */
export function isoDuration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round((total % 60) * 1000) / 1000;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s}S`;
}
