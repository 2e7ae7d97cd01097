/**
 * BackupGateway over @azure/arm-recoveryservicesbackup v12. A humble translation layer: it maps SDK models to
 * ours (leniently: see wireValues.ts and jobDuration.ts) and SDK errors to AppError, and decides nothing.
 */
import type {
  IaasVMRestoreRequest,
  RecoveryServicesBackupClient,
  JobResource,
  ProtectedItemResource,
} from '@azure/arm-recoveryservicesbackup';
import { AppError, isAppError } from '../errors/appError';
import { parseVmId } from '../azure/armResourceId';
import { toAzureAppError } from './azureError';
import { buildJobFilter, buildRecoveryPointFilter, PROTECTED_VM_FILTER } from './backupFilters';
import type {
  AbortOptions,
  BackupGateway,
  BackupJob,
  BackupOperationStatus,
  JobErrorDetail,
  JobFilter,
  ProtectedVm,
  RecoveryPoint,
  TriggerBackupOptions,
  VaultRef,
} from '../azure/backupGateway';
import type { RestoreVmRequest } from '../azure/drillResources';
import { parseDurationInMs } from './jobDuration';
import {
  asRecord,
  lastPathSegment,
  readIsoTime,
  readNumber,
  readString,
  readStrings,
  segmentAfter,
} from './wireValues';

const MODULE = 'armBackupGateway';
const FABRIC = 'Azure';

export class ArmBackupGateway implements BackupGateway {
  constructor(private readonly clientFor: (subscriptionId: string) => RecoveryServicesBackupClient) {}

  async *listProtectedVms(vault: VaultRef, options: AbortOptions = {}): AsyncIterable<ProtectedVm> {
    const client = this.clientFor(vault.subscriptionId);
    try {
      const items = client.backupProtectedItems.list(vault.name, vault.resourceGroup, {
        filter: PROTECTED_VM_FILTER,
        abortSignal: options.abortSignal,
      });
      for await (const item of items) {
        const vm = toProtectedVm(vault, item);
        if (vm !== undefined) yield vm;
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list protected VMs of vault ${vault.name}`);
    }
  }

  async triggerBackup(item: ProtectedVm, options: TriggerBackupOptions): Promise<{ operationId: string }> {
    const { vault } = item;
    let operationUrl: string | undefined;
    try {
      await this.clientFor(vault.subscriptionId).backups.trigger(
        vault.name,
        vault.resourceGroup,
        FABRIC,
        item.containerName,
        item.protectedItemName,
        {
          properties: { objectType: 'IaasVMBackupRequest', recoveryPointExpiryTimeInUTC: options.recoveryPointExpiry },
        },
        {
          abortSignal: options.abortSignal,
          // trigger() resolves to void; the operation id is only in the 202's headers.
          onResponse: (response) => {
            operationUrl =
              response.headers.get('azure-asyncoperation') ?? response.headers.get('location') ?? operationUrl;
          },
        },
      );
    } catch (e) {
      throw toAzureAppError(e, MODULE, `trigger backup of ${item.vmName}`);
    }
    const operationId = operationUrl === undefined ? undefined : lastPathSegment(operationUrl);
    if (operationId === undefined) {
      throw new AppError('AZURE_REQUEST_FAILED', {
        module: MODULE,
        message: `trigger backup of ${item.vmName}: the response had no Azure-AsyncOperation or Location header`,
      });
    }
    return { operationId };
  }

  async triggerRestore(
    item: ProtectedVm,
    request: RestoreVmRequest,
    options: AbortOptions = {},
  ): Promise<{ operationId: string }> {
    const { vault } = item;
    let operationUrl: string | undefined;
    const action = `restore ${request.recoveryPointName} of ${item.vmName} as ${request.targetVmId}`;
    try {
      // beginTrigger sends the POST and returns its poller, which is never polled: the restore job outlives any
      // function execution, and getBackupOperation reads the operation on later ticks.
      await this.clientFor(vault.subscriptionId).restores.beginTrigger(
        vault.name,
        vault.resourceGroup,
        FABRIC,
        item.containerName,
        item.protectedItemName,
        request.recoveryPointName,
        { properties: toRestoreRequest(request) },
        {
          abortSignal: options.abortSignal,
          onResponse: (response) => {
            operationUrl =
              response.headers.get('azure-asyncoperation') ?? response.headers.get('location') ?? operationUrl;
          },
        },
      );
    } catch (e) {
      throw toRestoreError(e, action);
    }
    const operationId = operationUrl === undefined ? undefined : lastPathSegment(operationUrl);
    if (operationId === undefined) {
      throw new AppError('AZURE_REQUEST_FAILED', {
        module: MODULE,
        message: `${action}: the response had no Azure-AsyncOperation or Location header`,
      });
    }
    return { operationId };
  }

  async getBackupOperation(
    item: ProtectedVm,
    operationId: string,
    options: AbortOptions = {},
  ): Promise<BackupOperationStatus> {
    const { vault } = item;
    try {
      const status = await this.clientFor(vault.subscriptionId).protectedItemOperationStatuses.get(
        vault.name,
        vault.resourceGroup,
        FABRIC,
        item.containerName,
        item.protectedItemName,
        operationId,
        { abortSignal: options.abortSignal },
      );
      const result: BackupOperationStatus = { status: status.status ?? 'Invalid' };
      const jobId = readString(asRecord(status.properties), 'jobId');
      if (jobId !== undefined && jobId !== '') result.jobId = jobId;
      if (status.error !== undefined) {
        result.error = {};
        if (status.error.code !== undefined) result.error.code = status.error.code;
        if (status.error.message !== undefined) result.error.message = status.error.message;
      }
      return result;
    } catch (e) {
      throw toAzureAppError(e, MODULE, `get backup operation ${operationId} of ${item.vmName}`);
    }
  }

  async *listJobs(vault: VaultRef, filter: JobFilter, options: AbortOptions = {}): AsyncIterable<BackupJob> {
    try {
      const jobs = this.clientFor(vault.subscriptionId).backupJobs.list(vault.name, vault.resourceGroup, {
        filter: buildJobFilter(filter),
        abortSignal: options.abortSignal,
      });
      for await (const job of jobs) {
        const mapped = toBackupJob(vault.id, job);
        if (mapped !== undefined) yield mapped;
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list backup jobs of vault ${vault.name}`);
    }
  }

