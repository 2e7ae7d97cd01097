/**
 * Safety invariant 3: what the app runs on production VMs is read-only. The probe, in every mode (the frozen check
 * included), on a fully set-up VM with a running and a frozen IRIS instance and the scripts' state, must leave every
 * file exactly as it was (content, mode, owner, times) and make no IRIS call but qlist and IsWDSuspendedExt.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { irisSimEnv, readIrisCalls, readIrisInstance, writeIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { readVmScript, vmScriptPath } from '../../src/shared/vmScripts/vmScripts';

/** Every path under root with its type, mode, owner, size, mtime and a content hash. */
function snapshot(root: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (full === skip) continue;
      const st = fs.lstatSync(full);
      const hash = st.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex') : '';
      out.set(path.relative(root, full), `${st.mode}:${st.uid}:${st.gid}:${st.size}:${st.mtimeMs}:${hash}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

describe('vm/probe.sh is read-only', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-readonly-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    const azure = path.join(root, 'etc', 'azure');
    fs.mkdirSync(azure, { recursive: true });
    fs.writeFileSync(path.join(azure, 'iris-pre.sh'), readVmScript('iris-pre'), { mode: 0o700 });
    fs.writeFileSync(path.join(azure, 'iris-post.sh'), readVmScript('iris-post'), { mode: 0o700 });
    fs.writeFileSync(path.join(azure, 'VMSnapshotScriptPluginConfig.json'), readVmScript('config'), { mode: 0o600 });
    const logs = path.join(root, 'var', 'log', 'azure', 'Microsoft.Azure.RecoveryServices.VMSnapshotLinux');
    fs.mkdirSync(logs, { recursive: true });
    fs.writeFileSync(
      path.join(logs, 'extension.log'),
      '2026-11-21 01:30:00.000000 [x-1.0]Loading script modules now...\n',
    );
    writeIrisInstance(root, { name: 'IRIS', product: 'IRIS', status: 'running' });
    writeIrisInstance(root, { name: 'FROZEN', product: 'IRIS', status: 'running', frozen: true });
    const state = path.join(root, 'var', 'lib', 'iris-backup-guard');
    fs.mkdirSync(state, { recursive: true, mode: 0o700 });
    fs.writeFileSync(
      path.join(state, 'freeze-state'),
      'phase=frozen\nrun=r1\npid=1\nattempted=FROZEN\nfrozen=FROZEN\n',
    );
  });

  it.each(['check', 'logs', 'frozen'])('in %s mode', (mode) => {
    // The simulator's own bookkeeping (its call log) is not part of the VM.
    const simDir = irisSimEnv(root).IRIS_SIM_DIR as string;
    const before = snapshot(root, simDir);
    const output = execFileSync('dash', [vmScriptPath('probe')], {
      env: { ...process.env, ...irisSimEnv(root), IBG_PROBE_MODE: mode, IBG_PROBE_SINCE: '2026-01-01T00:00:00Z' },
      encoding: 'utf8',
    });
    expect(output).toMatch(new RegExp(`^IBG_PROBE_V1 \\{"v":1,"mode":"${mode}"`, 'm'));
    expect(snapshot(root, simDir)).toEqual(before);
    expect(readIrisInstance(root, 'FROZEN')?.frozen).toBe(true);
    const calls = readIrisCalls(root);
    expect(calls.length).toBeGreaterThan(0);
    expect(
      calls.filter(
        (c) => !/^iris (qlist|session \w+ -U%SYS ##Class\(Backup\.General\)\.IsWDSuspendedExt\(\))$/.test(c),
      ),
    ).toEqual([]);
  });
});
