import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, generateFleetScenario, loadScenario, startSandbox } from '../../sandbox';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { clients, containerOf, itemOf, triggerBackup } from './sandboxFixtures';

const DEMO = path.join(__dirname, '..', '..', 'sandbox', 'scenarios', 'demo-fleet.json');
const EXT_LOG = 'var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';

describe('the demo-fleet scenario', () => {
  let sandbox: Sandbox;
  const sub = loadScenario(DEMO).vaults[0]?.subscriptionId ?? '';
  const vmId = (name: string): string =>
    `/subscriptions/${sub}/resourceGroups/rg-iris-prod/providers/Microsoft.Compute/virtualMachines/${name}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: DEMO });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('materialises files with the scenario owners and modes', () => {
    const json = fs.statSync(
      path.join(sandbox.vmRoot(vmId('iris-prod-06')), 'etc/azure/VMSnapshotScriptPluginConfig.json'),
    );
    expect(json.mode & 0o777).toBe(0o644);
    expect(json.uid).not.toBe(0);
    const pre = fs.readFileSync(path.join(sandbox.vmRoot(vmId('cache-legacy-01')), 'etc/azure/preScript.sh'), 'utf8');
    expect(pre).toContain('\r\n');
    const bom = fs.readFileSync(
      path.join(sandbox.vmRoot(vmId('iris-prod-03')), 'etc/azure/VMSnapshotScriptPluginConfig.json'),
    );
    expect([...bom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it.each([
    ['iris-prod-01', 'Completed', 'AppConsistent', 'Enable Succeeded with App Consistent Snapshot'],
    ['iris-prod-02', 'Completed', 'FileSystemConsistent', 'StatusCode.FailedPrepostPluginConfigNotFound,'],
    [
      'cache-legacy-01',
      'CompletedWithWarnings',
      'FileSystemConsistent',
      'Prescript for ScriptRunner failed with error code: 2 .',
    ],
    [
      'cache-legacy-02',
      'CompletedWithWarnings',
      'FileSystemConsistent',
      'Prescript for ScriptRunner failed with error code: 5 .',
    ],
    ['iris-prod-03', 'Completed', 'FileSystemConsistent', 'StatusCode.FailedPrepostPluginConfigParsing,'],
    [
      'iris-prod-04',
      'CompletedWithWarnings',
      'FileSystemConsistent',
      'Prescript file does not have desired permissions ',
    ],
    ['iris-prod-05', 'Failed', undefined, "unsupported operand type(s) for &: 'bool' and 'str'"],
    [
      'iris-prod-06',
      'CompletedWithWarnings',
      'FileSystemConsistent',
      'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigPermissionError,',
    ],
  ])('%s: job %s, recovery point %s', async (vm, status, type, logLine) => {
    const { jobId } = await triggerBackup(sandbox, vm, {
      subscriptionId: sub,
      vaultRg: 'rg-backup',
      vault: 'vault-prod',
      vmRg: 'rg-iris-prod',
    });
    await sandbox.idle();
    // The scenario's 15-minute snapshot phase and four-hour transfer to the vault.
    sandbox.clock.advance((15 + 240) * 60_000);
    const job = await clients(sandbox, sub).backup.jobDetails.get('vault-prod', 'rg-backup', jobId);
    expect(job.properties?.status).toBe(status);
    const points = [];
    for await (const rp of clients(sandbox, sub).backup.recoveryPoints.list(
      'vault-prod',
      'rg-backup',
      'Azure',
      containerOf(vm, 'rg-iris-prod'),
      itemOf(vm, 'rg-iris-prod'),
    )) {
      points.push((rp.properties as { recoveryPointType?: string }).recoveryPointType);
    }
    expect(points[0]).toBe(type);
    expect(fs.readFileSync(path.join(sandbox.vmRoot(vmId(vm)), EXT_LOG), 'utf8')).toContain(logLine);
  });

  it('leaves the Cache instance frozen: with CRLF the thaw argument ends in \\r, while the freeze line ends in a redirect', () => {
    const root = sandbox.vmRoot(vmId('cache-legacy-01'));
    expect(readIrisInstance(root, 'CACHE')?.frozen).toBe(true);
    expect(readIrisInstance(root, 'IRIS')).toBeUndefined();
  });

  it('thaws the Cache instance with the dos2unix-ed sample, whose post-script still exits 5 (`[ $status req 5]`)', () => {
    const root = sandbox.vmRoot(vmId('cache-legacy-02'));
    expect(readIrisInstance(root, 'CACHE')?.frozen).toBe(false);
    const log = fs.readFileSync(path.join(root, EXT_LOG), 'utf8');
    expect(log).toContain('Postscript for ScriptRunner failed with error code: 5 .');
    expect(fs.readFileSync(path.join(root, 'usr/cachesys/mgr/cconsole.log'), 'utf8')).toContain(
      'Backup.General.ExternalThaw: System resumed',
    );
  });

  it.each([
    ['iris-prod-01', true],
    ['cache-legacy-02', true],
    ['web-01', false],
  ])('%s: the VMSnapshotLinux extension is installed: %s (protected VMs have it)', (vm, installed) => {
    const dir = path.join(
      sandbox.vmRoot(vmId(vm)),
      'var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0',
    );
    expect(fs.existsSync(dir)).toBe(installed);
  });

  it('generates a fleet of N protected IRIS VMs', () => {
    const fleet = generateFleetScenario({ count: 120, perResourceGroup: 50 });
    expect(fleet.vms).toHaveLength(120);
    expect(new Set(fleet.vms.map((v) => v.resourceGroup)).size).toBe(3);
    expect(fleet.vms.every((v) => v.protectedBy === 'vault-fleet')).toBe(true);
  });
});
