/** Spec-shaped JSON (ComputeRP 2026-03-01, DiskRP 2025-01-02) for simulated VMs, disks, NICs and Run Commands. */
import type { ComputeOperation, RunCommandRecord } from './runCommandService';
import type { DiskRecord, NicRecord, VmRecord } from './world';

export function vmJson(vm: VmRecord, osDisk: DiskRecord | undefined): Record<string, unknown> {
  const osDiskName = osDisk?.name ?? vm.osDiskId.split('/').pop() ?? `${vm.name}_OsDisk_1`;
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
        osDisk: {
          osType: 'Linux',
          name: osDiskName,
          createOption: 'FromImage',
          caching: 'ReadWrite',
          managedDisk: { storageAccountType: 'Premium_LRS', id: vm.osDiskId },
          deleteOption: 'Detach',
          diskSizeGB: osDisk?.sizeGb ?? 30,
        },
        dataDisks: [],
      },
      osProfile: {
        computerName: vm.name,
        adminUsername: 'azureuser',
        linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true },
        secrets: [],
        allowExtensionOperations: true,
      },
      networkProfile: {
        networkInterfaces: vm.nicIds.map((id, i) => ({ id, properties: { primary: i === 0, deleteOption: 'Detach' } })),
      },
      provisioningState: 'Succeeded',
      timeCreated: vm.timeCreated,
    },
  };
}

export function diskJson(disk: DiskRecord): Record<string, unknown> {
  return {
    id: disk.id,
    name: disk.name,
    type: 'Microsoft.Compute/disks',
    location: disk.location,
    tags: disk.tags,
    ...(disk.managedBy ? { managedBy: disk.managedBy } : {}),
    sku: { name: 'Premium_LRS', tier: 'Premium' },
    properties: {
      osType: 'Linux',
      hyperVGeneration: 'V2',
      creationData: { createOption: disk.managedBy === undefined ? 'Empty' : 'FromImage' },
      diskSizeGB: disk.sizeGb,
      diskState: disk.managedBy ? 'Attached' : 'Unattached',
      provisioningState: 'Succeeded',
      timeCreated: disk.timeCreated,
    },
  };
}

/** Microsoft.Network/networkInterfaces: no spec in the local set, so the common fields only. */
export function nicJson(nic: NicRecord): Record<string, unknown> {
  return {
    id: nic.id,
    name: nic.name,
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    tags: nic.tags,
    properties: {
      provisioningState: 'Succeeded',
      ...(nic.virtualMachineId ? { virtualMachine: { id: nic.virtualMachineId } } : {}),
      ipConfigurations: [
        {
          id: `${nic.id}/ipConfigurations/ipconfig1`,
          name: 'ipconfig1',
          properties: {
            privateIPAllocationMethod: 'Dynamic',
            primary: true,
            ...(nic.subnetId ? { subnet: { id: nic.subnetId } } : {}),
          },
        },
      ],
    },
  };
}

export function runCommandJson(rc: RunCommandRecord, withInstanceView: boolean): Record<string, unknown> {
  const ex = rc.execution;
  return {
    id: rc.id,
    name: rc.name,
    type: 'Microsoft.Compute/virtualMachines/runCommands',
    location: rc.location,
    tags: rc.tags,
    properties: {
      ...rc.properties,
      provisioningState: rc.provisioningState,
      ...(withInstanceView
        ? {
            instanceView: {
              executionState: ex.executionState,
              executionMessage: ex.executionMessage,
              ...(ex.exitCode !== undefined ? { exitCode: ex.exitCode } : {}),
              output: ex.output,
              error: ex.error,
              ...(ex.startTime ? { startTime: ex.startTime } : {}),
              ...(ex.endTime ? { endTime: ex.endTime } : {}),
              statuses: [],
            },
          }
        : {}),
    },
  };
}

export function computeOperationJson(op: ComputeOperation): Record<string, unknown> {
  if (!op.result) return { name: op.id, startTime: op.startTime, status: 'InProgress' };
  return {
    name: op.id,
    startTime: op.startTime,
    endTime: op.result.endTime,
    status: op.result.status,
    ...(op.result.error ? { error: op.result.error } : {}),
  };
}
