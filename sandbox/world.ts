/** The simulated Compute/Network resources: vaults, VMs (each a directory used as its root), disks and NICs. */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  diskResourceId,
  nicResourceId,
  resourceKey,
  storageAccountResourceId,
  vaultResourceId,
  virtualNetworkResourceId,
  vmResourceId,
} from './armIds';
import type { SandboxClock } from './clock';
import { writeIrisInstances } from './irisInstances';
import type { Scenario, VaultSpec, VirtualNetworkSpec, VmSpec } from './scenario';
import { createVmSkeleton, installBackupExtension, writeVmFile } from './vmRoot';

export interface VaultRecord extends VaultSpec {
  id: string;
}

export interface VmRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  vmSize: string;
  vmId: string;
  timeCreated: string;
  root: string;
  osDiskId: string;
  /** Managed data disks by LUN. */
  dataDisks: { lun: number; id: string }[];
  nicIds: string[];
  /**
   * Restored VMs only: created from attached disks (no image), and their boot on the sandbox clock. `runningAtMs`
   * undefined: the VM never boots; `agentReadyAtMs` undefined: its agent is never ready.
   */
  restored?: { createdMs: number; runningAtMs?: number; agentReadyAtMs?: number };
  /** Key of the protecting vault (resourceKey of its id), if any. */
  protectedBy?: string;
  spec: VmSpec;
}

export interface DiskRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  sizeGb: number;
  managedBy?: string;
  timeCreated: string;
}

/** What the VM's instance view shows at a sandbox time. */
export interface VmRuntimeState {
  powerState: 'starting' | 'running' | 'stopped';
  agentReady: boolean;
  /** When the power state and the agent status were last reached (ISO), for the instance view's status times. */
  powerStateSinceMs: number;
  agentReadySinceMs?: number;
}

/**
 * The power state and agent readiness of a VM: scenario VMs run with a ready agent from the start (stopped with the
 * vmNotRunning fault); a restored VM is starting until its boot ends and its agent is ready later (restored field).
 */
export function vmRuntimeState(vm: VmRecord, nowMs: number, stopped = false): VmRuntimeState {
  if (stopped) return { powerState: 'stopped', agentReady: false, powerStateSinceMs: Date.parse(vm.timeCreated) };
  const r = vm.restored;
  if (!r) {
    const since = Date.parse(vm.timeCreated);
    return { powerState: 'running', agentReady: true, powerStateSinceMs: since, agentReadySinceMs: since };
  }
  if (r.runningAtMs === undefined || nowMs < r.runningAtMs) {
    return { powerState: 'starting', agentReady: false, powerStateSinceMs: r.createdMs };
  }
  const ready = r.agentReadyAtMs !== undefined && nowMs >= r.agentReadyAtMs;
  return {
    powerState: 'running',
    agentReady: ready,
    powerStateSinceMs: r.runningAtMs,
    ...(ready ? { agentReadySinceMs: r.agentReadyAtMs } : {}),
  };
}

/**
 * Whether a VM takes extension operations (a Run Command) now: running with its agent ready. runCommandService
 * refuses a Run Command PUT with 409 when the vmNotRunning fault names the VM; it should also refuse it when this
 * is false (see the restore faults in scenario.ts).
 */
export const vmAcceptsExtensions = (vm: VmRecord, nowMs: number): boolean => {
  const state = vmRuntimeState(vm, nowMs);
  return state.powerState === 'running' && state.agentReady;
};

export interface NicRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  subnetId?: string;
  virtualMachineId?: string;
  /** Dynamic private IP from the subnet (no public IP: the sandbox never creates one). */
  privateIp?: string;
}

/** Microsoft.Network/virtualNetworks: subnets share its region; peerings are by id, listed on both sides. */
export interface VirtualNetworkRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  addressPrefix: string;
  subnets: { name: string; addressPrefix: string }[];
  peeredNetworkIds: string[];
  /** Made by the sandbox for source VMs of a scenario that names no network for them. */
  implicit: boolean;
}

/** Microsoft.Storage/storageAccounts (backup.storageAccounts). */
export interface StorageAccountRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  sku: string;
  timeCreated: string;
}

/** The production network a source VM lives in when the scenario names none. */
export const DEFAULT_VM_NETWORK = { virtualNetwork: 'vnet-prod', subnet: 'default' } as const;

