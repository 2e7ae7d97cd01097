/** The simulated Compute/Network resources: vaults, VMs (each a directory used as its root), disks and NICs. */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diskResourceId, nicResourceId, resourceKey, vaultResourceId, vmResourceId } from './armIds';
import type { SandboxClock } from './clock';
import { writeIrisInstances } from './irisInstances';
import type { Scenario, VaultSpec, VmSpec } from './scenario';
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
  nicIds: string[];
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

export interface NicRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  subnetId?: string;
  virtualMachineId?: string;
}

export class World {
  readonly vaults = new Map<string, VaultRecord>();
  readonly vms = new Map<string, VmRecord>();
  readonly disks = new Map<string, DiskRecord>();
  readonly nics = new Map<string, NicRecord>();

  constructor(
    readonly stateDir: string,
    private readonly clock: SandboxClock,
    private readonly repoRoot: string,
  ) {}

  load(scenario: Scenario): void {
    for (const v of scenario.vaults) {
      const id = vaultResourceId(v.subscriptionId, v.resourceGroup, v.name);
      this.vaults.set(resourceKey(id), { ...v, id });
    }
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

  /** Registers a VM with an OS disk and a NIC; the caller fills its root directory. */
  createVm(init: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location: string;
    tags: Record<string, string>;
    vmSize: string;
    spec: VmSpec;
    subnetId?: string;
  }): VmRecord {
    const id = vmResourceId(init.subscriptionId, init.resourceGroup, init.name);
    const now = this.clock.now().toISOString();
    const root = path.join(
      this.stateDir,
      'vms',
      `${init.subscriptionId}.${init.resourceGroup}.${init.name}`.toLowerCase(),
    );
    fs.mkdirSync(root, { recursive: true });
    const osDiskName = `${init.name}_OsDisk_1_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const osDiskId = diskResourceId(init.subscriptionId, init.resourceGroup, osDiskName);
    const nicId = nicResourceId(init.subscriptionId, init.resourceGroup, `${init.name}-nic`);
    const base = { subscriptionId: init.subscriptionId, resourceGroup: init.resourceGroup, location: init.location };
    this.disks.set(resourceKey(osDiskId), {
      ...base,
      id: osDiskId,
      name: osDiskName,
      tags: { ...init.tags },
      sizeGb: 30,
      managedBy: id,
      timeCreated: now,
    });
    this.nics.set(resourceKey(nicId), {
      ...base,
      id: nicId,
      name: `${init.name}-nic`,
      tags: { ...init.tags },
      subnetId: init.subnetId,
      virtualMachineId: id,
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
      nicIds: [nicId],
      spec: init.spec,
    };
    this.vms.set(resourceKey(id), vm);
    return vm;
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