  async getJob(vault: VaultRef, jobId: string, options: AbortOptions = {}): Promise<BackupJob> {
    let job: JobResource;
    try {
      job = await this.clientFor(vault.subscriptionId).jobDetails.get(vault.name, vault.resourceGroup, jobId, {
        abortSignal: options.abortSignal,
      });
    } catch (e) {
      throw toAzureAppError(e, MODULE, `get backup job ${jobId}`);
    }
    return toBackupJob(vault.id, job) ?? { ...emptyJob(vault.id), jobId };
  }

  async *listRecoveryPoints(
    item: ProtectedVm,
    options: AbortOptions & { startDate?: Date; endDate?: Date } = {},
  ): AsyncIterable<RecoveryPoint> {
    const { vault } = item;
    const points: RecoveryPoint[] = [];
    try {
      const filter = buildRecoveryPointFilter(options);
      const pages = this.clientFor(vault.subscriptionId).recoveryPoints.list(
        vault.name,
        vault.resourceGroup,
        FABRIC,
        item.containerName,
        item.protectedItemName,
        { abortSignal: options.abortSignal, ...(filter === undefined ? {} : { filter }) },
      );
      for await (const point of pages) {
        const props = asRecord(point.properties);
        const name = point.name ?? (point.id === undefined ? undefined : lastPathSegment(point.id));
        if (name === undefined) continue;
        points.push({
          id: point.id ?? name,
          name,
          time: readIsoTime(props, 'recoveryPointTime') ?? '',
          type: readString(props, 'recoveryPointType') ?? 'Unknown',
          tiers: validTiers(props['recoveryPointTierDetails']),
        });
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list recovery points of ${item.vmName}`);
    }
    // The API promises no order: newest first here, points without a time last.
    points.sort((a, b) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1));
    yield* points;
  }
}

/** AlternateLocation restore as a new VM: classic-only and encryption options off (reference/azure-apis.md §3.2). */
export const toRestoreRequest = (request: RestoreVmRequest): IaasVMRestoreRequest => ({
  objectType: 'IaasVMRestoreRequest',
  recoveryPointId: request.recoveryPointName,
  recoveryType: 'AlternateLocation',
  sourceResourceId: request.sourceVmId,
  targetVirtualMachineId: request.targetVmId,
  targetResourceGroupId: request.targetResourceGroupId,
  storageAccountId: request.storageAccountId,
  virtualNetworkId: request.virtualNetworkId,
  subnetId: request.subnetId,
  region: request.region,
  createNewCloudService: false,
  originalStorageAccountOption: false,
  encryptionDetails: { encryptionEnabled: false },
});

/** Azure's 400 BMSUserErrorInvalidInput: the request itself is wrong, so Azure's message is what the user needs. */
const INVALID_RESTORE_INPUT = 'BMSUserErrorInvalidInput';

const toRestoreError = (e: unknown, action: string): Error => {
  const error = toAzureAppError(e, MODULE, action);
  if (!isAppError(error) || error.statusCode !== 400 || error.serviceCode !== INVALID_RESTORE_INPUT) return error;
  return new AppError('INVALID_INPUT', {
    module: MODULE,
    message: error.message,
    cause: e,
    retryable: false,
    statusCode: 400,
    serviceCode: INVALID_RESTORE_INPUT,
  });
};

export const toProtectedVm = (vault: VaultRef, item: ProtectedItemResource): ProtectedVm | undefined => {
  const props = asRecord(item.properties);
  const vmId = readString(props, 'virtualMachineId') ?? readString(props, 'sourceResourceId');
  if (vmId === undefined) return undefined;
  const id = item.id ?? '';
  const innerContainer = readString(props, 'containerName');
  const containerName =
    segmentAfter(id, 'protectionContainers') ??
    (innerContainer === undefined ? undefined : `IaasVMContainer;${innerContainer}`);
  const protectedItemName = segmentAfter(id, 'protectedItems') ?? item.name;
  if (containerName === undefined || protectedItemName === undefined) return undefined;
  const vm: ProtectedVm = {
    vault,
    vmId,
    vmName: readString(props, 'friendlyName') ?? parseVmId(vmId)?.name ?? protectedItemName,
    containerName,
    protectedItemName,
  };
  const protectionState = readString(props, 'protectionState');
  if (protectionState !== undefined) vm.protectionState = protectionState;
  const lastRecoveryPointTime = readIsoTime(props, 'lastRecoveryPoint');
  if (lastRecoveryPointTime !== undefined) vm.lastRecoveryPointTime = lastRecoveryPointTime;
  return vm;
};

const emptyJob = (vaultId: string): BackupJob => ({
  jobId: '',
  vaultId,
  entityName: '',
  operation: '',
  status: 'Invalid',
  errorDetails: [],
});

export const toBackupJob = (vaultId: string, job: JobResource): BackupJob | undefined => {
  const jobId = job.name ?? (job.id === undefined ? undefined : lastPathSegment(job.id));
  if (jobId === undefined) return undefined;
  const props = asRecord(job.properties);
  const result: BackupJob = {
    ...emptyJob(vaultId),
    jobId,
    entityName: readString(props, 'entityFriendlyName') ?? '',
    operation: readString(props, 'operation') ?? '',
    status: readString(props, 'status') ?? 'Invalid',
    errorDetails: toErrorDetails(props['errorDetails']),
  };
  const startTime = readIsoTime(props, 'startTime');
  if (startTime !== undefined) result.startTime = startTime;
  const endTime = readIsoTime(props, 'endTime');
  if (endTime !== undefined) result.endTime = endTime;
  const durationInMs = parseDurationInMs(props['duration']);
  if (durationInMs !== undefined) result.durationInMs = durationInMs;
  const containerName = readString(props, 'containerName');
  if (containerName !== undefined) result.containerName = containerName;
  return result;
};

const toErrorDetails = (value: unknown): JobErrorDetail[] => {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const e = asRecord(entry);
    const detail: JobErrorDetail = { recommendations: readStrings(e, 'recommendations') };
    const code = readNumber(e, 'errorCode');
    if (code !== undefined) detail.code = code;
    const title = readString(e, 'errorTitle');
    if (title !== undefined) detail.title = title;
    const message = readString(e, 'errorString');
    if (message !== undefined) detail.message = message;
    return detail;
  });
};

/** Tier types whose status is Valid; old responses write both as numbers (1: InstantRP, 2: HardenedRP, 3: ArchivedRP). */
const TIER_NAMES: Record<number, string> = { 1: 'InstantRP', 2: 'HardenedRP', 3: 'ArchivedRP' };
const validTiers = (value: unknown): string[] => {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const tier = asRecord(entry);
    const type = tier['type'];
    const status = tier['status'];
    const valid = status === 'Valid' || status === 1;
    const name = typeof type === 'number' ? TIER_NAMES[type] : typeof type === 'string' ? type : undefined;
    return valid && name !== undefined ? [name] : [];
  });
};
