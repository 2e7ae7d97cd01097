/**
 * Runs a shell script against a simulated VM: dash, cwd = the VM root, IBG_ROOT = the root, PATH with the VM's
 * simulated commands (sandbox/vm-bin via irisSimState), a `date` that follows the sandbox clock and TZ = the VM's
 * zone (vmTimeZone.ts). Tracks every child so the sandbox can stop them all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { vmScriptEnv } from './irisInstances';
import { simClockEnv } from './vm-bin/simClock';
import { vmTimeZoneEnv } from './vmTimeZone';
import { OutputTail } from '../src/shared/vmScripts/outputTail';

export type VmProcessEnd =
  | { kind: 'exited'; exitCode: number; stdout: string; stderr: string }
  | { kind: 'timedOut'; stdout: string; stderr: string };

export interface VmProcessRequest {
  root: string;
  /** argv after `dash`, e.g. ['-s'] with `stdin`, or [scriptPath, ...params]. */
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Run Command kills on time-out; the backup extension leaves the script running (vmsnapshot.md §3.3). */
  killOnTimeout: boolean;
  /**
   * What a time-out kills: the whole process group (default) or only the script's own process, as the managed Run
   * Command handler does (processes the script started live on).
   */
  killScope?: 'group' | 'script';
  /** Aborting kills the process group at once (a Run Command deleted or replaced while it runs). */
  signal?: AbortSignal;
  /** Every chunk of stdout as it comes (a Run Command's outputBlobUri gets the whole stream, not only its tail). */
  onStdout?: (chunk: Buffer) => void;
  /** While it runs, the tails of both streams are handed over every `intervalMs` (Run Command's live output). */
  progress?: { intervalMs: number; report: (stdout: string, stderr: string) => void };
  /** The process's clock (sandbox time minus real time, ms); default: the sandbox clock when it starts. */
  clockOffsetMs?: number;
}

/** Scripts running at once across all VMs; more wait their turn (a fleet of 500 must not fork 1000 shells at once). */
const DEFAULT_MAX_CONCURRENT = 32;

export class VmProcessRunner {
  private readonly children = new Set<ChildProcess>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** `clockOffsetMs`: sandbox time minus real time, for the VM's `date` shim (vm-bin/simClock.ts). */
  constructor(
    private readonly maxConcurrent = DEFAULT_MAX_CONCURRENT,
    private readonly clockOffsetMs: () => number = () => 0,
  ) {}

  /** Runs when a slot is free; the time-out counts from the start of the script, not from the wait. */
  async run(req: VmProcessRequest): Promise<VmProcessEnd> {
    if (this.running >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await this.spawnScript(req);
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  private spawnScript(req: VmProcessRequest): Promise<VmProcessEnd> {
    return new Promise((resolve) => {
      const child = spawn('dash', req.args, {
        cwd: req.root,
        env: {
          ...req.env,
          ...vmScriptEnv(req.root),
          ...vmTimeZoneEnv(req.root),
          ...simClockEnv(req.clockOffsetMs ?? this.clockOffsetMs()),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      this.children.add(child);
      const out = new OutputTail();
      const err = new OutputTail();
      child.stdout?.on('data', (c: Buffer) => {
        out.push(c);
        req.onStdout?.(c);
      });
      child.stderr?.on('data', (c: Buffer) => err.push(c));
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(req.stdin ?? '');
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        clearInterval(ticker);
        if (req.killOnTimeout) {
          if (req.killScope === 'script') child.kill('SIGKILL');
          else this.killTree(child);
        }
        resolve({ kind: 'timedOut', stdout: out.text(), stderr: err.text() });
      }, req.timeoutMs);
      const ticker =
        req.progress === undefined
          ? undefined
          : setInterval(() => req.progress?.report(out.text(), err.text()), req.progress.intervalMs);
      ticker?.unref();
      const onAbort = (): void => {
        clearInterval(ticker);
        this.killTree(child);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ kind: 'exited', exitCode: 137, stdout: out.text(), stderr: err.text() });
      };
      if (req.signal?.aborted) onAbort();
      else req.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.children.delete(child);
        clearTimeout(timer);
        clearInterval(ticker);
        req.signal?.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        resolve({ kind: 'exited', exitCode: code ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() });
      };
      child.on('error', (e) => {
        err.push(Buffer.from(String(e.message)));
        finish(127, null);
      });
      child.on('close', finish);
    });
  }

  private killTree(child: ChildProcess): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  /** Kills every script still running (e.g. a timed-out pre-script the extension left behind). */
  stopAll(): void {
    for (const child of this.children) this.killTree(child);
    this.children.clear();
    for (const release of this.waiting.splice(0)) release();
  }
}
