/** `iris-backup-guard install --vm`: pushes the hardened scripts through Run Command, then checks the VM again. */
import * as fs from 'node:fs';
import * as path from 'node:path';
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

  // Only what reaches a VM: the ARM endpoint (the sandbox) and a credential; no vaults, enrolment or runs table.
  const ioFor = () =>
    captureIo(
      { AZURE_ARM_ENDPOINT: sandbox.url, IBG_POLL_INTERVAL_MS: '0' },
      { credential: sandbox.credential, clock: sandbox.clock },
    );
  const vmId = (name: string): string => {
    const vm = sandbox.scenario.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`no VM ${name} in the demo fleet`);
    return scenarioVmId(vm);
  };

  it('fixes a VM with no config, given only the VM id and a credential: root-owned files with modes 700/600, and the re-check is clean', async () => {
    const id = vmId('iris-prod-02');
    const before = ioFor();
    expect(await main(['check', '--vm', id, '--json'], before)).toBe(1);
    expect((JSON.parse(before.stdout()) as CheckReport).findings.map((f) => f.code)).toContain('PluginConfigNotFound');

    const io = ioFor();
    expect(await main(['install', '--vm', id, '--json'], io)).toBe(0);
    // With --json, stdout is only the report; the install line goes to stderr.
    expect(io.stderr()).toMatch(/^Installed on .*iris-prod-02: installed\. Checking again:/);
    const report = JSON.parse(io.stdout()) as CheckReport;
    expect(report.schema).toBe('iris-backup-guard/check@1');
    expect(report.findings.filter((f) => f.severity === 'error' || f.severity === 'critical')).toEqual([]);

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
