/**
 * Managed Run Commands (v2) on simulated VMs: the script really runs under dash against the VM root, with the
 * parameters as environment variables; output and error keep the last 4 KiB, as the real handler does.
 * As Azure's handler (issue 8): while running, 'Execution in progress' with the output refreshed every ~15 s; a
 * time-out ends Failed with exitCode -1 and kills only the script's own process; timeoutInSeconds 0 means no limit;
 * a PUT on a running name or a DELETE kills the running script; beyond ~5 at once on a VM the extra ones end
 * Failed as skipped; a VM that is not running refuses the PUT with 409.
 */
import { randomUUID } from 'node:crypto';
import { ArmError, badRequest, notFound } from './armError';
import type { SandboxClock } from './clock';
import type { FaultSpec, RunCommandScenario } from './scenario';
import type { VmProcessRunner } from './vmProcess';
import type { VmRecord } from './world';

/** timeoutInSeconds 0 means no limit; the longest timer Node can hold (about 24.8 days) stands for it. */
const NO_LIMIT_MS = 2 ** 31 - 1;
/** The exit code Azure's handler reports for a script it ended at its time-out. */
export const TIMED_OUT_EXIT_CODE = -1;
export const SKIPPED_MESSAGE = 'Execution skipped: too many Run Commands are running on this VM';

export interface RunCommandExecution {
  executionState: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';
  executionMessage: string;
  exitCode?: number;
  output: string;
  error: string;
  startTime?: string;
  endTime?: string;
}

export interface RunCommandRecord {
  id: string;
  name: string;
  vmKey: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  execution: RunCommandExecution;
  provisioningState: 'Creating' | 'Updating' | 'Succeeded' | 'Failed';
  operationId: string;
  /** Aborts the running script (DELETE, or a PUT on the same name). */
  stop?: AbortController;
}

