/**
 * VmCommandGateway over @azure/arm-compute 24 (modular client). Scripts run as managed (v2) Run Commands: they
 * report exitCode and executionState and keep stdout and stderr apart. Each Run Command resource is named by the
 * caller. The functions start one (asyncExecution) and read its instance view on later ticks; the CLI waits for it
 * (runScript). Either way the caller deletes it.
 */
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { AppError, isAppError, toError } from '../errors/appError';
import { parseVmId, type VmRef } from '../azure/armResourceId';
import { isAbortError, toAzureAppError } from './azureError';
import { consoleGatewayLogger, type GatewayLogger } from '../azure/gatewayLogger';
import type { AbortOptions } from '../azure/backupGateway';
import type {
  RunCommandListing,
  RunScriptOptions,
  RunScriptResult,
  VmCommandGateway,
  VmInfo,
} from '../azure/vmCommandGateway';
import { asRecord, readNumber, readString } from './wireValues';

const MODULE = 'armComputeGateway';
/** Azure keeps the last 4 KiB of each stream; we never hold more than that from a VM. */
export const MAX_STREAM_CHARS = 4096;

export interface ArmComputeGatewayOptions {
  pollIntervalInMs: number;
  logger?: GatewayLogger;
  /**
   * Wait before a Run Command skipped for parallelism is tried again (default 20 s: long enough for one of the
   * others on the VM to end). Tests shorten it.
   */
  skippedRetryDelayMs?: number;
}

/** Azure's handler reports a script it killed at timeoutInSeconds as Failed with this exit code (never TimedOut). */
const TIMED_OUT_EXIT_CODE = -1;
/** Tries of a Run Command that the VM skipped because too many were running at once. */
const SKIPPED_ATTEMPTS = 3;
/** Our name for a Run Command that ended skipped every time: not a result of the script. */
export const SKIPPED_STATE = 'Skipped';

