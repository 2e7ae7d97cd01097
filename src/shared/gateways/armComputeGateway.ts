/**
 * VmCommandGateway over @azure/arm-compute 24 (modular client). Scripts run as managed (v2) Run Commands: they
 * report exitCode and executionState and keep stdout and stderr apart. Each Run Command resource is named by the
 * caller, awaited synchronously (asyncExecution: false), read back with its instance view and always deleted.
 */
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { AppError, isAppError } from '../errors/appError';
import { parseVmId, type VmRef } from './armResourceId';
import { isAbortError, toAzureAppError } from './azureError';
import { consoleGatewayLogger, type GatewayLogger } from './gatewayLogger';
import type { AbortOptions } from './backupGateway';
import type { RunScriptOptions, RunScriptResult, VmCommandGateway, VmInfo } from './vmCommandGateway';
import { asRecord, readNumber, readString } from './wireValues';

const MODULE = 'armComputeGateway';
/** Azure keeps the last 4 KiB of each stream; we never hold more than that from a VM. */
export const MAX_STREAM_CHARS = 4096;

export interface ArmComputeGatewayOptions {
  pollIntervalInMs: number;
  logger?: GatewayLogger;
}

export class ArmComputeGateway implements VmCommandGateway {
  private readonly logger: GatewayLogger;

  constructor(
    private readonly clientFor: (subscriptionId: string) => ComputeManagementClient,
    private readonly options: ArmComputeGatewayOptions,
  ) {
    this.logger = options.logger ?? consoleGatewayLogger;
  }

  async getVm(vmId: string, options: AbortOptions = {}): Promise<VmInfo | undefined> {
    const ref = requireVmRef(vmId);
    try {
      const vm = await this.clientFor(ref.subscriptionId).virtualMachines.get(ref.resourceGroup, ref.name, {
        abortSignal: options.abortSignal,
      });
      return toVmInfo(vm);
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `get VM ${ref.name}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async *listVms(subscriptionId: string, options: AbortOptions = {}): AsyncIterable<VmInfo> {
    try {
      for await (const vm of this.clientFor(subscriptionId).virtualMachines.listAll({
        abortSignal: options.abortSignal,
      })) {
        const info = toVmInfo(vm);
        if (info !== undefined) yield info;
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list VMs of subscription ${subscriptionId}`);
    }
  }

  async runScript(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult> {
    const ref = requireVmRef(vmId);
    const vm = await this.getVm(vmId, options);
    if (vm === undefined) {
      throw new AppError('NOT_FOUND', {
        module: MODULE,
        message: `run script on VM ${ref.name}: the VM does not exist`,
      });
    }
    const client = this.clientFor(ref.subscriptionId);
    const { pollIntervalInMs } = this.options;
    try {
      await client.virtualMachineRunCommands.createOrUpdate(
        ref.resourceGroup,
        ref.name,
        options.name,
        {
          location: vm.location,
          source: { script },
          parameters: options.parameters ?? [],
          timeoutInSeconds: options.timeoutInSeconds,
          asyncExecution: false,
          // A failing script must still give us its instance view rather than a failed deployment.
          treatFailureAsDeploymentFailure: false,
        },
        { updateIntervalInMs: pollIntervalInMs, abortSignal: options.abortSignal },
      );
      const runCommand = await client.virtualMachineRunCommands.getByVirtualMachine(
        ref.resourceGroup,
        ref.name,
        options.name,
        { expand: 'instanceView', abortSignal: options.abortSignal },
      );
      return toRunScriptResult(runCommand.instanceView);
    } catch (e) {
      throw toRunCommandError(e, `run command ${options.name} on VM ${ref.name}`);
    } finally {
      await this.deleteRunCommand(client, ref, options.name);
    }
  }

  /** Clean-up must not hide the script's result or error: failures are logged, never thrown. */
  private async deleteRunCommand(client: ComputeManagementClient, ref: VmRef, name: string): Promise<void> {
    try {
      // No abort signal: a cancelled run must still remove its Run Command from the VM.
      await client.virtualMachineRunCommands.delete(ref.resourceGroup, ref.name, name, {
        updateIntervalInMs: this.options.pollIntervalInMs,
      });
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `delete run command ${name} on VM ${ref.name}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return;
      this.logger.warn(error.message, { vm: ref.name, runCommand: name });
    }
  }
}

const requireVmRef = (vmId: string): VmRef => {
  const ref = parseVmId(vmId);
  if (ref === undefined) {
    throw new AppError('INVALID_INPUT', { module: MODULE, message: `not a virtual machine resource id: ${vmId}` });
  }
  return ref;
};

const toRunCommandError = (e: unknown, action: string): Error => {
  const error = toAzureAppError(e, MODULE, action);
  if (isAbortError(error) || !isAppError(error) || error.statusCode !== undefined) return error;
  // Not an HTTP error: the long-running operation itself reported a failure.
  return new AppError('RUN_COMMAND_FAILED', { module: MODULE, message: error.message, cause: e });
};

/** Keeps the end of a stream, as Azure does: the last lines of a script's output matter most. */
export const tail = (text: string, max = MAX_STREAM_CHARS): string => (text.length > max ? text.slice(-max) : text);

export const toRunScriptResult = (instanceView: unknown): RunScriptResult => {
  const view = asRecord(instanceView);
  const result: RunScriptResult = {
    executionState: readString(view, 'executionState') ?? 'Unknown',
    output: tail(readString(view, 'output') ?? ''),
    error: tail(readString(view, 'error') ?? ''),
  };
  const exitCode = readNumber(view, 'exitCode');
  if (exitCode !== undefined && Number.isInteger(exitCode)) result.exitCode = exitCode;
  const message = readString(view, 'executionMessage');
  if (message !== undefined) result.executionMessage = tail(message);
  return result;
};

export const toVmInfo = (vm: VirtualMachine): VmInfo | undefined => {
  if (vm.id === undefined || vm.name === undefined) return undefined;
  const nicIds = (vm.networkProfile?.networkInterfaces ?? [])
    .map((nic) => nic.id)
    .filter((id): id is string => typeof id === 'string');
  const disks = [
    vm.storageProfile?.osDisk?.managedDisk?.id,
    ...(vm.storageProfile?.dataDisks ?? []).map((d) => d.managedDisk?.id),
  ];
  const info: VmInfo = {
    id: vm.id,
    name: vm.name,
    location: vm.location,
    tags: { ...(vm.tags ?? {}) },
    nicIds,
    diskIds: disks.filter((id): id is string => typeof id === 'string'),
  };
  if (vm.provisioningState !== undefined) info.provisioningState = vm.provisioningState;
  return info;
};