export interface ComputeOperation {
  id: string;
  location: string;
  subscriptionId: string;
  startTime: string;
  /** Undefined while running. */
  result?: { status: 'Succeeded' | 'Failed'; endTime: string; error?: { code: string; message: string } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class RunCommandService {
  readonly commands = new Map<string, RunCommandRecord>();
  readonly operations = new Map<string, ComputeOperation>();
  /** VMs (lower-case ids) that have run a Run Command: only the first one waits for the handler to install. */
  private readonly handlerInstalled = new Set<string>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly processes: VmProcessRunner,
    private readonly faults: readonly FaultSpec[],
    private readonly timing: RunCommandScenario = {},
  ) {}

  newOperation(subscriptionId: string, location: string, done: boolean): ComputeOperation {
    const now = this.clock.now().toISOString();
    const op: ComputeOperation = { id: randomUUID(), location, subscriptionId, startTime: now };
    if (done) op.result = { status: 'Succeeded', endTime: now };
    this.operations.set(op.id.toLowerCase(), op);
    return op;
  }

  operation(id: string): ComputeOperation {
    const op = this.operations.get(id.toLowerCase());
    if (!op) throw notFound(`Operation '${id}'`);
    return op;
  }

  private key(vm: VmRecord, name: string): string {
    return `${vm.id}/runCommands/${name}`.toLowerCase();
  }

  get(vm: VmRecord, name: string): RunCommandRecord {
    const rc = this.commands.get(this.key(vm, name));
    if (!rc) throw notFound(`Run command '${name}' on VM '${vm.name}'`);
    return rc;
  }

  list(vm: VmRecord): RunCommandRecord[] {
    const prefix = `${vm.id}/runCommands/`.toLowerCase();
    return [...this.commands.entries()].filter(([k]) => k.startsWith(prefix)).map(([, rc]) => rc);
  }

  /** DELETE stops a script that is still running, as Azure's does. */
  delete(vm: VmRecord, name: string): boolean {
    const key = this.key(vm, name);
    this.commands.get(key)?.stop?.abort();
    return this.commands.delete(key);
  }

  deleteAllOf(vm: VmRecord): void {
    for (const rc of this.list(vm)) this.delete(vm, rc.name);
  }

  private running(vm: VmRecord): number {
    return this.list(vm).filter((rc) => ['Pending', 'Running'].includes(rc.execution.executionState)).length;
  }

  /** PUT: validates, starts the script and returns the record (201 for a new one). */
  createOrUpdate(vm: VmRecord, name: string, body: unknown): { record: RunCommandRecord; created: boolean } {
    if (!isRecord(body)) throw badRequest('The request body must be a JSON object.');
    const props = body.properties;
    if (!isRecord(props)) throw badRequest('The request body must have "properties".');
    const source = props.source;
    if (!isRecord(source) || typeof source.script !== 'string') {
      throw badRequest(
        'properties.source.script is required (scriptUri and commandId are not supported by the sandbox).',
        'InvalidParameter',
      );
    }
    const params = [
      ...asParams(props.parameters, 'parameters'),
      ...asParams(props.protectedParameters, 'protectedParameters'),
    ];
    const timeout = props.timeoutInSeconds;
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 0)) {
      throw badRequest('properties.timeoutInSeconds must be a non-negative integer.', 'InvalidParameter');
    }
    if (this.faults.some((f) => f.kind === 'vmNotRunning' && f.vm.toLowerCase() === vm.name.toLowerCase())) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Cannot modify extensions in the VM '${vm.name}' when the VM is not running.`,
      );
    }
    const location = typeof body.location === 'string' && body.location !== '' ? body.location : vm.location;
    const existing = this.commands.get(this.key(vm, name));
    // A PUT on a name that is still running replaces it: the earlier script is killed.
    existing?.stop?.abort();
    // Counted before this one is added, and without the one it replaces.
    const skipped = this.running(vm) - (existing?.stop === undefined ? 0 : 1) >= (this.timing.maxParallelPerVm ?? 5);
    const op = this.newOperation(vm.subscriptionId, location, false);
    const record: RunCommandRecord = {
      id: `${vm.id}/runCommands/${name}`,
      name,
      vmKey: vm.id.toLowerCase(),
      location,
      tags: isRecord(body.tags) ? (body.tags as Record<string, string>) : {},
      properties: { ...props, protectedParameters: [] },
      execution: { executionState: 'Pending', executionMessage: '', output: '', error: '' },
      provisioningState: existing ? 'Updating' : 'Creating',
      operationId: op.id,
      stop: new AbortController(),
    };
    this.commands.set(this.key(vm, name), record);
    if (skipped) {
      this.skip(record, op);
      return { record, created: existing === undefined };
    }
    void this.execute(
      vm,
      record,
      source.script,
      params,
      timeout ?? 0,
      props.asyncExecution === true,
      props.treatFailureAsDeploymentFailure === true,
      op,
    );
    return { record, created: existing === undefined };
  }

  /** Beyond the parallel limit the handler does not start the script: it ends Failed without an exit code. */
  private skip(record: RunCommandRecord, op: ComputeOperation): void {
    const now = this.clock.now().toISOString();
    record.stop = undefined;
    record.execution = {
      executionState: 'Failed',
      executionMessage: SKIPPED_MESSAGE,
      output: '',
      error: '',
      startTime: now,
      endTime: now,
    };
    record.provisioningState = 'Succeeded';
    op.result = { status: 'Succeeded', endTime: now };
  }

  private async execute(
    vm: VmRecord,
    record: RunCommandRecord,
    script: string,
    params: { name: string; value: string }[],
    timeoutSeconds: number,
    asyncExecution: boolean,
    failureIsDeploymentFailure: boolean,
    op: ComputeOperation,
  ): Promise<void> {
    const stop = record.stop ?? new AbortController();
    const firstUse = !this.handlerInstalled.has(record.vmKey);
    this.handlerInstalled.add(record.vmKey);
    const firstUseMs = firstUse ? (this.timing.firstUseDelaySeconds ?? 0) * 1000 : 0;
    if (firstUseMs > 0) await waitOrAbort(firstUseMs, stop.signal);
    const started = this.clock.now().toISOString();
    record.execution = {
      executionState: 'Running',
      executionMessage: 'Execution in progress',
      output: '',
      error: '',
      startTime: started,
    };
    if (asyncExecution) {
      record.provisioningState = 'Succeeded';
      op.result = { status: 'Succeeded', endTime: started };
    }
    const forcedTimeout = this.faults.some(
      (f) =>
        f.kind === 'runCommandTimeout' &&
        f.vm.toLowerCase() === vm.name.toLowerCase() &&
        (f.nameContains === undefined || record.name.includes(f.nameContains)),
    );
    const env: Record<string, string> = {};
    for (const p of params) env[p.name] = p.value;
    const end = stop.signal.aborted
      ? ({ kind: 'exited', exitCode: 137, stdout: '', stderr: '' } as const)
      : forcedTimeout
        ? ({ kind: 'timedOut', stdout: '', stderr: '' } as const)
        : await this.processes.run({
            root: vm.root,
            args: ['-s'],
            stdin: script,
            env,
            timeoutMs: timeoutSeconds > 0 ? Math.min(timeoutSeconds * 1000, NO_LIMIT_MS) : NO_LIMIT_MS,
            killOnTimeout: true,
            killScope: 'script',
            signal: stop.signal,
            progress: {
              intervalMs: this.timing.liveOutputIntervalMs ?? 15_000,
              report: (output, error) => {
                if (record.execution.executionState === 'Running')
                  record.execution = { ...record.execution, output, error };
              },
            },
          });
    record.stop = undefined;
    const endTime = this.clock.now().toISOString();
    if (stop.signal.aborted) {
      // Deleted or replaced: the record is gone or superseded, but a reader of this object sees why it ended.
      record.execution = {
        executionState: 'Canceled',
        executionMessage: 'Execution canceled',
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    } else if (end.kind === 'timedOut') {
      // Azure's handler reports a time-out as a failure with exit code -1, never as TimedOut.
      record.execution = {
        executionState: 'Failed',
        executionMessage: `Execution failed: the script did not finish within ${timeoutSeconds} seconds and was killed`,
        exitCode: TIMED_OUT_EXIT_CODE,
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    } else {
      const ok = end.exitCode === 0;
      record.execution = {
        executionState: ok ? 'Succeeded' : 'Failed',
        executionMessage: ok ? 'Execution completed' : `Execution failed: exit status ${end.exitCode}`,
        exitCode: end.exitCode,
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    }
    if (asyncExecution) return;
    const failed = record.execution.executionState !== 'Succeeded' && failureIsDeploymentFailure;
    record.provisioningState = failed ? 'Failed' : 'Succeeded';
    op.result = failed
      ? {
          status: 'Failed',
          endTime,
          error: {
            code: 'VMExtensionProvisioningError',
            message: `Run command ${record.name}: ${record.execution.executionMessage}`,
          },
        }
      : { status: 'Succeeded', endTime };
  }
}

const waitOrAbort = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

function asParams(value: unknown, field: string): { name: string; value: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest(`properties.${field} must be an array.`, 'InvalidParameter');
  return value.map((p: unknown, i) => {
    if (
      !isRecord(p) ||
      typeof p.name !== 'string' ||
      typeof p.value !== 'string' ||
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)
    ) {
      throw badRequest(
        `properties.${field}[${i}] must be {name, value} with a shell variable name.`,
        'InvalidParameter',
      );
    }
    return { name: p.name, value: p.value };
  });
}
