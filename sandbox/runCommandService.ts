/**
 * Managed Run Commands (v2) on simulated VMs: the script really runs under dash against the VM root, with the
 * parameters as environment variables; output and error keep the last 4 KiB, as the real handler does.
 * As Azure's handler (issue 8): while running, 'Execution in progress' with the output refreshed every ~15 s; a
 * time-out ends Failed with exitCode -1 and kills only the script's own process; timeoutInSeconds 0 means no limit;
 * a PUT on a running name or a DELETE kills the running script; beyond ~5 at once on a VM the extra ones end
 * Failed as skipped; a VM that is not running refuses the PUT with 409.
 * Latency model (scenario runCommand.durationSeconds): each Run Command has a simulated duration on the sandbox
 * clock, deterministic from the VM and Run Command names; the script runs for real at once, but its result shows
 * only once the sandbox clock reaches start + duration (see RunCommandScenario.durationSeconds).
 * Fault runCommandDeleteFailure: the first DELETEs on a VM are refused and the Run Command stays. A chaos
 * runCommandSkip draw (faultInjector.ts) makes a PUT end as skipped.
 * outputBlobUri: as Azure's handler, the script's whole stdout is appended to that blob (an append blob, through the
 * SAS URL as given) once the script ends and before its result shows.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AnonymousCredential, AppendBlobClient } from '@azure/storage-blob';
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

/**
 * The simulated duration of a Run Command in ms: uniform in [min, max] seconds, from a SHA-256 of the VM and Run
 * Command names (lower-cased), so the same names always get the same duration.
 */
export function simulatedDurationMs(
  vmName: string,
  runCommandName: string,
  range: { min: number; max: number },
): number {
  const digest = createHash('sha256').update(`${vmName.toLowerCase()}/${runCommandName.toLowerCase()}`).digest();
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.round((range.min + fraction * (range.max - range.min)) * 1000);
}

/** A result the latency model holds back until the sandbox clock reaches dueMs. */
interface HeldResult {
  dueMs: number;
  final: RunCommandExecution;
  finish: (execution: RunCommandExecution) => void;
}

