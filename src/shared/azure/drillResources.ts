/**
 * The slice of Azure a restore drill touches besides the vault: the drill VM and what the restore created with it
 * (disks, network interfaces), the networks and staging account its target is checked against, and the evidence
 * container. Implemented over @azure/arm-compute, @azure/arm-network (pinned to 33.4.0, api-version 2024-03-01),
 * @azure/arm-storage and @azure/storage-blob.
 */
import type { AbortOptions } from './backupGateway';

export type DrillResourceKind = 'vm' | 'disk' | 'nic';

/** A resource in (or near) the drill resource group, as read from Azure: enough to decide whether it may go. */
export interface DrillResource {
  kind: DrillResourceKind;
  /** Full ARM id as Azure returns it. */
  id: string;
  name: string;
  tags: Record<string, string>;
  location?: string;
  /** Disk: the VM it is attached to (managedBy); NIC: its VM (virtualMachine.id). Absent when unattached. */
  attachedTo?: string;
  /** Disks: timeCreated (ISO 8601). */
  createdAt?: string;
}

/** The drill VM as the restore created it: its own resources and how far it has booted. */
export interface DrillVm {
  vm: DrillResource;
  diskIds: string[];
  nicIds: string[];
  /** From the instance view: e.g. 'PowerState/running' → 'running', 'starting', 'stopped', 'deallocated'. */
  powerState?: string;
  /** The VM agent reports Ready (Run Command can only work then). */
  agentReady: boolean;
}

/** A subnet with what the isolation and region checks need. */
export interface SubnetInfo {
  id: string;
  /** The subnet's virtual network (its id without `/subnets/<name>`), as Azure returns it. */
  virtualNetworkId: string;
  /** The virtual network's region. */
  location: string;
  /** Virtual networks peered with this one (remoteVirtualNetwork ids). */
  peeredNetworkIds: string[];
}

export interface NicInfo {
  id: string;
  /** The subnet of the NIC's primary IP configuration. */
  subnetId?: string;
  privateIpAddress?: string;
}

export interface StorageAccountInfo {
  id: string;
  location: string;
  /** e.g. Standard_LRS, Standard_ZRS, Standard_GZRS. */
  skuName: string;
}

/** Where the drill resources are and how to recognise them; the gateway refuses to delete anything else. */
export interface DrillScope {
  /** /subscriptions/{sub}/resourceGroups/{rg} (IBG_DRILL_RESOURCE_GROUP_ID). */
  resourceGroupId: string;
}

export interface DrillResourceGateway {
  /** The VM with its disks, NICs and instance view; undefined when there is no such VM. */
  getDrillVm(vmId: string, options?: AbortOptions): Promise<DrillVm | undefined>;
  /** VMs, disks and NICs of a resource group (for the orphan sweep and for disks left by a failed VM creation). */
  listResources(resourceGroupId: string, options?: AbortOptions): AsyncIterable<DrillResource>;
  /**
   * Merges `tags` into the resource's tags (PATCH; other tags are kept). `currentTags`: the tags as just read, which
   * saves reading them again.
   */
  addTags(
    kind: DrillResourceKind,
    id: string,
    tags: Record<string, string>,
    options?: AbortOptions & { currentTags?: Record<string, string> },
  ): Promise<void>;
  /**
   * Deletes one resource, only when it lies in `scope.resourceGroupId` and carries the app's drill tags
   * (drills/cleanupGuard.ts): the gateway reads the resource again and checks before the DELETE, and throws
   * DRILL_DELETE_REFUSED otherwise. An absent resource is not an error (returns 'absent').
   */
  deleteDrillResource(
    kind: DrillResourceKind,
    id: string,
    scope: DrillScope,
    options?: AbortOptions,
  ): Promise<'deleted' | 'absent'>;
  getSubnet(subnetId: string, options?: AbortOptions): Promise<SubnetInfo | undefined>;
  getNic(nicId: string, options?: AbortOptions): Promise<NicInfo | undefined>;
  getStorageAccount(accountId: string, options?: AbortOptions): Promise<StorageAccountInfo | undefined>;
}

/** The container that keeps each drill's full verifier output (the Run Command's outputBlobUri). */
export interface EvidenceStore {
  /**
   * A URL the Run Command handler can create and append `blobName` with (SAS: create, write, add; valid until
   * `expiresOn`). The container is created if it does not exist.
   */
  uploadUrl(blobName: string, expiresOn: Date): Promise<string>;
  /** The blob's content as a stream of chunks; undefined when it does not exist. */
  read(blobName: string, options?: AbortOptions): Promise<AsyncIterable<Uint8Array> | undefined>;
}

/** What the app sends to restore a recovery point as a new VM (AlternateLocation). */
export interface RestoreVmRequest {
  /** The recovery point's name (its id in restore URLs). */
  recoveryPointName: string;
  sourceVmId: string;
  /** The VM to create: /subscriptions/…/resourceGroups/<drill rg>/providers/Microsoft.Compute/virtualMachines/<name>. */
  targetVmId: string;
  targetResourceGroupId: string;
  storageAccountId: string;
  virtualNetworkId: string;
  subnetId: string;
  region: string;
}
