/**
 * DrillResourceGateway over @azure/arm-compute 24 (VMs, disks), @azure/arm-network 33.4.0 (NICs, subnets, virtual
 * networks; api-version 2024-03-01) and @azure/arm-storage (storage accounts). A translation layer: it maps SDK
 * models to ours and SDK errors to AppError. Its one decision is delegated: before any DELETE it reads the resource
 * again and asks drills/cleanupGuard.ts whether it may go, so that no caller bug can delete something else.
 */
import type { ComputeManagementClient, Disk, VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, NetworkManagementClient } from '@azure/arm-network';
import type { StorageManagementClient } from '@azure/arm-storage';
import { AppError, isAppError } from '../errors/appError';
import {
  parseResourceGroupId,
  parseStorageAccountId,
  parseSubnetId,
  type ResourceGroupRef,
} from '../azure/armResourceId';
import type { AbortOptions } from '../azure/backupGateway';
import type {
  DrillResource,
  DrillResourceGateway,
  DrillResourceKind,
  DrillScope,
  DrillVm,
  NicInfo,
  StorageAccountInfo,
  SubnetInfo,
} from '../azure/drillResources';
import { mayDeleteDrillResource } from '../drills/cleanupGuard';
import { toAzureAppError } from './azureError';

const MODULE = 'armDrillGateway';

export interface DrillClients {
  compute(subscriptionId: string): ComputeManagementClient;
  network(subscriptionId: string): NetworkManagementClient;
  storage(subscriptionId: string): StorageManagementClient;
}

export interface ArmDrillGatewayOptions {
  /** Poll interval of the delete and update LROs (the sandbox answers at once; Azure sends Retry-After). */
  pollIntervalInMs: number;
}

const PROVIDER_TYPE: Record<DrillResourceKind, string> = {
  vm: 'Microsoft.Compute/virtualMachines',
  disk: 'Microsoft.Compute/disks',
  nic: 'Microsoft.Network/networkInterfaces',
};

interface ResourceRef extends ResourceGroupRef {
  name: string;
}

/** /subscriptions/{s}/resourceGroups/{rg}/providers/{the kind's type}/{name}, case-insensitive; else undefined. */
const parseKindId = (kind: DrillResourceKind, id: string): ResourceRef | undefined => {
  const [ns, type] = PROVIDER_TYPE[kind].split('/');
  const m = new RegExp(
    `^/subscriptions/([^/\\s]+)/resourceGroups/([^/\\s]+)/providers/${ns}/${type}/([^/\\s]+)$`,
    'i',
  ).exec(id.trim());
  return m?.[1] && m[2] && m[3] ? { subscriptionId: m[1], resourceGroup: m[2], name: m[3] } : undefined;
};

const requireRef = (kind: DrillResourceKind, id: string): ResourceRef => {
  const ref = parseKindId(kind, id);
  if (ref === undefined) {
    throw new AppError('INVALID_INPUT', { module: MODULE, message: `not a ${kind} resource id: ${id}` });
  }
  return ref;
};

const isNotFound = (error: Error): boolean => isAppError(error) && error.code === 'NOT_FOUND';

/** Runs an SDK read; a 404 is undefined. */
const orAbsent = async <T>(action: string, read: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await read();
  } catch (e) {
    const error = toAzureAppError(e, MODULE, action);
    if (isNotFound(error)) return undefined;
    throw error;
  }
};

const toDate = (value: unknown): string | undefined =>
  value instanceof Date && !Number.isNaN(value.getTime())
    ? value.toISOString()
    : typeof value === 'string' && value !== ''
      ? value
      : undefined;

const withOptional = (resource: DrillResource, extra: Partial<DrillResource>): DrillResource => {
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== '') (resource as unknown as Record<string, unknown>)[key] = value;
  }
  return resource;
};

export const vmToDrillResource = (vm: VirtualMachine): DrillResource | undefined =>
  vm.id === undefined || vm.name === undefined
    ? undefined
    : withOptional({ kind: 'vm', id: vm.id, name: vm.name, tags: { ...(vm.tags ?? {}) } }, { location: vm.location });

export const diskToDrillResource = (disk: Disk): DrillResource | undefined =>
  disk.id === undefined || disk.name === undefined
    ? undefined
    : withOptional(
        { kind: 'disk', id: disk.id, name: disk.name, tags: { ...(disk.tags ?? {}) } },
        { location: disk.location, attachedTo: disk.managedBy, createdAt: toDate(disk.timeCreated) },
      );

export const nicToDrillResource = (nic: NetworkInterface): DrillResource | undefined =>
  nic.id === undefined || nic.name === undefined
    ? undefined
    : withOptional(
        { kind: 'nic', id: nic.id, name: nic.name, tags: { ...(nic.tags ?? {}) } },
        { location: nic.location, attachedTo: nic.virtualMachine?.id },
      );