const DELETE_REFUSAL_CODES: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

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
  /** Scripts whose process has not ended yet (idle() waits for them). */
  private readonly inFlight = new Set<Promise<void>>();
  /** VMs (lower-case ids) that have run a Run Command: only the first one waits for the handler to install. */
  private readonly handlerInstalled = new Set<string>();
  /** Results of scripts that really ended, shown once the sandbox clock reaches their simulated end. */
  private readonly held = new Map<RunCommandRecord, HeldResult>();
  /** DELETEs refused so far per runCommandDeleteFailure fault. */
  private readonly deleteRefusals = new Map<FaultSpec, number>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly processes: VmProcessRunner,
    private readonly faults: readonly FaultSpec[],
    private readonly timing: RunCommandScenario = {},
  ) {}

  /**
   * Resolves once every script started so far has ended for real (not its simulated duration): tests and the demo
   * call it before they move the clock, as time would pass on a real VM while a script runs.
   */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  newOperation(subscriptionId: string, location: string, done: boolean): ComputeOperation {
    const now = this.clock.now().toISOString();
    const op: ComputeOperation = { id: randomUUID(), location, subscriptionId, startTime: now };
    if (done) op.result = { status: 'Succeeded', endTime: now };
    this.operations.set(op.id.toLowerCase(), op);
    return op;
  }

  operation(id: string): ComputeOperation {
    this.releaseDue();
    const op = this.operations.get(id.toLowerCase());
    if (!op) throw notFound(`Operation '${id}'`);
    return op;
  }

  private key(vm: VmRecord, name: string): string {
    return `${vm.id}/runCommands/${name}`.toLowerCase();
  }

  get(vm: VmRecord, name: string): RunCommandRecord {
    this.releaseDue();
    const rc = this.commands.get(this.key(vm, name));
    if (!rc) throw notFound(`Run command '${name}' on VM '${vm.name}'`);
    return rc;
  }

  list(vm: VmRecord): RunCommandRecord[] {
    this.releaseDue();
    const prefix = `${vm.id}/runCommands/`.toLowerCase();
    return [...this.commands.entries()].filter(([k]) => k.startsWith(prefix)).map(([, rc]) => rc);
  }

  /** DELETE stops a script that is still running, as Azure's does. */
  delete(vm: VmRecord, name: string): boolean {
    this.releaseDue();
    const key = this.key(vm, name);
    const rc = this.commands.get(key);
    rc?.stop?.abort();
    if (rc) this.cancelHeld(rc);
    return this.commands.delete(key);
  }

  /**
   * A DELETE request on one of the VM's Run Commands: throws the runCommandDeleteFailure fault's ARM error while it
   * has refusals left (each request counts). Not used when the VM itself is deleted.
   */
  refuseDelete(vm: VmRecord): void {
    for (const f of this.faults) {
      if (f.kind !== 'runCommandDeleteFailure' || f.vm.toLowerCase() !== vm.name.toLowerCase()) continue;
      const refused = this.deleteRefusals.get(f) ?? 0;
      if (refused >= (f.count ?? 1)) continue;
      this.deleteRefusals.set(f, refused + 1);
      const status = f.statusCode ?? 409;
      const code = DELETE_REFUSAL_CODES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequest');
      throw new ArmError(
        status,
        code,
        status === 409
          ? `Operation 'delete' on a run command of VM '${vm.name}' is not allowed: another operation on this or a dependent resource is in progress (simulated).`
          : `Deleting a run command of VM '${vm.name}' failed (simulated).`,
      );
    }
  }

  /** Shows every held result whose simulated end the sandbox clock has reached. */
  private releaseDue(): void {
    if (this.held.size === 0) return;
    const now = this.clock.nowMs();
    for (const [rc, h] of this.held) {
      if (h.dueMs > now) continue;
      this.held.delete(rc);
      h.finish(h.final);
    }
  }

  /** A held result of a Run Command deleted or replaced before its simulated end: it ends Canceled now. */
  private cancelHeld(rc: RunCommandRecord): void {
    const h = this.held.get(rc);
    if (!h) return;
    this.held.delete(rc);
    h.finish({
      executionState: 'Canceled',
      executionMessage: 'Execution canceled',
      output: h.final.output,
      error: h.final.error,
      startTime: h.final.startTime,
      endTime: this.clock.now().toISOString(),
    });
  }

  deleteAllOf(vm: VmRecord): void {
    for (const rc of this.list(vm)) this.delete(vm, rc.name);
  }

  private running(vm: VmRecord): number {
    return this.list(vm).filter((rc) => ['Pending', 'Running'].includes(rc.execution.executionState)).length;
  }

  /**
   * PUT: validates, starts the script and returns the record (201 for a new one). `skip` (a chaos fault) makes the
   * handler skip it as if too many ran at once.
   */
  createOrUpdate(
    vm: VmRecord,
    name: string,
    body: unknown,
    options: { skip?: boolean } = {},
  ): { record: RunCommandRecord; created: boolean } {
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
    if (props.outputBlobUri !== undefined && !isHttpUrl(props.outputBlobUri)) {
      throw badRequest('properties.outputBlobUri must be an http(s) URL of a blob.', 'InvalidParameter');
    }
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
    this.releaseDue();
    const existing = this.commands.get(this.key(vm, name));
    // A PUT on a name that is still running replaces it: the earlier script is killed (or its held result dropped).
    existing?.stop?.abort();
    if (existing) this.cancelHeld(existing);
    // Counted before this one is added, and without the one it replaces.
    const skipped =
      options.skip === true ||
      this.running(vm) - (existing?.stop === undefined ? 0 : 1) >= (this.timing.maxParallelPerVm ?? 5);
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
    const running = this.execute(
      vm,
      record,
      source.script,
      params,
      timeout ?? 0,
      props.asyncExecution === true,
      props.treatFailureAsDeploymentFailure === true,
      op,
    ).finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
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
    const startMs = this.clock.nowMs();
    const started = new Date(startMs).toISOString();
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
    const outputBlobUri =
      typeof record.properties.outputBlobUri === 'string' ? record.properties.outputBlobUri : undefined;
    const wholeStdout = outputBlobUri === undefined ? undefined : new CappedChunks(MAX_OUTPUT_BLOB_BYTES);
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
            ...(wholeStdout ? { onStdout: (c: Buffer) => wholeStdout.push(c) } : {}),
            progress: {
              intervalMs: this.timing.liveOutputIntervalMs ?? 15_000,
              report: (output, error) => {
                if (record.execution.executionState === 'Running')
                  record.execution = { ...record.execution, output, error };
              },
            },
          });
    record.stop = undefined;
    const uploadError =
      outputBlobUri === undefined || wholeStdout === undefined
        ? undefined
        : await appendToBlob(outputBlobUri, wholeStdout.bytes());
    const realEndMs = this.clock.nowMs();
    let dueMs = realEndMs;
    let timedOut = end.kind === 'timedOut';
    const latency = this.timing.durationSeconds;
    if (latency !== undefined && !stop.signal.aborted) {
      // The simulated end on the sandbox clock; a duration beyond the time-out ends as a time-out at start + timeout.
      const durationMs = simulatedDurationMs(vm.name, record.name, latency);
      if (timeoutSeconds > 0 && durationMs > timeoutSeconds * 1000) timedOut = true;
      dueMs = startMs + (timedOut && timeoutSeconds > 0 ? timeoutSeconds * 1000 : durationMs);
    }
    const endTime = new Date(Math.max(realEndMs, dueMs)).toISOString();
    let final: RunCommandExecution;
    if (stop.signal.aborted) {
      // Deleted or replaced: the record is gone or superseded, but a reader of this object sees why it ended.
      final = {
        executionState: 'Canceled',
        executionMessage: 'Execution canceled',
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    } else if (timedOut) {
      // Azure's handler reports a time-out as a failure with exit code -1, never as TimedOut.
      final = {
        executionState: 'Failed',
        executionMessage: `Execution failed: the script did not finish within ${timeoutSeconds} seconds and was killed`,
        exitCode: TIMED_OUT_EXIT_CODE,
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    } else {
      const exitCode = end.kind === 'exited' ? end.exitCode : TIMED_OUT_EXIT_CODE;
      const ok = exitCode === 0;
      final = {
        executionState: ok ? 'Succeeded' : 'Failed',
        executionMessage: ok ? 'Execution completed' : `Execution failed: exit status ${exitCode}`,
        exitCode,
        output: end.stdout,
        error: end.stderr,
        startTime: started,
        endTime,
      };
    }
    if (uploadError !== undefined) final = { ...final, error: `${final.error}${uploadError}` };
    const finish = (execution: RunCommandExecution): void => {
      record.execution = execution;
      if (asyncExecution) return;
      const failed = execution.executionState !== 'Succeeded' && failureIsDeploymentFailure;
      const opEnd = execution.endTime ?? endTime;
      record.provisioningState = failed ? 'Failed' : 'Succeeded';
      op.result = failed
        ? {
            status: 'Failed',
            endTime: opEnd,
            error: {
              code: 'VMExtensionProvisioningError',
              message: `Run command ${record.name}: ${execution.executionMessage}`,
            },
          }
        : { status: 'Succeeded', endTime: opEnd };
    };
    if (dueMs <= realEndMs) {
      finish(final);
      return;
    }
    // The script really ended before its simulated end: still Running, with its last output, until the clock gets there.
    record.execution = {
      executionState: 'Running',
      executionMessage: 'Execution in progress',
      output: final.output,
      error: final.error,
      startTime: started,
    };
    this.held.set(record, { dueMs, final, finish });
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

/** The whole stdout kept for outputBlobUri, up to a cap that protects the sandbox from a runaway script. */
const MAX_OUTPUT_BLOB_BYTES = 64 * 1024 * 1024;
/** Azure's append blobs take at most 4 MiB per block. */
const APPEND_BLOCK_BYTES = 4 * 1024 * 1024;

class CappedChunks {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const isHttpUrl = (value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/**
 * Appends `data` to the append blob at the SAS URL (created when absent), as Azure's handler does with the whole
 * stdout. Returns a line for the Run Command's error stream when it fails; the URL (a secret) is never quoted.
 */
async function appendToBlob(sasUrl: string, data: Buffer): Promise<string | undefined> {
  try {
    const blob = new AppendBlobClient(sasUrl, new AnonymousCredential());
    await blob.createIfNotExists();
    for (let at = 0; at < data.length; at += APPEND_BLOCK_BYTES) {
      const block = data.subarray(at, at + APPEND_BLOCK_BYTES);
      await blob.appendBlock(block, block.length);
    }
    return undefined;
  } catch (e) {
    const status = (e as { statusCode?: unknown }).statusCode;
    return `\nFailed to upload the output to outputBlobUri${typeof status === 'number' ? ` (HTTP ${status})` : ''}.`;
  }
}
