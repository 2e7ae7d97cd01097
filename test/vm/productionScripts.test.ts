/**
 * Safety invariant 3: production VMs receive only read-only scripts, except the thaw (opt-in IBG_AUTO_THAW) and the
 * installer (an explicit command). Every vm/*.sh is classified here (a new one fails until it is), the app's sources
 * send no other script, and each production script is run on a fully set-up VM (hardened scripts installed, a frozen
 * and a running instance, the scripts' state and logs): the read-only ones change no file and make no IRIS call but
 * qlist and IsWDSuspendedExt; the thaw writes only its log and touches only the frozen instance; the installer writes
 * only its own directories and calls no IRIS at all.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  irisSimDir,
  irisSimEnv,
  readIrisCalls,
  readIrisInstance,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
import { buildInstallScript, readVmScript, type VmScriptName } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, removeRoots, writeFile } from './vmRoot';

const repo = path.resolve(__dirname, '../..');

type Role =
  /** Sent by Run Command to production VMs and read-only. */
  | 'production-read-only'
  /** Sent by Run Command to production VMs and writing: only these two. */
  | 'production-writing'
  /** Never sent on its own: embedded in the installer, run by the backup extension. */
  | 'installed-by-installer'
  /** Sent only to restored drill VMs (test/drills/drillSafety.test.ts checks where it goes). */
  | 'drill-vm-only';

const ROLES: Record<string, { name: VmScriptName; role: Role }> = {
  'probe.sh': { name: 'probe', role: 'production-read-only' },
  'thaw.sh': { name: 'thaw', role: 'production-writing' },
  'install.sh': { name: 'install', role: 'production-writing' },
  'iris-pre.sh': { name: 'iris-pre', role: 'installed-by-installer' },
  'iris-post.sh': { name: 'iris-post', role: 'installed-by-installer' },
  'drill-verify.sh': { name: 'drill-verify', role: 'drill-vm-only' },
};

/** IRIS calls that only read: qlist and IsWDSuspendedExt. */
const READ_ONLY_CALL =
  /^(iris|ccontrol) qlist$|^(iris session|csession) \w+ -U%SYS ##Class\(Backup\.General\)\.IsWDSuspendedExt\(\)$/;

