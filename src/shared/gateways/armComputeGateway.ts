/**
 * VmCommandGateway over @azure/arm-compute 24 (modular client). Scripts run as managed (v2) Run Commands: they
 * report exitCode and executionState and keep stdout and stderr apart. Each Run Command resource is named by the
 * caller, awaited synchronously (asyncExecution: false), read back with its instance view and always deleted.
 */
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { AppError, isAppError } from '../errors/appError';
import { parseVmId, type VmRef } from '../azure/armResourceId';
import { isAbortError, toAzureAppError } from './azureError';
import { consoleGatewayLogger, type GatewayLogger } from '../azure/gatewayLogger';
import type { AbortOptions } from '../azure/backupGateway';
import type { RunScriptOptions, RunScriptResult, VmCommandGateway, VmInfo } from '../azure/vmCommandGateway';
import { asRecord, readNumber, readString } from './wireValues';

const MODULE = 'armComputeGateway';
/** Azure keeps the last 4 KiB of each stream; we never hold more than that from a VM. */
export const MAX_STREAM_CHARS = 4096;

export interface ArmComputeGatewayOptions {
  pollIntervalInMs: number;
  logger?: GatewayLogger;
}

const ENDED_STATES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'TimedOut', 'Canceled']);
const RUN_COMMAND_MARGIN_SECONDS = 120;
/** Even against a local emulator, do not spin on the instance view. */
const MIN_POLL_MS = 50;

const delay = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export class ArmComputeGateway implements VmCommandGateway {
  private readonly logger: GatewayLogger;
  private readonly locations = new Map<string, string>();

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
      return this.remember(toVmInfo(vm));
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `get VM ${ref.name}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  private remember(vm: VmInfo | undefined): VmInfo | undefined {
    if (vm !== undefined && vm.location !== '') this.locations.set(vm.id.toLowerCase(), vm.location);
    return vm;
  }

  async *listVms(subscriptionId: string, options: AbortOptions = {}): AsyncIterable<VmInfo> {
    try {
      for await (const vm of this.clientFor(subscriptionId).virtualMachines.listAll({
        abortSignal: options.abortSignal,
      })) {
        const info = this.remember(toVmInfo(vm));
        if (info !== undefined) yield info;
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list VMs of subscription ${subscriptionId}`);
    }
  }

  async runScript(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult> {
    const ref = requireVmRef(vmId);
    const location = await this.locationOf(vmId, ref, options);
    const client = this.clientFor(ref.subscriptionId);
    try {
      // Only the PUT is sent here; instead of following its long-running operation and then reading the result
      // again, we read the instance view until the script has ended: the same answer in fewer requests.
      const poller = client.virtualMachineRunCommands.createOrUpdate(
        ref.resourceGroup,
        ref.name,
        options.name,
        {
          location,
          source: { script },
          parameters: options.parameters ?? [],
          timeoutInSeconds: options.timeoutInSeconds,
          asyncExecution: false,
          // A failing script must still give us its instance view rather than a failed deployment.
          treatFailureAsDeploymentFailure: false,
        },
        { updateIntervalInMs: this.options.pollIntervalInMs, abortSignal: options.abortSignal },
      );
      await poller.submitted();
      return await this.awaitScriptEnd(client, ref, options);
    } catch (e) {
      throw toRunCommandError(e, `run command ${options.name} on VM ${ref.name}`);
    } finally {
      await this.deleteRunCommand(client, ref, options.name);
    }
  }

  /** VM locations never change, and a Run Command needs one: ask Azure once per VM and process. */
  private async locationOf(vmId: string, ref: VmRef, options: AbortOptions): Promise<string> {
    const known = this.locations.get(vmId.toLowerCase());
    if (known !== undefined) return known;
    const vm = await this.getVm(vmId, options);
    if (vm === undefined) {
      throw new AppError('NOT_FOUND', {
        module: MODULE,
        message: `run script on VM ${ref.name}: the VM does not exist`,
      });
    }
    return vm.location;
  }

  private async awaitScriptEnd(
    client: ComputeManagementClient,
    ref: VmRef,
    options: RunScriptOptions,
  ): Promise<RunScriptResult> {
    // Azure ends the script at timeoutInSeconds; the margin covers the extension's own start-up and reporting.
    const deadline = Date.now() + (options.timeoutInSeconds + RUN_COMMAND_MARGIN_SECONDS) * 1000;
    for (;;) {
      await delay(Math.max(this.options.pollIntervalInMs, MIN_POLL_MS), options.abortSignal);
      const runCommand = await client.virtualMachineRunCommands.getByVirtualMachine(
        ref.resourceGroup,
        ref.name,
        options.name,
        { expand: 'instanceView', abortSignal: options.abortSignal },
      );
      const result = toRunScriptResult(runCommand.instanceView);
      if (ENDED_STATES.has(result.executionState)) return result;
      if (runCommand.provisioningState === 'Failed') return { ...result, executionState: 'Failed' };
      if (Date.now() > deadline) {
        return { ...result, executionState: 'TimedOut', executionMessage: 'no result within the time-out' };
      }
    }
  }

  /** Clean-up must not hide the script's result or error: failures are logged, never thrown. */
  private async deleteRunCommand(client: ComputeManagementClient, ref: VmRef, name: string): Promise<void> {
    try {
      // No abort signal: a cancelled run must still remove its Run Command from the VM. Azure finishes the
      // deletion on its own once it has accepted the request, so nothing is gained by polling it.
      await client.virtualMachineRunCommands
        .delete(ref.resourceGroup, ref.name, name, { updateIntervalInMs: this.options.pollIntervalInMs })
        .submitted();
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
