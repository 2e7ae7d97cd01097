/**
 * Azure installs the VMSnapshotLinux extension on a VM once a vault protects and backs it up; the sandbox
 * materialises its directory for protected VMs, unless a scenario opts out to show BackupExtensionNotInstalled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, ScenarioError, startSandbox, validateScenario } from '../../sandbox';
import { BACKUP_EXTENSION_DIR } from '../../sandbox/vmRoot';
import { testScenario, testVm, vmIdOf } from './sandboxFixtures';

describe('the VMSnapshotLinux extension directory in simulated VMs', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([
        testVm('protected', []),
        testVm('opted-out', [], { extensionInstalled: false }),
        testVm('unprotected', [], { protectedBy: undefined }),
        testVm('unprotected-with-extension', [], { protectedBy: undefined, extensionInstalled: true }),
      ]),
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it.each([
    ['protected', true],
    ['opted-out', false],
    ['unprotected', false],
    ['unprotected-with-extension', true],
  ])('%s: installed %s', (vm, installed) => {
    const dir = path.join(sandbox.vmRoot(vmIdOf(vm)), BACKUP_EXTENSION_DIR);
    expect(fs.existsSync(dir)).toBe(installed);
    if (installed) {
      expect(fs.readFileSync(path.join(dir, 'main/VMSnapshotPluginHost.conf'), 'utf8')).toContain(
        'pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json',
      );
    }
  });

  it('rejects a non-boolean extensionInstalled', () => {
    const scenario = testScenario([testVm('x', [], { extensionInstalled: 'no' as unknown as boolean })]);
    expect(() => validateScenario(scenario)).toThrow(ScenarioError);
  });
});
