/**
 * Managed Run Commands (v2) on simulated VMs: the script really runs under dash against the VM root, with the
 * parameters as environment variables; output and error keep the last 4 KiB, as the real handler does.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from './armError';
import type { SandboxClock } from './clock';
import type { FaultSpec } from './scenario';
import type { VmProcessRunner } from './vmProcess';
import type { VmRecord } from './world';

/** The real service's maximum run time (90 minutes) when timeoutInSeconds is 0 or absent. */
const MAX_TIMEOUT_SECONDS = 5400;

export interface RunCommandExecution {
  executionState: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut';
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

  constructor(
    private readonly clock: SandboxClock,
    private readonly processes: VmProcessRunner,
    private readonly faults: readonly FaultSpec[],
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

  delete(vm: VmRecord, name: string): boolean {
    return this.commands.delete(this.key(vm, name));
  }

  deleteAllOf(vm: VmRecord): void {
    for (const rc of this.list(vm)) this.commands.delete(this.key(vm, rc.name));
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
    const location = typeof body.location === 'string' && body.location !== '' ? body.location : vm.location;
    const existing = this.commands.get(this.key(vm, name));
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
    };
    this.commands.set(this.key(vm, name), record);
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
    const started = this.clock.now().toISOString();
    record.execution = { executionState: 'Running', executionMessage: '', output: '', error: '', startTime: started };
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
    const end = forcedTimeout
      ? ({ kind: 'timedOut', stdout: '', stderr: '' } as const)
      : await this.processes.run({
          root: vm.root,
          args: ['-s'],
          stdin: script,
          env,
          timeoutMs: (timeoutSeconds > 0 ? Math.min(timeoutSeconds, MAX_TIMEOUT_SECONDS) : MAX_TIMEOUT_SECONDS) * 1000,
          killOnTimeout: true,
        });
    const endTime = this.clock.now().toISOString();
    if (end.kind === 'timedOut') {
      record.execution = {
        executionState: 'TimedOut',
        executionMessage: 'Execution timed out',
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
