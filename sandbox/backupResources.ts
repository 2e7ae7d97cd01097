/** Spec-shaped JSON (bms.json 2023-06-01) for the simulated vault's resources. */
import { isoDuration } from './armIds';
import type { BackupOperation, JobRecord, JobView, ProtectedItemRecord, RecoveryPointRecord } from './backupService';

const itemBaseId = (p: ProtectedItemRecord): string =>
  `${p.vault.id}/backupFabrics/Azure/protectionContainers/${p.containerName}/protectedItems/${p.itemName}`;

export function protectedItemJson(
  p: ProtectedItemRecord,
  newest: RecoveryPointRecord | undefined,
): Record<string, unknown> {
  const lastRecoveryPoint = newest ? new Date(newest.timeMs).toISOString() : undefined;
  return {
    id: itemBaseId(p),
    name: p.itemName,
    type: 'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems',
    properties: {
      protectedItemType: 'Microsoft.Compute/virtualMachines',
      backupManagementType: 'AzureIaasVM',
      workloadType: 'VM',
      containerName: p.containerName.replace(/^IaasVMContainer;/i, ''),
      sourceResourceId: p.vm.id,
      virtualMachineId: p.vm.id,
      friendlyName: p.vm.name,
      policyId: `${p.vault.id}/backupPolicies/DefaultPolicy`,
      policyName: 'DefaultPolicy',
      protectionStatus: 'Healthy',
      protectionState: 'Protected',
      healthStatus: 'Passed',
      lastBackupStatus: newest ? 'Completed' : '',
      ...(lastRecoveryPoint ? { lastRecoveryPoint, lastBackupTime: lastRecoveryPoint } : {}),
      protectedItemDataId: String(Math.abs(hash(p.vm.id))),
      vaultId: p.vault.id,
    },
  };
}

export function recoveryPointJson(p: ProtectedItemRecord, rp: RecoveryPointRecord): Record<string, unknown> {
  return {
    id: `${itemBaseId(p)}/recoveryPoints/${rp.name}`,
    name: rp.name,
    type: 'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/recoveryPoints',
    properties: {
      objectType: 'IaasVMRecoveryPoint',
      recoveryPointType: rp.type,
      recoveryPointTime: new Date(rp.timeMs).toISOString(),
      recoveryPointAdditionalInfo: '',
      sourceVMStorageType: 'NormalStorage',
      isSourceVMEncrypted: false,
      isInstantIlrSessionActive: false,
      recoveryPointTierDetails: [{ type: 'InstantRP', status: 'Valid' }],
      isManagedVirtualMachine: true,
      virtualMachineSize: rp.vmSize,
      originalStorageAccountOption: false,
      osType: 'Linux',
    },
  };
}

export function operationStatusJson(op: BackupOperation, done: boolean, nowIso: string): Record<string, unknown> {
  const start = new Date(op.startMs).toISOString();
  if (!done) return { id: op.id, name: op.id, status: 'InProgress', startTime: start };
  return {
    id: op.id,
    name: op.id,
    status: 'Succeeded',
    startTime: start,
    endTime: nowIso,
    properties: { objectType: 'OperationStatusJobExtendedInfo', jobId: op.jobId },
  };
}

export function jobJson(job: JobRecord, view: JobView, nowMs: number): Record<string, unknown> {
  const terminal = view.status !== 'InProgress';
  const endMs = view.endMs ?? nowMs;
  const elapsed = Math.max(0, endMs - job.startMs);
  const progress = terminal
    ? 100
    : job.durationMs === 0
      ? 0
      : Math.min(99, Math.floor((elapsed / job.durationMs) * 100));
  const [first, second] =
    job.operation === 'Backup'
      ? ['Take Snapshot', 'Transfer data to vault']
      : ['Transfer data', 'Create the restored VM'];
  const taskStatus = (i: number): string => {
    if (!terminal) return i === 0 && job.result !== undefined ? 'Completed' : i === 0 ? 'InProgress' : 'NotStarted';
    if (view.status === 'Failed') return i === 0 && job.pendingRecoveryPoint ? 'Completed' : 'Failed';
    return 'Completed';
  };
  const propertyBag: Record<string, string> =
    job.operation === 'Backup'
      ? { 'VM Name': job.vmName, 'Backup Size': '2332 MB' }
      : {
          'Job Type': 'Recover to a new virtual machine',
          'Source VM': job.vmName,
          'Target VM Name': job.restoreTarget?.name ?? '',
          'Target Resource Group': job.restoreTarget?.resourceGroup ?? '',
          'Recovery point time': job.recoveryPoint ? new Date(job.recoveryPoint.timeMs).toISOString() : '',
        };
  const errors = terminal ? (job.result?.errors ?? []) : [];
  return {
    id: `${job.vaultId}/backupJobs/${job.id}`,
    name: job.id,
    type: 'Microsoft.RecoveryServices/vaults/backupJobs',
    properties: {
      jobType: 'AzureIaaSVMJobV2',
      entityFriendlyName: job.vmName,
      backupManagementType: 'AzureIaasVM',
      operation: job.operation,
      status: view.status,
      startTime: new Date(job.startMs).toISOString(),
      ...(terminal ? { endTime: new Date(endMs).toISOString() } : {}),
      activityId: job.activityId,
      duration: isoDuration(elapsed),
      actionsInfo: terminal ? [] : ['Cancellable'],
      errorDetails: errors.map((e) => ({ ...e })),
      virtualMachineVersion: 'Compute',
      containerName: `iaasvmcontainerv2;${job.vmResourceGroup};${job.vmName}`,
      extendedInfo: {
        tasksList: [first, second].map((taskId, i) => ({
          taskId,
          duration: isoDuration(i === 0 ? Math.min(elapsed, 60_000) : Math.max(0, elapsed - 60_000)),
          status: taskStatus(i),
        })),
        propertyBag,
        progressPercentage: progress,
        ...(terminal && errors.length > 0 && job.result?.dynamicErrorMessage
          ? { dynamicErrorMessage: job.result.dynamicErrorMessage }
          : {}),
      },
    },
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
