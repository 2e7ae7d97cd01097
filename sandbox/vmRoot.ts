/** A simulated VM's filesystem root: materialising scenario files (owner, mode) and reading facts back like `os.stat`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type FileFact, type FileView, SHIPPED_HOST_CONF } from './extension/extensionRules';
import { gidOf, uidOf, userNameOf } from './hostUsers';
import type { VmFileSpec } from './scenario';
import { ScenarioError } from './scenario';

const MAX_READ_BYTES = 1024 * 1024;

/** Host path of a VM path; refuses escapes from the root. */
export function hostPath(root: string, vmPath: string): string {
  const resolved = path.resolve(root, `.${path.posix.normalize(`/${vmPath}`)}`);
  if (resolved !== root && !resolved.startsWith(`${root}${path.sep}`))
    throw new Error(`Path escapes the VM root: ${vmPath}`);
  return resolved;
}

const fileBytes = (spec: VmFileSpec, repoRoot: string): Buffer => {
  let bytes: Buffer;
  if (spec.contentBase64 !== undefined) bytes = Buffer.from(spec.contentBase64, 'base64');
  else if (spec.source !== undefined) {
    const src = path.resolve(repoRoot, spec.source);
    try {
      bytes = fs.readFileSync(src);
    } catch {
      throw new ScenarioError(`VM file ${spec.path}: source ${spec.source} not found (looked in ${src})`);
    }
  } else bytes = Buffer.from(spec.content ?? '', 'utf8');
  if (spec.crlf) bytes = Buffer.from(bytes.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf8');
  if (spec.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  return bytes;
};

export function writeVmFile(root: string, spec: VmFileSpec, repoRoot: string): void {
  const target = hostPath(root, spec.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  if (spec.symlinkTo !== undefined) {
    // Absolute link targets are re-rooted so that following the link stays inside the VM.
    const linkTarget = spec.symlinkTo.startsWith('/') ? hostPath(root, spec.symlinkTo) : spec.symlinkTo;
    fs.symlinkSync(linkTarget, target);
    return;
  }
  fs.writeFileSync(target, fileBytes(spec, repoRoot));
  fs.chmodSync(target, Number.parseInt(spec.mode ?? '644', 8));
  const uid = uidOf(spec.owner ?? 'root');
  const gid = spec.group !== undefined ? gidOf(spec.group) : spec.owner === undefined ? 0 : uid;
  fs.chownSync(target, uid, gid);
}

/** The standard directories every simulated VM has. */
export function createVmSkeleton(root: string): void {
  for (const dir of ['etc/azure', 'var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux', 'tmp', 'opt']) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  }
}

/** Where the Linux guest agent unpacks the VMSnapshotLinux extension (vmsnapshot.md §2.1, §4.1). */
export const BACKUP_EXTENSION_DIR = '/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0';

/**
 * What Azure leaves on a VM once a vault protects and backs it up: the extension directory with its shipped host
 * conf (the one the extension falls back to, read by the simulated run from memory, written here for realism).
 */
export function installBackupExtension(root: string): void {
  const main = hostPath(root, `${BACKUP_EXTENSION_DIR}/main`);
  fs.mkdirSync(main, { recursive: true });
  const conf = path.join(main, 'VMSnapshotPluginHost.conf');
  fs.writeFileSync(conf, SHIPPED_HOST_CONF);
  fs.chmodSync(conf, 0o644);
}

/** `os.stat` (following symlinks) plus a size-capped read, as the extension sees each file. */
export function fileViewOf(root: string): FileView {
  return (vmPath: string): FileFact => {
    let target: string;
    try {
      target = hostPath(root, vmPath);
    } catch {
      return { kind: 'missing' };
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(target);
    } catch {
      return { kind: 'missing' };
    }
    const owner = userNameOf(st.uid);
    const mode = st.mode & 0o7777;
    if (!st.isFile()) return st.isDirectory() ? { kind: 'directory', mode, owner } : { kind: 'missing' };
    let content: Buffer;
    try {
      const fd = fs.openSync(target, 'r');
      try {
        const buf = Buffer.alloc(Math.min(st.size, MAX_READ_BYTES));
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        content = buf.subarray(0, n);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      content = Buffer.alloc(0);
    }
    return { kind: 'file', mode, owner, content };
  };
}
