import { spawn } from 'node:child_process';
import { OutputTail } from '../shared/vmScripts/outputTail';

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
    const stdout = new OutputTail();
    const stderr = new OutputTail();
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
