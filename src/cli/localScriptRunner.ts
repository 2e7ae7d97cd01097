import { spawn } from 'node:child_process';

/** Output kept per stream: the same 4 KiB managed Run Command keeps, so a local check sees what Azure would. */
export const OUTPUT_TAIL_BYTES = 4096;

export interface LocalScriptResult {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface LocalScriptOptions {
  /** The script's whole environment (nothing is inherited implicitly). */
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

/** Keeps only the last `limit` bytes of a stream, like Run Command does. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit) this.size -= this.chunks.shift()?.length ?? 0;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

/**
 * Runs one of the app's vm/ scripts on this machine with `sh` (as the extension and Run Command do),
 * e.g. the probe against a copied `/etc/azure` given as IBG_ROOT.
 */
export function runLocalScript(scriptPath: string, options: LocalScriptOptions): Promise<LocalScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [scriptPath], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Tail(OUTPUT_TAIL_BYTES);
    const stderr = new Tail(OUTPUT_TAIL_BYTES);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}
