/**
 * Copies a VM root (snapshot, restore) keeping modes, owners, symlinks and times, like `cp -a`, without forking
 * a process per copy (forking a large Node process hundreds of times is what made fleets slow).
 */
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export async function copyTree(src: string, dst: string): Promise<void> {
  const st = await fs.lstat(src);
  if (st.isSymbolicLink()) {
    await fs.symlink(await fs.readlink(src), dst);
    await fs.lchown(dst, st.uid, st.gid).catch(() => undefined);
    return;
  }
  if (st.isDirectory()) {
    await fs.mkdir(dst, { recursive: true });
    for (const entry of await fs.readdir(src)) await copyTree(path.join(src, entry), path.join(dst, entry));
  } else if (st.isFile()) {
    await fs.copyFile(src, dst);
  } else {
    return; // sockets, fifos and devices are not part of a simulated VM
  }
  await fs.chown(dst, st.uid, st.gid);
  await fs.chmod(dst, st.mode & 0o7777);
  await fs.utimes(dst, st.atime, st.mtime);
}

/** The same, synchronously: for a restore that must appear exactly when the clock completes its job. */
export function copyTreeSync(src: string, dst: string): void {
  const st = fsSync.lstatSync(src);
  if (st.isSymbolicLink()) {
    fsSync.symlinkSync(fsSync.readlinkSync(src), dst);
    try {
      fsSync.lchownSync(dst, st.uid, st.gid);
    } catch {
      // a dangling link's owner does not matter
    }
    return;
  }
  if (st.isDirectory()) {
    fsSync.mkdirSync(dst, { recursive: true });
    for (const entry of fsSync.readdirSync(src)) copyTreeSync(path.join(src, entry), path.join(dst, entry));
  } else if (st.isFile()) {
    fsSync.copyFileSync(src, dst);
  } else {
    return;
  }
  fsSync.chownSync(dst, st.uid, st.gid);
  fsSync.chmodSync(dst, st.mode & 0o7777);
  fsSync.utimesSync(dst, st.atime, st.mtime);
}