function snapshot(root: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (full === skip) continue;
      const st = fs.lstatSync(full);
      const hash = st.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex') : '';
      out.set(path.relative(root, full), `${st.mode}:${st.uid}:${st.size}:${st.mtimeMs}:${hash}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** Paths added, removed or changed between two snapshots. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** A VM as the app finds it: hardened scripts installed, one instance frozen by a backup, one running, logs. */
function setUpVm(): string {
  const root = makeRoot();
  const bundle = path.join(root, '..', `${path.basename(root)}-install.sh`);
  fs.writeFileSync(bundle, buildInstallScript(), { mode: 0o700 });
  expect(run(root, bundle).status).toBe(0);
  fs.rmSync(bundle);
  writeIrisInstance(root, { name: 'IRIS', product: 'IRIS', status: 'running', frozen: true });
  writeIrisInstance(root, { name: 'RUNNING', product: 'IRIS', status: 'running' });
  writeFile(
    root,
    '/var/lib/iris-backup-guard/freeze-state',
    'phase=post-failed\nrun=r1\npid=1\nattempted=IRIS\nfrozen=IRIS\n',
  );
  writeFile(
    root,
    '/var/log/iris-backup-guard/freeze-thaw.log',
    '2026-11-21T01:30:00Z level=info script=pre event=frozen run=r1 instance=IRIS\n',
  );
  writeFile(
    root,
    '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log',
    '2026-11-21 01:30:00.000000 [x-1.0]Loading script modules now...\n',
  );
  return root;
}

function run(root: string, file: string, env: Record<string, string> = {}): { status: number | null; stdout: string } {
  const r = spawnSync('dash', [file], {
    env: { ...irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' }), ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: r.status, stdout: r.stdout };
}

function resetCalls(root: string): void {
  fs.rmSync(path.join(irisSimDir(root), 'calls.log'), { force: true });
}

afterAll(removeRoots);

describe('safety invariant 3: what production VMs receive', () => {
  it('classifies every vm/*.sh; only the thaw and the installer write on production VMs', () => {
    const scripts = fs.readdirSync(path.join(repo, 'vm')).filter((f) => f.endsWith('.sh'));
    expect(scripts.filter((f) => !Object.hasOwn(ROLES, f))).toEqual([]);
    const writing = Object.entries(ROLES)
      .filter(([, r]) => r.role === 'production-writing')
      .map(([f]) => f);
    expect(writing.sort()).toEqual(['install.sh', 'thaw.sh']);
  });

  it('the sources send no script that is not classified for Run Command (pre/post go only inside the installer)', () => {
    const names = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && !full.endsWith(path.join('vmScripts', 'vmScripts.ts'))) {
          for (const m of fs.readFileSync(full, 'utf8').matchAll(/(?:readVmScript|vmScriptPath)\('([\w-]+)'\)/g)) {
            names.add(m[1] ?? '');
          }
        }
      }
    };
    walk(path.join(repo, 'src'));
    const sendable = new Set(
      Object.values(ROLES)
        .filter((r) => r.role !== 'installed-by-installer')
        .map((r) => r.name),
    );
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((n) => !sendable.has(n as VmScriptName))).toEqual([]);
  });

  it('the only IRIS methods the production scripts name: IsWDSuspendedExt, and ExternalThaw in the thaw', () => {
    const methods = (name: VmScriptName): string[] =>
      [
        ...new Set([...readVmScript(name).matchAll(/##Class\(Backup\.General\)\.(\w+)\(/g)].map((m) => m[1] ?? '')),
      ].sort();
    expect(methods('probe')).toEqual(['IsWDSuspendedExt']);
    expect(methods('thaw')).toEqual(['ExternalThaw', 'IsWDSuspendedExt']);
    expect(methods('install')).toEqual([]);
  });

  it.each(['check', 'logs', 'frozen'])('the probe (%s mode) changes nothing and only reads IRIS', (mode) => {
    const root = setUpVm();
    resetCalls(root);
    const before = snapshot(root, irisSimDir(root));
    const out = run(root, path.join(repo, 'vm', 'probe.sh'), { IBG_PROBE_MODE: mode });
    expect(out.stdout).toMatch(new RegExp(`^IBG_PROBE_V1 \\{"v":1,"mode":"${mode}"`));
    expect(changed(before, snapshot(root, irisSimDir(root)))).toEqual([]);
    expect(readIrisCalls(root).filter((c) => !READ_ONLY_CALL.test(c))).toEqual([]);
    expect(readIrisInstance(root, 'IRIS')?.frozen).toBe(true);
  });

  it('the thaw writes only its log and changes only the frozen instance', () => {
    const root = setUpVm();
    resetCalls(root);
    const before = snapshot(root, irisSimDir(root));
    const out = run(root, path.join(repo, 'vm', 'thaw.sh'));
    expect(out.status).toBe(0);
    expect(
      changed(before, snapshot(root, irisSimDir(root))).filter((p) => !p.startsWith('var/log/iris-backup-guard')),
    ).toEqual(
      // IRIS's own messages.log (created in its directory) records the thaw.
      ['usr/irissys/mgr', 'usr/irissys/mgr/messages.log'],
    );
    const writes = readIrisCalls(root).filter((c) => !READ_ONLY_CALL.test(c));
    expect(writes).toEqual(['iris session IRIS -U%SYS ##Class(Backup.General).ExternalThaw()']);
    expect([readIrisInstance(root, 'IRIS')?.frozen, readIrisInstance(root, 'RUNNING')?.frozen]).toEqual([false, false]);
  });

  it('the installer (as sent) writes only /etc/azure and its own directories, and calls no IRIS', () => {
    const root = setUpVm();
    resetCalls(root);
    fs.rmSync(path.join(root, 'etc/azure/iris-post.sh'));
    const bundle = path.join(root, '..', `${path.basename(root)}-install2.sh`);
    fs.writeFileSync(bundle, buildInstallScript(), { mode: 0o700 });
    const before = snapshot(root, irisSimDir(root));
    expect(run(root, bundle).status).toBe(0);
    fs.rmSync(bundle);
    const diff = changed(before, snapshot(root, irisSimDir(root)));
    expect(diff).toContain('etc/azure/iris-post.sh');
    expect(
      diff.filter((p) => !/^(etc\/azure|var\/log\/iris-backup-guard|var\/lib\/iris-backup-guard)(\/|$)/.test(p)),
    ).toEqual([]);
    expect(readIrisCalls(root)).toEqual([]);
  });
});