const ENDED_STATES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'TimedOut', 'Canceled', SKIPPED_STATE]);
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

  /**
   * A Run Command skipped because the VM already ran several is tried again a few times, a little later: it says
   * nothing about the VM. A time-out (Failed, exit -1) comes back as TimedOut, so that nobody reads it as the
   * script's own exit code; a VM that is not running comes back as a 'VM not running' error (PRECONDITION_FAILED, not retryable).
   */
  async runScript(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult> {
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.runOnce(vmId, script, options);
      if (result.executionState !== SKIPPED_STATE) return result;
      if (attempt >= SKIPPED_ATTEMPTS) {
        return { ...result, executionMessage: `skipped ${attempt} times: ${result.executionMessage ?? ''}` };
      }
      this.logger.warn(`run command ${options.name} was skipped (too many at once on the VM); trying again`, {
        vm: vmId,
        attempt,
      });
      await delay(this.options.skippedRetryDelayMs ?? 20_000, options.abortSignal);
    }
  }

  private async runOnce(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult> {
    const ref = requireVmRef(vmId);
    try {
      await this.put(vmId, ref, script, options, false);
      return await this.awaitScriptEnd(vmId, options);
    } finally {
      await this.deleteScript(vmId, options.name).catch((e: unknown) =>
        this.logger.warn(toError(e).message, { vm: ref.name, runCommand: options.name }),
      );
    }
  }

  async startScript(vmId: string, script: string, options: RunScriptOptions): Promise<void> {
    await this.put(vmId, requireVmRef(vmId), script, options, true);
  }

  /**
   * Only the PUT is sent: its long-running operation ends when the script starts (asyncExecution) or ends, and
   * the instance view, read afterwards, says the same in fewer requests.
   */
  private async put(
    vmId: string,
    ref: VmRef,
    script: string,
    options: RunScriptOptions,
    asyncExecution: boolean,
  ): Promise<void> {
    const location = options.location ?? (await this.locationOf(vmId, ref, options));
    try {
      await this.clientFor(ref.subscriptionId)
        .virtualMachineRunCommands.createOrUpdate(
          ref.resourceGroup,
          ref.name,
          options.name,
          {
            location,
            source: { script },
            parameters: options.parameters ?? [],
            timeoutInSeconds: options.timeoutInSeconds,
            ...(options.outputBlobUri === undefined ? {} : { outputBlobUri: options.outputBlobUri }),
            asyncExecution,
            // A failing script must still give us its instance view rather than a failed deployment.
            treatFailureAsDeploymentFailure: false,
          },
          { updateIntervalInMs: this.options.pollIntervalInMs, abortSignal: options.abortSignal },
        )
        .submitted();
    } catch (e) {
      throw toRunCommandError(e, `run command ${options.name} on VM ${ref.name}`);
    }
  }

  async readScript(vmId: string, name: string, options: AbortOptions = {}): Promise<RunScriptResult | undefined> {
    const ref = requireVmRef(vmId);
    try {
      const runCommand = await this.clientFor(ref.subscriptionId).virtualMachineRunCommands.getByVirtualMachine(
        ref.resourceGroup,
        ref.name,
        name,
        { expand: 'instanceView', abortSignal: options.abortSignal },
      );
      const result = toRunScriptResult(runCommand.instanceView);
      // Only with treatFailureAsDeploymentFailure (which we never set) can the resource fail while its view runs.
      return runCommand.provisioningState === 'Failed' && !ENDED_STATES.has(result.executionState)
        ? { ...result, executionState: 'Failed' }
        : result;
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `read run command ${name} on VM ${ref.name}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /**
   * No abort signal: a cancelled run must still remove its Run Command from the VM. Azure finishes the deletion on
   * its own once it has accepted the request, so nothing is gained by polling it.
   */
  async deleteScript(vmId: string, name: string): Promise<void> {
    const ref = requireVmRef(vmId);
    try {
      await this.clientFor(ref.subscriptionId)
        .virtualMachineRunCommands.delete(ref.resourceGroup, ref.name, name, {
          updateIntervalInMs: this.options.pollIntervalInMs,
        })
        .submitted();
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `delete run command ${name} on VM ${ref.name}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }

  async *listScripts(vmId: string, options: AbortOptions = {}): AsyncIterable<RunCommandListing> {
    const ref = requireVmRef(vmId);
    try {
      for await (const rc of this.clientFor(ref.subscriptionId).virtualMachineRunCommands.listByVirtualMachine(
        ref.resourceGroup,
        ref.name,
        { expand: 'instanceView', abortSignal: options.abortSignal },
      )) {
        if (rc.name === undefined) continue;
        const view = toRunScriptResult(rc.instanceView);
        // The SDK deserializes it as a Date.
        const start = rc.instanceView?.startTime;
        const startTime = start instanceof Date && !Number.isNaN(start.getTime()) ? start.toISOString() : undefined;
        yield { name: rc.name, executionState: view.executionState, ...(startTime ? { startTime } : {}) };
      }
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list run commands on VM ${ref.name}`);
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

  private async awaitScriptEnd(vmId: string, options: RunScriptOptions): Promise<RunScriptResult> {
    // Azure ends the script at timeoutInSeconds; the margin covers the extension's own start-up (up to a minute on
    // a VM's first Run Command, while the handler installs) and reporting.
    const deadline = Date.now() + (options.timeoutInSeconds + RUN_COMMAND_MARGIN_SECONDS) * 1000;
    for (;;) {
      await delay(Math.max(this.options.pollIntervalInMs, MIN_POLL_MS), options.abortSignal);
      const result = await this.readScript(vmId, options.name, options);
      if (result === undefined) {
        throw new AppError('RUN_COMMAND_FAILED', {
          module: MODULE,
          message: `run command ${options.name}: it disappeared from the VM before it ended`,
        });
      }
      if (ENDED_STATES.has(result.executionState)) return result;
      if (Date.now() > deadline) {
        return { ...result, executionState: 'TimedOut', executionMessage: 'no result within the time-out' };
      }
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

/** Azure's handler ends a Run Command beyond its parallel limit as Failed, with no exit code, saying "skipped". */
const isSkipped = (r: RunScriptResult): boolean =>
  r.executionState === 'Failed' && r.exitCode === undefined && /skipped/i.test(r.executionMessage ?? '');

/** 409 on the PUT: the VM is stopped or deallocated, so no Run Command can start until someone starts it. */
const isVmNotRunning = (error: Error): boolean =>
  isAppError(error) &&
  error.statusCode === 409 &&
  (error.serviceCode === 'OperationNotAllowed' || /not running|deallocat|stopped/i.test(error.message));

const toRunCommandError = (e: unknown, action: string): Error => {
  const error = toAzureAppError(e, MODULE, action);
  if (isVmNotRunning(error) && isAppError(error)) {
    return new AppError('PRECONDITION_FAILED', {
      module: MODULE,
      message: `VM not running: ${error.message}`,
      cause: e,
      retryable: false,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.serviceCode === undefined ? {} : { serviceCode: error.serviceCode }),
    });
  }
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
  if (isSkipped(result)) return { ...result, executionState: SKIPPED_STATE };
  // No script can exit with -1 (exit statuses are 0-255): Failed with -1 is Azure's own time-out.
  if (result.executionState === 'Failed' && result.exitCode === TIMED_OUT_EXIT_CODE) {
    delete result.exitCode;
    return {
      ...result,
      executionState: 'TimedOut',
      executionMessage: `the script did not finish within its time-out and was ended by Azure${message === undefined ? '' : ` (${tail(message)})`}`,
    };
  }
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
