/**
 * Restore faults a drill must survive, through the real Recovery Services and Compute SDKs, and what a verifier
 * script on the restored VM sees of them (simulated `iris` through managed Run Command).
 */
import type { RestoreRequestResource } from '@azure/arm-recoveryservicesbackup';
import { type Sandbox, startSandbox } from '../../sandbox';
import {
  LOCATION,
  SUB,
  VAULT,
  VAULT_RG,
  clients,
  containerOf,
  itemOf,
  testScenario,
  testVm,
  vmIdOf,
} from './sandboxFixtures';

const DRILL_RG = 'rg-drill';
const NET = `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}/providers/Microsoft.Network/virtualNetworks/drill`;
const USER_DB = '/usr/irissys/mgr/user/';
const IRIS = [{ name: 'IRIS', product: 'IRIS' as const, status: 'running' as const }];
const protectedVm = (name: string, extra = {}) =>
  testVm(name, [], {
    irisInstances: IRIS,
    existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' }],
    ...extra,
  });

describe('sandbox restore faults', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          protectedVm('healthy'),
          protectedVm('creation-fails', { dataDisks: [{ lun: 0, sizeGb: 64 }] }),
          protectedVm('never-boots'),
          protectedVm('iris-down'),
          protectedVm('integ'),
          protectedVm('db-missing'),
          protectedVm('restore-fails'),
        ],
        {
          backup: {
            restoreFromSnapshotMinutes: 10,
            restoredVmBootMinutes: 2,
            restoredVmAgentMinutes: 3,
            storageAccounts: [
              {
                subscriptionId: SUB,
                resourceGroup: DRILL_RG,
                name: 'staging',
                location: LOCATION,
                sku: 'Standard_LRS',
              },
            ],
            virtualNetworks: [
              { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'drill', location: LOCATION, subnets: ['default'] },
            ],
          },
          faults: [
            { kind: 'restoreVmCreationFails', vm: 'creation-fails' },
            { kind: 'restoredVmNeverBoots', vm: 'never-boots' },
            { kind: 'restoredIrisNeverStarts', vm: 'iris-down' },
            { kind: 'restoredIntegrityErrors', vm: 'integ', database: USER_DB },
            { kind: 'restoredDatabaseMissing', vm: 'db-missing' },
            { kind: 'restoreFailure', vm: 'restore-fails', errorString: 'Restore failed (drill test).' },
          ],
        },
      ),
    });
    // Every restore starts together; their jobs end 10 minutes later and the VMs are ready 5 minutes after that.
    for (const vm of [
      'healthy',
      'creation-fails',
      'never-boots',
      'iris-down',
      'integ',
      'db-missing',
      'restore-fails',
    ]) {
      jobs.set(vm, await restore(vm));
    }
    sandbox.clock.advance(15 * 60_000);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const jobs = new Map<string, string>();

  async function restore(vm: string): Promise<string> {
    const { backup } = clients(sandbox);
    let rpName = '';
    for await (const rp of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf(vm), itemOf(vm))) {
      rpName = rp.name ?? '';
    }
    let jobId = '';
    const body = {
      properties: {
        objectType: 'IaasVMRestoreRequest',
        recoveryPointId: rpName,
        recoveryType: 'AlternateLocation',
        sourceResourceId: vmIdOf(vm),
        targetVirtualMachineId: vmIdOf(`${vm}-drill`, DRILL_RG),
        targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}`,
        storageAccountId: `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}/providers/Microsoft.Storage/storageAccounts/staging`,
        virtualNetworkId: NET,
        subnetId: `${NET}/subnets/default`,
        region: LOCATION,
        createNewCloudService: false,
        originalStorageAccountOption: false,
      },
    } as RestoreRequestResource;
    await backup.restores.beginTriggerAndWait(VAULT, VAULT_RG, 'Azure', containerOf(vm), itemOf(vm), rpName, body, {
      updateIntervalInMs: 0,
      onResponse: (r) => {
        jobId = (r.parsedBody as { properties?: { jobId?: string } } | undefined)?.properties?.jobId ?? jobId;
      },
    });
    return jobId;
  }

  const jobOf = async (vm: string) =>
    (await clients(sandbox).backup.jobDetails.get(VAULT, VAULT_RG, jobs.get(vm) ?? '')).properties as {
      status?: string;
      errorDetails?: { errorTitle?: string; errorString?: string }[];
    };

  /** Runs a verifier script on the restored VM through managed Run Command; returns exit code and output. */
  async function verify(vm: string, script: string): Promise<{ exitCode?: number; output: string }> {
    const { compute } = clients(sandbox);
    await compute.virtualMachineRunCommands.createOrUpdate(
      DRILL_RG,
      `${vm}-drill`,
      'verify',
      { location: LOCATION, source: { script }, asyncExecution: false, timeoutInSeconds: 60 },
      { updateIntervalInMs: 0 },
    );
    const rc = await compute.virtualMachineRunCommands.getByVirtualMachine(DRILL_RG, `${vm}-drill`, 'verify', {
      expand: 'instanceView',
    });
    return { exitCode: rc.instanceView?.exitCode, output: rc.instanceView?.output ?? '' };
  }

  const START_AND_CHECK = `iris start IRIS; echo "start=$?"; iris qlist IRIS; iris session IRIS -U %SYS "Do ^Integrity"`;

  it('a healthy restore: IRIS starts and the integrity check finds no errors', async () => {
    expect((await jobOf('healthy')).status).toBe('Completed');
    const { output } = await verify('healthy', START_AND_CHECK);
    expect(output).toContain('start=0');
    expect(output).toMatch(/^IRIS\^[^^]*\^[^^]*\^running/m);
    expect(output).toContain('INTEGRITY_OK=1');
  });

  it('restoreVmCreationFails: the job fails with an error, the restored disks exist unattached and no VM', async () => {
    const job = await jobOf('creation-fails');
    expect(job).toMatchObject({ status: 'Failed', errorDetails: [{ errorTitle: 'UserErrorRestoreVmCreationFailed' }] });
    const { compute } = clients(sandbox);
    await expect(compute.virtualMachines.get(DRILL_RG, 'creation-fails-drill')).rejects.toMatchObject({
      statusCode: 404,
    });
    const disks = [];
    for await (const d of compute.disks.listByResourceGroup(DRILL_RG)) {
      if (d.name?.startsWith('creation-fails-drill-')) disks.push(d);
    }
    expect(disks.map((d) => d.name?.replace(/\d{8}-\d{6}$/, '')).sort()).toEqual([
      'creation-fails-drill-datadisk-0-',
      'creation-fails-drill-osdisk-',
    ]);
    for (const d of disks) {
      expect(d.managedBy).toBeUndefined();
      expect(d.diskState).toBe('Unattached');
      expect(d.tags).toEqual({});
    }
    // Cleanup works on them as on any unattached disk.
    await compute.disks.delete(DRILL_RG, disks[0]?.name ?? '', { updateIntervalInMs: 0 });
  });

  it('restoredVmNeverBoots: the VM stays starting with its agent not ready, and Run Command PUTs get 409', async () => {
    expect((await jobOf('never-boots')).status).toBe('Completed');
    const { compute } = clients(sandbox);
    sandbox.clock.advance(60 * 60_000);
    const view = await compute.virtualMachines.instanceView(DRILL_RG, 'never-boots-drill');
    expect(view.statuses?.map((s) => s.code)).toContain('PowerState/starting');
    expect(view.vmAgent?.statuses?.[0]?.displayStatus).toBe('Not Ready');
    await expect(verify('never-boots', 'echo hi')).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
  });

  it('restoredIrisNeverStarts: iris start fails on the restored VM, IRIS stays down and messages.log says so', async () => {
    const { output } = await verify(
      'iris-down',
      `${START_AND_CHECK}; grep -c 'Startup of InterSystems IRIS failed' "$IBG_ROOT/usr/irissys/mgr/messages.log"`,
    );
    expect(output).toContain('start=1');
    expect(output).toMatch(/^IRIS\^[^^]*\^[^^]*\^down/m);
    expect(output).not.toContain('INTEGRITY_OK');
    expect(output.trim().split('\n').pop()).toBe('1');
  });

  it('restoredIntegrityErrors: the restored copy’s integrity check reports errors in the named database', async () => {
    const { output } = await verify('integ', START_AND_CHECK);
    expect(output).toContain('start=0');
    expect(output).toContain('INTEGRITY_OK=0');
    expect(output).toContain(`*** Errors in directory: ${USER_DB} ***`);
    expect(output).not.toContain('*** Errors in directory: /usr/irissys/mgr/ ***');
  });

  it('restoredDatabaseMissing: the database directory is absent, not mounted at start, and reported by the check', async () => {
    const { output } = await verify(
      'db-missing',
      `[ -d "$IBG_ROOT${USER_DB}" ] && echo user-db=present || echo user-db=absent
[ -f "$IBG_ROOT/usr/irissys/mgr/IRIS.DAT" ] && echo sys-db=present
${START_AND_CHECK}
grep -c "Failed to mount database ${USER_DB}" "$IBG_ROOT/usr/irissys/mgr/messages.log"`,
    );
    expect(output).toContain('user-db=absent');
    expect(output).toContain('sys-db=present');
    expect(output).toContain(`---Directory ${USER_DB}---\n\nThe database is not mounted.`);
    expect(output).toContain('INTEGRITY_OK=0');
    expect(output.trim().split('\n').pop()).toBe('1');
  });

  it('restoreFailure: the job fails with the scenario’s error and creates no VM', async () => {
    expect(await jobOf('restore-fails')).toMatchObject({
      status: 'Failed',
      errorDetails: [{ errorTitle: 'UserErrorRestoreFailed', errorString: 'Restore failed (drill test).' }],
    });
    await expect(clients(sandbox).compute.virtualMachines.get(DRILL_RG, 'restore-fails-drill')).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