export class World {
  readonly vaults = new Map<string, VaultRecord>();
  readonly vms = new Map<string, VmRecord>();
  readonly disks = new Map<string, DiskRecord>();
  readonly nics = new Map<string, NicRecord>();
  readonly virtualNetworks = new Map<string, VirtualNetworkRecord>();
  readonly storageAccounts = new Map<string, StorageAccountRecord>();
  /** Next private host address per subnet (resourceKey of the subnet id). */
  private readonly nextHost = new Map<string, number>();
  /** Names of VMs the scenario's vmNotRunning fault stops (lower case). */
  readonly stoppedVmNames = new Set<string>();
  /** Told of every VM created after the scenario loaded (a restore's), so the ARM events record it. */
  onVmCreated?: (vm: VmRecord) => void;
  private nextIp = 4;

  constructor(
    readonly stateDir: string,
    private readonly clock: SandboxClock,
    private readonly repoRoot: string,
  ) {}

  load(scenario: Scenario): void {
    for (const f of scenario.faults ?? []) if (f.kind === 'vmNotRunning') this.stoppedVmNames.add(f.vm.toLowerCase());
    for (const v of scenario.vaults) {
      const id = vaultResourceId(v.subscriptionId, v.resourceGroup, v.name);
      this.vaults.set(resourceKey(id), { ...v, id });
    }
    this.loadNetworks(scenario);
    for (const spec of scenario.vms) {
      const vault = scenario.vaults.find(
        (v) => v.name === spec.protectedBy && v.subscriptionId === spec.subscriptionId,
      );
      const vm = this.createVm({
        subscriptionId: spec.subscriptionId,
        resourceGroup: spec.resourceGroup,
        name: spec.name,
        location: spec.location,
        tags: spec.tags ?? {},
        vmSize: spec.vmSize ?? 'Standard_D4s_v5',
        spec,
        dataDisks: (spec.dataDisks ?? []).map((d) => ({ lun: d.lun, sizeGb: d.sizeGb ?? 128 })),
        subnetId: this.sourceSubnetOf(spec),
      });
      if (vault) vm.protectedBy = resourceKey(vaultResourceId(vault.subscriptionId, vault.resourceGroup, vault.name));
      createVmSkeleton(vm.root);
      if (spec.extensionInstalled ?? vault !== undefined) installBackupExtension(vm.root);
      for (const file of spec.files ?? []) writeVmFile(vm.root, file, this.repoRoot);
      const neverThaws = (scenario.faults ?? []).some(
        (f) => f.kind === 'freezeNeverThaws' && f.vm.toLowerCase() === spec.name.toLowerCase(),
      );
      writeIrisInstances(vm.root, spec.irisInstances ?? [], neverThaws);
    }
  }

  /** Scenario virtual networks with their peerings (resolved by name) and staging storage accounts. */
  private loadNetworks(scenario: Scenario): void {
    const specs = scenario.backup?.virtualNetworks ?? [];
    for (const spec of specs) this.addVirtualNetwork(spec, false);
    for (const spec of specs) {
      const from = this.virtualNetwork(virtualNetworkResourceId(spec.subscriptionId, spec.resourceGroup, spec.name));
      for (const name of spec.peeredWith ?? []) {
        const peer =
          specs.find((n) => sameText(n.name, name) && sameText(n.subscriptionId, spec.subscriptionId)) ??
          specs.find((n) => sameText(n.name, name));
        const to =
          peer && this.virtualNetwork(virtualNetworkResourceId(peer.subscriptionId, peer.resourceGroup, peer.name));
        if (!from || !to)
          throw new Error(`virtual network ${spec.name}: peeredWith names no scenario network '${name}'`);
        for (const [a, b] of [
          [from, to],
          [to, from],
        ] as const) {
          if (!a.peeredNetworkIds.some((id) => sameText(id, b.id))) a.peeredNetworkIds.push(b.id);
        }
      }
    }
    for (const a of scenario.backup?.storageAccounts ?? []) {
      const id = storageAccountResourceId(a.subscriptionId, a.resourceGroup, a.name);
      this.storageAccounts.set(resourceKey(id), {
        id,
        name: a.name,
        subscriptionId: a.subscriptionId,
        resourceGroup: a.resourceGroup,
        location: a.location,
        sku: a.sku ?? 'Standard_LRS',
        timeCreated: this.clock.now().toISOString(),
      });
    }
    for (const d of scenario.backup?.disks ?? []) {
      const id = diskResourceId(d.subscriptionId, d.resourceGroup, d.name);
      this.disks.set(resourceKey(id), {
        id,
        name: d.name,
        subscriptionId: d.subscriptionId,
        resourceGroup: d.resourceGroup,
        location: d.location,
        tags: { ...(d.tags ?? {}) },
        sizeGb: 30,
        timeCreated: this.clock.now().toISOString(),
      });
    }
  }

