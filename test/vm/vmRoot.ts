/** Temp VM roots for the vm/ script tests: a directory used as the filesystem root, the IRIS simulator on PATH. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { irisSimEnv, type IrisInstanceSpec, writeIrisInstance } from '../../sandbox/vm-bin/irisSimState';

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

const roots: string[] = [];

export function makeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-vm-'));
  roots.push(root);
  return root;
}

export function removeRoots(): void {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
}

export function makeIrisRoot(...instances: IrisInstanceSpec[]): string {
  const root = makeRoot();
  for (const spec of instances) writeIrisInstance(root, spec);
  return root;
}

/** Runs a script under dash with IBG_ROOT=root and only the simulator's commands added to a minimal PATH. */
export function runDash(
  root: string,
  script: string,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
  uid?: number,
): ScriptRun {
  const env = { ...irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' }), ...extraEnv };
  const result = spawnSync('dash', [script, ...args], {
    env,
    encoding: 'utf8',
    timeout: 30000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

export function writeFile(root: string, vmPath: string, content: string | Buffer, mode = 0o600): string {
  const file = path.join(root, vmPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
  return file;
}

/** A copy of a vm/ script with some `NAME=value` constants changed (shorter timeouts for hang tests). */
export function scriptWithConstants(root: string, source: string, replacements: Record<string, number>): string {
  let text = fs.readFileSync(source, 'utf8');
  for (const [name, value] of Object.entries(replacements)) {
    const pattern = new RegExp(`\\b${name}=\\d+`);
    if (!pattern.test(text)) throw new Error(`${name} not found in ${source}`);
    text = text.replace(pattern, `${name}=${value}`);
  }
  const copy = path.join(root, '..', `${path.basename(root)}-${path.basename(source)}`);
  fs.writeFileSync(copy, text, { mode: 0o755 });
  roots.push(copy);
  return copy;
}
