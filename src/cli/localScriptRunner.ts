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

/** A PATH with the usual system directories, for a caller whose environment has none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The whole environment for a local vm/ script: the caller's PATH (to find `iris`, `timeout` and the tools the
 * scripts use) and the script's own parameters, nothing else. The caller's environment may hold credentials
 * (AZURE_CLIENT_SECRET, tokens) that neither the script nor the host's `iris` it starts has any use for. LC_ALL=C
 * makes the tools' byte handling the same whatever the operator's locale. No TZ: the probe takes a root's zone from
 * the root's own /etc/localtime, not from the operator's shell.
 */
export function localScriptEnv(
  parent: Readonly<Record<string, string | undefined>>,
  params: Readonly<Record<string, string>>,
): Record<string, string> {
  return { PATH: parent.PATH || DEFAULT_PATH, LC_ALL: 'C', ...params };
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