  private addVirtualNetwork(spec: VirtualNetworkSpec, implicit: boolean): VirtualNetworkRecord {
    const id = virtualNetworkResourceId(spec.subscriptionId, spec.resourceGroup, spec.name);
    const n = this.virtualNetworks.size + 1;
    const addressPrefix = spec.addressPrefix ?? `10.${n % 256}.0.0/16`;
    const [a, b] = addressPrefix.split('.');
    const vnet: VirtualNetworkRecord = {
      id,
      name: spec.name,
      subscriptionId: spec.subscriptionId,
      resourceGroup: spec.resourceGroup,
      location: spec.location,
      addressPrefix,
      subnets: spec.subnets.map((name, i) => ({ name, addressPrefix: `${a}.${b}.${i % 256}.0/24` })),
      peeredNetworkIds: [],
      implicit,
    };
    this.virtualNetworks.set(resourceKey(id), vnet);
    return vnet;
  }

  virtualNetwork(id: string): VirtualNetworkRecord | undefined {
    return this.virtualNetworks.get(resourceKey(id));
  }

  /**
   * The subnet id of a scenario VM's NIC: its `network` in a scenario network of its subscription, else vnet-prod's
   * default subnet (the declared vnet-prod, else one made in the VM's resource group and region).
   */
  private sourceSubnetOf(spec: VmSpec): string {
    const wanted = spec.network ?? DEFAULT_VM_NETWORK;
    const inSubscription = [...this.virtualNetworks.values()].filter(
      (n) => sameText(n.name, wanted.virtualNetwork) && sameText(n.subscriptionId, spec.subscriptionId),
    );
    let vnet =
      inSubscription.find((n) => sameText(n.resourceGroup, spec.resourceGroup)) ??
      inSubscription.find((n) => !n.implicit);
    if (!vnet && spec.network !== undefined) {
      throw new Error(`VM ${spec.name}: network names no scenario virtual network '${wanted.virtualNetwork}'`);
    }
    vnet ??= this.addVirtualNetwork(
      {
        subscriptionId: spec.subscriptionId,
        resourceGroup: spec.resourceGroup,
        name: wanted.virtualNetwork,
        location: spec.location,
        subnets: [wanted.subnet],
      },
      true,
    );
    const subnet = vnet.subnets.find((s) => sameText(s.name, wanted.subnet));
    if (!subnet) throw new Error(`VM ${spec.name}: virtual network ${vnet.name} has no subnet '${wanted.subnet}'`);
    return `${vnet.id}/subnets/${subnet.name}`;
  }

  /** The power state and agent readiness of a VM now. */
  runtimeState(vm: VmRecord): VmRuntimeState {
    return vmRuntimeState(vm, this.clock.nowMs(), this.stoppedVmNames.has(vm.name.toLowerCase()));
  }

  /**
   * Managed disks as a restore creates them in the target resource group, before the VM: `<vm>-osdisk-<stamp>` and
   * `<vm>-datadisk-<lun>-<stamp>` (the shape of Azure's restored disk names), unattached.
   */
  createRestoredDisks(init: {
    subscriptionId: string;
    resourceGroup: string;
    vmName: string;
    location: string;
    dataDisks: { lun: number; sizeGb: number }[];
  }): { osDisk: DiskRecord; dataDisks: { lun: number; disk: DiskRecord }[] } {
    const now = this.clock.now();
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
    const make = (name: string, sizeGb: number): DiskRecord => {
      const id = diskResourceId(init.subscriptionId, init.resourceGroup, name);
      const disk: DiskRecord = {
        id,
        name,
        subscriptionId: init.subscriptionId,
        resourceGroup: init.resourceGroup,
        location: init.location,
        tags: {},
        sizeGb,
        timeCreated: now.toISOString(),
      };
      this.disks.set(resourceKey(id), disk);
      return disk;
    };
    return {
      osDisk: make(`${init.vmName}-osdisk-${stamp}`, 30),
      dataDisks: init.dataDisks.map((d) => ({
        lun: d.lun,
        disk: make(`${init.vmName}-datadisk-${d.lun}-${stamp}`, d.sizeGb),
      })),
    };
  }

