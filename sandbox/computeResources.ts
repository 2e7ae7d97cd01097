/** Spec-shaped JSON (ComputeRP 2026-03-01, DiskRP 2025-01-02) for simulated VMs, disks and Run Commands. */
import type { ComputeOperation, RunCommandRecord } from './runCommandService';
import type { DiskRecord, VmRecord, VmRuntimeState } from './world';

const nameOf = (id: string): string => id.split('/').pop() ?? id;

/**
 * A VM as Compute GET returns it; with `instanceView` ($expand=instanceView) its properties.instanceView too. A
 * restored VM was created from attached disks: its OS disk is 'Attach' with no image and it has no osProfile.
 */
export function vmJson(
  vm: VmRecord,
  diskOf: (id: string) => DiskRecord | undefined,
  instanceView?: Record<string, unknown>,
): Record<string, unknown> {
  const osDisk = diskOf(vm.osDiskId);
  const osDiskName = osDisk?.name ?? nameOf(vm.osDiskId);
  const restored = vm.restored !== undefined;
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
        ...(restored
          ? {}
          : {
              imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
            }),
        osDisk: {
          osType: 'Linux',
          name: osDiskName,
          createOption: restored ? 'Attach' : 'FromImage',
          caching: 'ReadWrite',
          managedDisk: { storageAccountType: 'Premium_LRS', id: vm.osDiskId },
          deleteOption: 'Detach',
          diskSizeGB: osDisk?.sizeGb ?? 30,
        },
        dataDisks: vm.dataDisks.map((d) => ({
          lun: d.lun,
          name: diskOf(d.id)?.name ?? nameOf(d.id),
          createOption: 'Attach',
          caching: 'None',
          managedDisk: { storageAccountType: 'Premium_LRS', id: d.id },
          deleteOption: 'Detach',
          diskSizeGB: diskOf(d.id)?.sizeGb ?? 128,
          toBeDetached: false,
        })),
      },
      ...(restored
        ? {}
        : {
            osProfile: {
              computerName: vm.name,
              adminUsername: 'azureuser',
              linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true },
              secrets: [],
              allowExtensionOperations: true,
            },
          }),
      networkProfile: {
        networkInterfaces: vm.nicIds.map((id, i) => ({ id, properties: { primary: i === 0, deleteOption: 'Detach' } })),
      },
      provisioningState: 'Succeeded',
      ...(instanceView ? { instanceView } : {}),
      timeCreated: vm.timeCreated,
    },
  };
}

const POWER_STATE_TEXT: Record<VmRuntimeState['powerState'], string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopped: 'VM stopped',
};

/**
 * VirtualMachineInstanceView (GET …/instanceView, or properties.instanceView with $expand=instanceView): the
 * provisioning and power states in `statuses`, and the guest agent in `vmAgent` ("Not Ready" with an Unknown version
 * until it reports, then "Ready"). The OS name and version come from the agent, so they appear only once it is ready.
 */
export function vmInstanceViewJson(
  vm: VmRecord,
  state: VmRuntimeState,
  diskOf: (id: string) => DiskRecord | undefined,
): Record<string, unknown> {
  const iso = (ms: number | undefined): string => new Date(ms ?? Date.parse(vm.timeCreated)).toISOString();
  const created = vm.restored?.createdMs ?? Date.parse(vm.timeCreated);
  const provisioned = {
    code: 'ProvisioningState/succeeded',
    level: 'Info',
    displayStatus: 'Provisioning succeeded',
    time: iso(created),
  };
  return {
    computerName: vm.name,
    ...(state.agentReady ? { osName: 'ubuntu', osVersion: '24.04' } : {}),
    hyperVGeneration: 'V2',
    vmAgent: state.agentReady
      ? {
          vmAgentVersion: '2.12.0.2',
          statuses: [
            {
              code: 'ProvisioningState/succeeded',
              level: 'Info',
              displayStatus: 'Ready',
              message: 'Guest Agent is running',
              time: iso(state.agentReadySinceMs),
            },
          ],
          extensionHandlers: [],
        }
      : {
          vmAgentVersion: 'Unknown',
          statuses: [
            {
              code: 'ProvisioningState/Unavailable',
              level: 'Warning',
              displayStatus: 'Not Ready',
              message: 'VM Agent is unresponsive.',
              time: iso(Math.max(created, state.powerStateSinceMs)),
            },
          ],
          extensionHandlers: [],
        },
    disks: [vm.osDiskId, ...vm.dataDisks.map((d) => d.id)].map((id) => ({
      name: diskOf(id)?.name ?? nameOf(id),
      statuses: [provisioned],
    })),
    statuses: [
      provisioned,
      { code: `PowerState/${state.powerState}`, level: 'Info', displayStatus: POWER_STATE_TEXT[state.powerState] },
    ],
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