/** 'PowerState/running' → 'running'; the instance view lists it among its statuses. */
export const powerStateOf = (vm: VirtualMachine): string | undefined => {
  const code = (vm.instanceView?.statuses ?? []).map((s) => s.code ?? '').find((c) => /^PowerState\//i.test(c));
  return code === undefined ? undefined : code.slice('PowerState/'.length);
};

/** The guest agent reports Ready (displayStatus 'Ready' on its status); 'Not Ready' or no agent view is false. */
export const agentReadyOf = (vm: VirtualMachine): boolean =>
  (vm.instanceView?.vmAgent?.statuses ?? []).some((s) => s.displayStatus?.toLowerCase() === 'ready');

export const toDrillVm = (vm: VirtualMachine): DrillVm | undefined => {
  const resource = vmToDrillResource(vm);
  if (resource === undefined) return undefined;
  const diskIds = [
    vm.storageProfile?.osDisk?.managedDisk?.id,
    ...(vm.storageProfile?.dataDisks ?? []).map((d) => d.managedDisk?.id),
  ].filter((id): id is string => typeof id === 'string' && id !== '');
  const nicIds = (vm.networkProfile?.networkInterfaces ?? [])
    .map((n) => n.id)
    .filter((id): id is string => typeof id === 'string' && id !== '');
  const drillVm: DrillVm = { vm: resource, diskIds, nicIds, agentReady: agentReadyOf(vm) };
  const powerState = powerStateOf(vm);
  if (powerState !== undefined) drillVm.powerState = powerState;
  return drillVm;
};

export class ArmDrillGateway implements DrillResourceGateway {
  constructor(
    private readonly clients: DrillClients,
    private readonly options: ArmDrillGatewayOptions,
  ) {}

  async getDrillVm(vmId: string, options: AbortOptions = {}): Promise<DrillVm | undefined> {
    const ref = requireRef('vm', vmId);
    const vm = await orAbsent(`get drill VM ${ref.name}`, () =>
      this.clients
        .compute(ref.subscriptionId)
        .virtualMachines.get(ref.resourceGroup, ref.name, { expand: 'instanceView', abortSignal: options.abortSignal }),
    );
    return vm === undefined ? undefined : toDrillVm(vm);
  }

  async *listResources(resourceGroupId: string, options: AbortOptions = {}): AsyncIterable<DrillResource> {
    const rg = parseResourceGroupId(resourceGroupId);
    if (rg === undefined) {
      throw new AppError('INVALID_INPUT', { module: MODULE, message: `not a resource group id: ${resourceGroupId}` });
    }
    const { abortSignal } = options;
    try {
      const compute = this.clients.compute(rg.subscriptionId);
      for await (const vm of compute.virtualMachines.list(rg.resourceGroup, { abortSignal })) {
        const r = vmToDrillResource(vm);
        if (r !== undefined) yield r;
      }
      for await (const disk of compute.disks.listByResourceGroup(rg.resourceGroup, { abortSignal })) {
        const r = diskToDrillResource(disk);
        if (r !== undefined) yield r;
      }
      for await (const nic of this.clients
        .network(rg.subscriptionId)
        .networkInterfaces.list(rg.resourceGroup, { abortSignal })) {
        const r = nicToDrillResource(nic);
        if (r !== undefined) yield r;
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list resources of resource group ${rg.resourceGroup}`);
    }
  }

  /** Reads the tags first: each update replaces a resource's tags, and other tags must stay. */
  async addTags(
    kind: DrillResourceKind,
    id: string,
    tags: Record<string, string>,
    options: AbortOptions & { currentTags?: Record<string, string> } = {},
  ): Promise<void> {
    const ref = requireRef(kind, id);
    const current = options.currentTags ?? (await this.readResource(kind, ref, options))?.tags;
    if (current === undefined) {
      throw new AppError('NOT_FOUND', { module: MODULE, message: `tag ${kind} ${ref.name}: it does not exist` });
    }
    const merged = { ...current, ...tags };
    const { abortSignal } = options;
    const lro = { abortSignal, updateIntervalInMs: this.options.pollIntervalInMs };
    try {
      if (kind === 'vm') {
        await this.clients
          .compute(ref.subscriptionId)
          .virtualMachines.update(ref.resourceGroup, ref.name, { tags: merged }, lro);
      } else if (kind === 'disk') {
        await this.clients.compute(ref.subscriptionId).disks.update(ref.resourceGroup, ref.name, { tags: merged }, lro);
      } else {
        await this.clients
          .network(ref.subscriptionId)
          .networkInterfaces.updateTags(ref.resourceGroup, ref.name, { tags: merged }, { abortSignal });
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `tag ${kind} ${ref.name}`);
    }
  }

  async deleteDrillResource(
    kind: DrillResourceKind,
    id: string,
    scope: DrillScope,
    options: AbortOptions = {},
  ): Promise<'deleted' | 'absent'> {
    const current = await this.readResource(kind, requireRef(kind, id), options);
    if (current === undefined) return 'absent';
    const decision = mayDeleteDrillResource(current, scope);
    if (!decision.ok) {
      throw new AppError('DRILL_DELETE_REFUSED', {
        module: MODULE,
        message: `refused to delete ${kind} ${current.id}: ${decision.reason}. Nothing was deleted.`,
      });
    }
    // The id checked is the one Azure returned, and it is the one deleted.
    const ref = requireRef(kind, current.id);
    const { abortSignal } = options;
    const lro = { abortSignal, updateIntervalInMs: this.options.pollIntervalInMs };
    try {
      if (kind === 'vm') {
        await this.clients.compute(ref.subscriptionId).virtualMachines.delete(ref.resourceGroup, ref.name, lro);
      } else if (kind === 'disk') {
        await this.clients.compute(ref.subscriptionId).disks.delete(ref.resourceGroup, ref.name, lro);
      } else {
        await this.clients
          .network(ref.subscriptionId)
          .networkInterfaces.beginDeleteAndWait(ref.resourceGroup, ref.name, lro);
      }
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `delete ${kind} ${ref.name}`);
      if (isNotFound(error)) return 'absent';
      throw error;
    }
    return 'deleted';
  }

  async getSubnet(subnetId: string, options: AbortOptions = {}): Promise<SubnetInfo | undefined> {
    const ref = parseSubnetId(subnetId);
    if (ref === undefined) {
      throw new AppError('INVALID_INPUT', { module: MODULE, message: `not a subnet resource id: ${subnetId}` });
    }
    const network = this.clients.network(ref.subscriptionId);
    const { abortSignal } = options;
    // One read: the virtual network lists its subnets, and carries the location and peerings the checks need.
    const vnet = await orAbsent(`get virtual network ${ref.virtualNetwork}`, () =>
      network.virtualNetworks.get(ref.resourceGroup, ref.virtualNetwork, { abortSignal }),
    );
    const subnet = (vnet?.subnets ?? []).find((s) => (s.name ?? '').toLowerCase() === ref.name.toLowerCase());
    if (vnet === undefined || subnet === undefined) return undefined;
    const id = subnet.id ?? subnetId;
    return {
      id,
      virtualNetworkId: vnet.id ?? id.replace(/\/subnets\/[^/]+$/i, ''),
      location: vnet.location ?? '',
      // Every peering, whatever its state: for an isolation check a peering being set up counts already.
      peeredNetworkIds: (vnet.virtualNetworkPeerings ?? [])
        .map((p) => p.remoteVirtualNetwork?.id)
        .filter((peer): peer is string => typeof peer === 'string' && peer !== ''),
    };
  }

  async getNic(nicId: string, options: AbortOptions = {}): Promise<NicInfo | undefined> {
    const ref = requireRef('nic', nicId);
    const nic = await orAbsent(`get network interface ${ref.name}`, () =>
      this.clients
        .network(ref.subscriptionId)
        .networkInterfaces.get(ref.resourceGroup, ref.name, { abortSignal: options.abortSignal }),
    );
    if (nic === undefined) return undefined;
    const configs = nic.ipConfigurations ?? [];
    const primary = configs.find((c) => c.primary === true) ?? configs[0];
    const info: NicInfo = { id: nic.id ?? nicId };
    if (primary?.subnet?.id) info.subnetId = primary.subnet.id;
    if (primary?.privateIPAddress) info.privateIpAddress = primary.privateIPAddress;
    return info;
  }

  async getStorageAccount(accountId: string, options: AbortOptions = {}): Promise<StorageAccountInfo | undefined> {
    const ref = parseStorageAccountId(accountId);
    if (ref === undefined) {
      throw new AppError('INVALID_INPUT', {
        module: MODULE,
        message: `not a storage account resource id: ${accountId}`,
      });
    }
    const account = await orAbsent(`get storage account ${ref.name}`, () =>
      this.clients
        .storage(ref.subscriptionId)
        .storageAccounts.getProperties(ref.resourceGroup, ref.name, { abortSignal: options.abortSignal }),
    );
    if (account === undefined) return undefined;
    return { id: account.id ?? accountId, location: account.location ?? '', skuName: account.sku?.name ?? '' };
  }

  private async readResource(
    kind: DrillResourceKind,
    ref: ResourceRef,
    options: AbortOptions,
  ): Promise<DrillResource | undefined> {
    const { abortSignal } = options;
    if (kind === 'vm') {
      const vm = await orAbsent(`get VM ${ref.name}`, () =>
        this.clients.compute(ref.subscriptionId).virtualMachines.get(ref.resourceGroup, ref.name, { abortSignal }),
      );
      return vm === undefined ? undefined : vmToDrillResource(vm);
    }
    if (kind === 'disk') {
      const disk = await orAbsent(`get disk ${ref.name}`, () =>
        this.clients.compute(ref.subscriptionId).disks.get(ref.resourceGroup, ref.name, { abortSignal }),
      );
      return disk === undefined ? undefined : diskToDrillResource(disk);
    }
    const nic = await orAbsent(`get network interface ${ref.name}`, () =>
      this.clients.network(ref.subscriptionId).networkInterfaces.get(ref.resourceGroup, ref.name, { abortSignal }),
    );
    return nic === undefined ? undefined : nicToDrillResource(nic);
  }
}