  /**
   * Registers a VM with an OS disk, data disks and a NIC; the caller fills its root directory. Given `disks` (a
   * restore's), the VM attaches them instead of creating its own.
   */
  createVm(init: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location: string;
    tags: Record<string, string>;
    vmSize: string;
    spec: VmSpec;
    subnetId?: string;
    dataDisks?: { lun: number; sizeGb: number }[];
    disks?: { osDisk: DiskRecord; dataDisks: { lun: number; disk: DiskRecord }[] };
    restored?: VmRecord['restored'];
  }): VmRecord {
    const id = vmResourceId(init.subscriptionId, init.resourceGroup, init.name);
    const now = this.clock.now().toISOString();
    const root = path.join(
      this.stateDir,
      'vms',
      `${init.subscriptionId}.${init.resourceGroup}.${init.name}`.toLowerCase(),
    );
    fs.mkdirSync(root, { recursive: true });
    const base = { subscriptionId: init.subscriptionId, resourceGroup: init.resourceGroup, location: init.location };
    const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
    const ownDisk = (name: string, sizeGb: number): DiskRecord => {
      const disk: DiskRecord = {
        ...base,
        id: diskResourceId(init.subscriptionId, init.resourceGroup, name),
        name,
        tags: { ...init.tags },
        sizeGb,
        timeCreated: now,
      };
      this.disks.set(resourceKey(disk.id), disk);
      return disk;
    };
    const disks = init.disks ?? {
      osDisk: ownDisk(`${init.name}_OsDisk_1_${suffix}`, 30),
      dataDisks: (init.dataDisks ?? []).map((d) => ({
        lun: d.lun,
        disk: ownDisk(`${init.name}_DataDisk_${d.lun}_${suffix}`, d.sizeGb),
      })),
    };
    for (const disk of [disks.osDisk, ...disks.dataDisks.map((d) => d.disk)]) disk.managedBy = id;
    const osDiskId = disks.osDisk.id;
    const nicId = nicResourceId(init.subscriptionId, init.resourceGroup, `${init.name}-nic`);
    this.nics.set(resourceKey(nicId), {
      ...base,
      id: nicId,
      name: `${init.name}-nic`,
      tags: { ...init.tags },
      subnetId: init.subnetId,
      virtualMachineId: id,
      privateIp: this.allocatePrivateIp(init.subnetId),
    });
    const vm: VmRecord = {
      ...base,
      id,
      name: init.name,
      tags: { ...init.tags },
      vmSize: init.vmSize,
      vmId: randomUUID(),
      timeCreated: now,
      root,
      osDiskId,
      dataDisks: disks.dataDisks.map((d) => ({ lun: d.lun, id: d.disk.id })),
      nicIds: [nicId],
      spec: init.spec,
      ...(init.restored ? { restored: init.restored } : {}),
    };
    this.vms.set(resourceKey(id), vm);
    this.onVmCreated?.(vm);
    return vm;
  }

  /**
   * A dynamic private IP: the next free host address of the NIC's subnet (Azure keeps .0-.3 for itself), or of the
   * sandbox's fallback space 10.0.x.y for a subnet it does not know.
   */
  private allocatePrivateIp(subnetId: string | undefined): string {
    const m = subnetId === undefined ? null : /^(.*)\/subnets\/([^/]+)$/i.exec(subnetId);
    const subnet =
      m?.[1] && m[2] ? this.virtualNetwork(m[1])?.subnets.find((s) => sameText(s.name, m[2] ?? '')) : undefined;
    if (subnet && subnetId) {
      const key = resourceKey(subnetId);
      const host = this.nextHost.get(key) ?? 4;
      this.nextHost.set(key, host + 1);
      return `${subnet.addressPrefix.split('.').slice(0, 3).join('.')}.${host % 256}`;
    }
    const n = this.nextIp;
    this.nextIp += 1;
    return `10.0.${Math.floor(n / 250)}.${n % 250}`;
  }

  vm(subscriptionId: string, resourceGroup: string, name: string): VmRecord | undefined {
    return this.vms.get(resourceKey(vmResourceId(subscriptionId, resourceGroup, name)));
  }

  vmById(id: string): VmRecord | undefined {
    return this.vms.get(resourceKey(id));
  }

  /** Deletes the VM and its root; its disks and NICs stay (deleteOption Detach), as the app must clean them up. */
  deleteVm(vm: VmRecord): void {
    this.vms.delete(resourceKey(vm.id));
    for (const disk of this.disks.values())
      if (disk.managedBy?.toLowerCase() === vm.id.toLowerCase()) delete disk.managedBy;
    for (const nic of this.nics.values()) {
      if (nic.virtualMachineId?.toLowerCase() === vm.id.toLowerCase()) delete nic.virtualMachineId;
    }
    fs.rmSync(vm.root, { recursive: true, force: true });
  }

  vmsIn(subscriptionId: string, resourceGroup?: string): VmRecord[] {
    return [...this.vms.values()].filter(
      (vm) =>
        vm.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === undefined || vm.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }
}

const sameText = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
