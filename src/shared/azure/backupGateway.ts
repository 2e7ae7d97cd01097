/** The slice of Azure Backup (Recovery Services) the app uses. Implemented over @azure/arm-recoveryservicesbackup. */
import type { RestoreVmRequest } from './drillResources';

export interface AbortOptions {
  abortSignal?: AbortSignal;
}

export interface VaultRef {
  /** Full ARM id: /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name} */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface ProtectedVm {
  vault: VaultRef;
  /** ARM id of the source VM (properties.virtualMachineId / sourceResourceId). */
  vmId: string;
  vmName: string;
  /** Names as they appear in the protected item's id, e.g. IaasVMContainer;iaasvmcontainerv2;rg;vm */
  containerName: string;
  protectedItemName: string;
  protectionState?: string;
  lastRecoveryPointTime?: string;
}

export type OperationStatusValue = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled' | 'Invalid' | string;

export interface BackupOperationStatus {
  status: OperationStatusValue;
  jobId?: string;
  error?: { code?: string; message?: string };
}

export type JobStatus =
  'InProgress' | 'Completed' | 'CompletedWithWarnings' | 'Failed' | 'Cancelled' | 'Cancelling' | 'Invalid' | string;

export interface JobErrorDetail {
  /** Numeric in the API (AzureIaaSVMErrorInfo.errorCode). */
  code?: number;
  title?: string;
  message?: string;
  recommendations: string[];
}

export interface BackupJob {
  jobId: string;
  vaultId: string;
  /** entityFriendlyName: the VM name for IaaS VM jobs. */
  entityName: string;
  operation: string;
  status: JobStatus;
  startTime?: string;
  endTime?: string;
  /** Parsed leniently from ISO 8601 or .NET TimeSpan; absent when unreadable. */
  durationInMs?: number;
  errorDetails: JobErrorDetail[];
  containerName?: string;
}

export interface JobFilter {
  startTime: Date;
  endTime: Date;
  operation?: 'Backup' | 'Restore';
  status?: JobStatus;
}

export type RecoveryPointType = 'AppConsistent' | 'FileSystemConsistent' | 'CrashConsistent' | string;

export interface RecoveryPoint {
  id: string;
  /** The recovery point id used in restore URLs. */
  name: string;
  time: string;
  type: RecoveryPointType;
  /**
   * The tiers holding the point with status Valid (recoveryPointTierDetails): InstantRP (the snapshot, listed as
   * soon as the job's snapshot task completes), HardenedRP (in the vault, once the transfer completed), ArchivedRP.
   */
  tiers: string[];
}

export interface TriggerBackupOptions extends AbortOptions {
  recoveryPointExpiry: Date;
}

export interface BackupGateway {
  listProtectedVms(vault: VaultRef, options?: AbortOptions): AsyncIterable<ProtectedVm>;
  /** POST …/backup (202). Returns the operation id taken from Azure-AsyncOperation/Location. */
  triggerBackup(item: ProtectedVm, options: TriggerBackupOptions): Promise<{ operationId: string }>;
  /**
   * POST …/recoveryPoints/{rp}/restore (202): restores the point as a new VM (AlternateLocation). Returns the
   * operation id taken from Azure-AsyncOperation/Location; getBackupOperation then gives the restore job id.
   * A request Azure rejects (400 BMSUserErrorInvalidInput) is an INVALID_INPUT AppError with Azure's message.
   */
  triggerRestore(
    item: ProtectedVm,
    request: RestoreVmRequest,
    options?: AbortOptions,
  ): Promise<{ operationId: string }>;
  getBackupOperation(item: ProtectedVm, operationId: string, options?: AbortOptions): Promise<BackupOperationStatus>;
  listJobs(vault: VaultRef, filter: JobFilter, options?: AbortOptions): AsyncIterable<BackupJob>;
  getJob(vault: VaultRef, jobId: string, options?: AbortOptions): Promise<BackupJob>;
  listRecoveryPoints(
    item: ProtectedVm,
    options?: AbortOptions & { startDate?: Date; endDate?: Date },
  ): AsyncIterable<RecoveryPoint>;
}
