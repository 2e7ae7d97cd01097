import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RootFile {
  /** File content; omit with `symlinkTo` or `dir`. */
  content?: string | Buffer;
  mode?: number;
  /** A user name on this host (the probe reads owner names with `stat -L -c %U`); default root. */
  owner?: string;
  /** Make the path a symlink to this VM path (resolved inside the root). */
  symlinkTo?: string;
  dir?: boolean;
}

export interface RootSpec {
  files: Record<string, RootFile>;
}

/** A simulated VM filesystem root in a temp dir; paths in `files` are as the VM sees them. */
export function makeRoot(spec: RootSpec): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-checks-'));
  for (const [vmPath, file] of Object.entries(spec.files)) {
    const host = path.join(root, vmPath);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    if (file.dir) fs.mkdirSync(host, { recursive: true });
    else if (file.symlinkTo !== undefined) {
      fs.symlinkSync(path.join(root, file.symlinkTo), host);
      continue;
    } else fs.writeFileSync(host, file.content ?? '');
    fs.chmodSync(host, file.mode ?? 0o644);
    const owner = file.owner ?? 'root';
    if (owner !== 'root') fs.chownSync(host, uidOf(owner), uidOf(owner));
  }
  return root;
}

export function removeRoot(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

function uidOf(user: string): number {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const uid = Number(line?.split(':')[2]);
  if (!Number.isInteger(uid)) throw new Error(`No user ${user} in /etc/passwd`);
  return uid;
}
