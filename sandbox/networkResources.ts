/**
 * Spec-shaped JSON for Microsoft.Network 2024-03-01 (network interfaces, virtual networks, subnets; responses are
 * validated strictly, so only properties that api-version defines) and for Microsoft.Storage storage accounts.
 */
import { createHash } from 'node:crypto';
import type { NicRecord, StorageAccountRecord, VirtualNetworkRecord } from './world';

/** A stable W/"…" etag and GUID from an id (the sandbox keeps no resource versions). */
const guidOf = (text: string): string => {
  const h = createHash('sha256').update(text.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const etagOf = (id: string, tags: Record<string, string> = {}): string =>
  `W/"${guidOf(`${id}|${JSON.stringify(tags)}`)}"`;

/** A MAC address Azure style (00-0D-3A-…), stable per NIC. */
const macOf = (id: string): string =>
  `00-0D-3A-${guidOf(id).replace(/-/g, '').slice(0, 6).toUpperCase().match(/../g)?.join('-')}`;

export function nicJson(nic: NicRecord): Record<string, unknown> {
  const etag = etagOf(nic.id, nic.tags);
  return {
    id: nic.id,
    name: nic.name,
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    tags: nic.tags,
    etag,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: guidOf(nic.id),
      ipConfigurations: [
        {
          id: `${nic.id}/ipConfigurations/ipconfig1`,
          name: 'ipconfig1',
          etag,
          type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
          properties: {
            provisioningState: 'Succeeded',
            ...(nic.privateIp ? { privateIPAddress: nic.privateIp, privateIPAddressVersion: 'IPv4' } : {}),
            privateIPAllocationMethod: 'Dynamic',
            ...(nic.subnetId ? { subnet: { id: nic.subnetId } } : {}),
            primary: true,
          },
        },
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      ...(nic.virtualMachineId ? { macAddress: macOf(nic.id), primary: true } : {}),
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      ...(nic.virtualMachineId ? { virtualMachine: { id: nic.virtualMachineId } } : {}),
      hostedWorkloads: [],
      tapConfigurations: [],
      nicType: 'Standard',
      auxiliaryMode: 'None',
      auxiliarySku: 'None',
    },
  };
}

/** A subnet with the IP configurations of the NICs in it. */
export function subnetJson(
  vnet: VirtualNetworkRecord,
  subnet: VirtualNetworkRecord['subnets'][number],
  nicIds: string[],
): Record<string, unknown> {
  const id = `${vnet.id}/subnets/${subnet.name}`;
  return {
    id,
    name: subnet.name,
    etag: etagOf(id),
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: subnet.addressPrefix,
      ...(nicIds.length > 0
        ? { ipConfigurations: nicIds.map((nic) => ({ id: `${nic}/ipConfigurations/ipconfig1` })) }
        : {}),
      delegations: [],
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
    },
  };
}

/** A virtual network with its subnets and its (connected) peerings. */
export function virtualNetworkJson(
  vnet: VirtualNetworkRecord,
  peerOf: (id: string) => VirtualNetworkRecord | undefined,
  nicIdsIn: (subnetId: string) => string[],
): Record<string, unknown> {
  return {
    id: vnet.id,
    name: vnet.name,
    type: 'Microsoft.Network/virtualNetworks',
    location: vnet.location,
    tags: {},
    etag: etagOf(vnet.id),
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: guidOf(vnet.id),
      addressSpace: { addressPrefixes: [vnet.addressPrefix] },
      subnets: vnet.subnets.map((s) => subnetJson(vnet, s, nicIdsIn(`${vnet.id}/subnets/${s.name}`))),
      virtualNetworkPeerings: vnet.peeredNetworkIds.map((peerId) => {
        const peer = peerOf(peerId);
        const name = `peer-to-${peer?.name ?? peerId.split('/').pop() ?? 'remote'}`;
        const id = `${vnet.id}/virtualNetworkPeerings/${name}`;
        return {
          id,
          name,
          etag: etagOf(id),
          type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
          properties: {
            provisioningState: 'Succeeded',
            resourceGuid: guidOf(id),
            peeringState: 'Connected',
            peeringSyncLevel: 'FullyInSync',
            remoteVirtualNetwork: { id: peerId },
            allowVirtualNetworkAccess: true,
            allowForwardedTraffic: false,
            allowGatewayTransit: false,
            useRemoteGateways: false,
            ...(peer ? { remoteAddressSpace: { addressPrefixes: [peer.addressPrefix] } } : {}),
          },
        };
      }),
      enableDdosProtection: false,
    },
  };
}

/** Microsoft.Storage/storageAccounts GET (getProperties): no spec in the local set, so Azure's common fields. */
export function storageAccountJson(account: StorageAccountRecord): Record<string, unknown> {
  const tier = account.sku.toLowerCase().startsWith('premium') ? 'Premium' : 'Standard';
  const geo = /GRS$/i.test(account.sku);
  return {
    id: account.id,
    name: account.name,
    type: 'Microsoft.Storage/storageAccounts',
    location: account.location,
    tags: {},
    sku: { name: account.sku, tier },
    kind: 'StorageV2',
    properties: {
      provisioningState: 'Succeeded',
      creationTime: account.timeCreated,
      primaryLocation: account.location,
      statusOfPrimary: 'available',
      ...(geo ? { statusOfSecondary: 'available' } : {}),
      primaryEndpoints: {
        blob: `https://${account.name}.blob.core.windows.net/`,
        table: `https://${account.name}.table.core.windows.net/`,
      },
      accessTier: 'Hot',
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
    },
  };
}
