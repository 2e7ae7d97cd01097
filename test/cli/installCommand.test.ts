/** `iris-backup-guard install --vm`: pushes the hardened scripts through Run Command, then checks the VM again. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { demoEnvironment } from '../../sandbox/demo/demoEnvironment';
import { scenarioVmId, startSandbox, type Sandbox } from '../../sandbox/index';
import { installResult } from '../../src/cli/commands/installCommand';
import { main } from '../../src/cli/main';
import type { CheckReport } from '../../src/shared/checks/formatFindings';
import { captureIo } from './cliIo';

describe('iris-backup-guard install --vm', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: path.join(__dirname, '../../sandbox/scenarios/demo-fleet.json') });
  });
  afterAll(() => sandbox.stop());

  const ioFor = () =>
    captureIo(
      demoEnvironment(sandbox.scenario, {
        sandboxUrl: sandbox.url,
        tableConnectionString: 'UseDevelopmentStorage=true',
      }),
      { credential: sandbox.credential, clock: sandbox.clock },
    );
  const vmId = (name: string): string => {
    const vm = sandbox.scenario.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`no VM ${name} in the demo fleet`);
    return scenarioVmId(vm);
  };

  it('fixes a VM with no config: root-owned files with modes 700/600, and the re-check is clean', async () => {
    const id = vmId('iris-prod-02');
    const before = ioFor();
    expect(await main(['check', '--vm', id, '--json'], before)).toBe(1);
    expect((JSON.parse(before.stdout()) as CheckReport).findings.map((f) => f.code)).toContain('PluginConfigNotFound');

    const io = ioFor();
    expect(await main(['install', '--vm', id, '--json'], io)).toBe(0);
    const [installed, report] = io.stdout().split(/\n(?=\{)/);
    expect(installed).toMatch(/^Installed on .*iris-prod-02: installed\. Checking again:/);
    expect((JSON.parse(report ?? '{}') as CheckReport).findings.filter((f) => f.severity !== 'info')).toEqual([]);

    const root = sandbox.vmRoot(id);
    const mode = (p: string) => (fs.statSync(path.join(root, p)).mode & 0o777).toString(8);
    expect(mode('etc/azure/VMSnapshotScriptPluginConfig.json')).toBe('600');
    expect(mode('etc/azure/iris-pre.sh')).toBe('700');
    expect(mode('etc/azure/iris-post.sh')).toBe('700');
    expect(fs.statSync(path.join(root, 'etc/azure/iris-pre.sh')).uid).toBe(0);
  });

  it('reads only the installer’s RESULT line', () => {
    expect(installResult('noise\nRESULT status=installed changed=3 backups=0\n')).toEqual({
      status: 'installed',
      changed: '3',
      backups: '0',
    });
    expect(installResult('no result here')).toBeUndefined();
  });
});
