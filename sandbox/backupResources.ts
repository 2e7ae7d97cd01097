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
      // The snapshot tier exists from the end of the snapshot task (until it expires: snapshotTier false); the vault
      // tier once the transfer completed.
      recoveryPointTierDetails: [
        ...(rp.snapshotTier === false ? [] : [{ type: 'InstantRP', status: 'Valid' }]),
        ...(rp.hardened ? [{ type: 'HardenedRP', status: 'Valid' }] : []),
      ],
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

/**
 * A job as jobDetails.get returns it (`detailed`), or as an item of the vault's job list: list items are lean, as in
 * the spec's ListJobs examples, with no errorDetails, extendedInfo or actionsInfo (those come from jobDetails.get).
 */
export function jobJson(job: JobRecord, view: JobView, nowMs: number, detailed: boolean): Record<string, unknown> {
  const terminal = view.status !== 'InProgress';
  const endMs = view.endMs ?? nowMs;
  const elapsed = Math.max(0, endMs - job.startMs);
  const expectedMs = job.durationMs + job.transferMs;
  const progress = terminal ? 100 : expectedMs === 0 ? 0 : Math.min(99, Math.floor((elapsed / expectedMs) * 100));
  const base = {
    jobType: 'AzureIaaSVMJobV2',
    entityFriendlyName: job.vmName,
    backupManagementType: 'AzureIaasVM',
    operation: job.operation,
    status: view.status,
    startTime: new Date(job.startMs).toISOString(),
    ...(terminal ? { endTime: new Date(endMs).toISOString() } : {}),
    activityId: job.activityId,
    duration: isoDuration(elapsed),
    virtualMachineVersion: 'Compute',
  };
  const resource = {
    id: `${job.vaultId}/backupJobs/${job.id}`,
    name: job.id,
    type: 'Microsoft.RecoveryServices/vaults/backupJobs',
  };
  if (!detailed) return { ...resource, properties: base };

  const [first, second] =
    job.operation === 'Backup'
      ? ['Take Snapshot', 'Transfer data to vault']
      : ['Transfer data', 'Create the restored VM'];
  // Backup tasks follow the job's phases; a failed job failed in the phase it had reached.
  const snapshotDone = view.snapshotEndMs !== undefined && job.pendingRecoveryPoint !== undefined;
  const taskStatus = (i: number): string => {
    if (job.operation === 'Restore') {
      if (!terminal) return i === 0 && job.result !== undefined ? 'Completed' : i === 0 ? 'InProgress' : 'NotStarted';
      return view.status === 'Failed' ? 'Failed' : 'Completed';
    }
    if (i === 0) {
      if (view.phase === 'snapshot') return 'InProgress';
      return snapshotDone || view.status !== 'Failed' ? 'Completed' : 'Failed';
    }
    if (view.phase === 'snapshot') return 'NotStarted';
    if (view.phase === 'transfer') return 'InProgress';
    if (!snapshotDone) return view.status === 'Failed' ? 'NotStarted' : 'Completed';
    return view.status === 'Failed' ? 'Failed' : 'Completed';
  };
  const snapshotEnd = view.snapshotEndMs ?? nowMs;
  const taskDuration = (i: number): number =>
    job.operation === 'Restore'
      ? i === 0
        ? Math.min(elapsed, 60_000)
        : Math.max(0, elapsed - 60_000)
      : i === 0
        ? Math.max(0, Math.min(snapshotEnd, endMs) - job.startMs)
        : Math.max(0, endMs - snapshotEnd);
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
  const errors = terminal ? view.errors : [];
  const dynamicErrorMessage = errors[errors.length - 1]?.errorString;
  return {
    ...resource,
    properties: {
      ...base,
      actionsInfo: terminal ? [] : ['Cancellable'],
      errorDetails: errors.map((e) => ({ ...e })),
      containerName: `iaasvmcontainerv2;${job.vmResourceGroup};${job.vmName}`,
      extendedInfo: {
        tasksList: [first, second].map((taskId, i) => ({
          taskId,
          duration: isoDuration(taskDuration(i)),
          status: taskStatus(i),
        })),
        propertyBag,
        progressPercentage: progress,
        ...(errors.length > 0 && dynamicErrorMessage ? { dynamicErrorMessage } : {}),
      },
    },
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
