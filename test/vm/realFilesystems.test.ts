/**
 * Issue 7, case 1 on real file systems: a full (tiny tmpfs) or read-only (bind mount) log or state directory, which
 * PATH shims cannot imitate (the shell's own printf and redirections fail there). Needs root and mount(8); where the
 * sandbox does not allow mounting, these tests are skipped (the property test covers the same paths with shims).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeIrisRoot, readIfExists, removeRoots, runDash } from './vmRoot';

const PRE = vmScriptPath('iris-pre');
const POST = vmScriptPath('iris-post');
const LOG_DIR = 'var/log/iris-backup-guard';
const STATE_DIR = 'var/lib/iris-backup-guard';

const mount = (...args: string[]): boolean => spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
const umount = (dir: string): void => {
  if (spawnSync('umount', [dir], { stdio: 'ignore' }).status !== 0) spawnSync('umount', ['-l', dir]);
};

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-mount-'));
  const ok = mount('-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir);
  if (ok) umount(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  return ok;
}

const describeMounting = canMount() ? describe : describe.skip;
const mounted: string[] = [];

/** A full file system (tmpfs, mode 700, filled up) over `dir`. */
function mountFull(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (!mount('-t', 'tmpfs', '-o', 'size=16k,mode=700', 'tmpfs', dir)) throw new Error(`cannot mount on ${dir}`);
  mounted.push(dir);
  spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
  expect(() => fs.writeFileSync(path.join(dir, 'probe'), 'x')).toThrow(/ENOSPC/);
}

/** `dir` as it is, read-only (a read-only bind mount of itself). */
function mountReadOnly(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!mount('--bind', dir, dir)) throw new Error(`cannot bind ${dir}`);
  mounted.push(dir);
  if (!mount('-o', 'remount,ro,bind', dir)) throw new Error(`cannot remount ${dir} read-only`);
  expect(() => fs.writeFileSync(path.join(dir, 'probe'), 'x')).toThrow(/EROFS/);
}

afterEach(() => {
  for (const dir of mounted.splice(0).reverse()) umount(dir);
});
afterAll(removeRoots);

const frozen = (root: string): boolean | undefined => readIrisInstance(root, 'IRIS')?.frozen;
const iris = { name: 'IRIS', product: 'IRIS', status: 'running' } as const;

describeMounting('freeze/thaw scripts on full and read-only file systems', () => {
  it.each([
    ['full', mountFull],
    ['read-only', mountReadOnly],
  ] as const)('the post-script thaws when the log file system has become %s, and exits 77', (_label, breakIt) => {
    const root = makeIrisRoot(iris);
    expect(runDash(root, PRE).status).toBe(0);
    breakIt(path.join(root, LOG_DIR));
    expect(runDash(root, POST)).toEqual({ status: 77, stdout: '', stderr: '' });
    expect(frozen(root)).toBe(false);
    expect(readIfExists(path.join(root, STATE_DIR, 'freeze-state'))).toMatch(/^phase=thawed$/m);
  });

  it.each([
    ['full', mountFull],
    ['read-only', mountReadOnly],
  ] as const)('the pre-script refuses to freeze when the state file system is %s (76)', (_label, breakIt) => {
    const root = makeIrisRoot(iris);
    breakIt(path.join(root, STATE_DIR));
    expect(runDash(root, PRE).status).toBe(76);
    expect(frozen(root)).toBe(false);
    expect(readIfExists(path.join(root, LOG_DIR, 'freeze-thaw.log'))).toMatch(/event=state-write-failed/);
    expect(runDash(root, POST).status).toBe(0);
  });

  it('a full log file system does not stop a backup: pre freezes, post thaws and reports 77', () => {
    const root = makeIrisRoot(iris);
    mountFull(path.join(root, LOG_DIR));
    expect(runDash(root, PRE).status).toBe(0);
    expect(frozen(root)).toBe(true);
    expect(runDash(root, POST).status).toBe(77);
    expect(frozen(root)).toBe(false);
  });
});
