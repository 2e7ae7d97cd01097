import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, formatFilterDate, startSandbox } from '../../sandbox';
import {
  SUB,
  VAULT,
  VAULT_RG,
  VM_RG,
  clients,
  containerOf,
  itemOf,
  scriptSetup,
  testScenario,
  testVm,
  triggerBackup,
  vmIdOf,
} from './sandboxFixtures';

const EXT_LOG = 'var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';

describe('sandbox backup flow through the real Recovery Services SDK', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('good', scriptSetup()),
          testVm('pre-exit-5', scriptSetup({ preExit: 5 })),
          testVm('post-fails-stop', scriptSetup({ postExit: 1, config: { continueBackupOnFailure: false } })),
          testVm('no-config', []),
          testVm('bom', [
            ...scriptSetup(),
            {
              path: '/etc/azure/VMSnapshotScriptPluginConfig.json',
              content: '{"preScriptLocation":"/etc/azure/pre.sh","postScriptLocation":"/etc/azure/post.sh"}',
              bom: true,
              mode: '600',
            },
          ]),
          testVm('pre-755', scriptSetup({ preMode: '755' })),
          testVm('pre-755-stop', scriptSetup({ preMode: '755', config: { continueBackupOnFailure: false } })),
          testVm('false-string', scriptSetup({ preExit: 1, config: { continueBackupOnFailure: 'false' } })),
          testVm('pre-timeout', [
            ...scriptSetup({ config: { timeoutInSeconds: 1, ScriptsExecutionPollTimeSeconds: 1 } }),
            {
              path: '/etc/azure/pre.sh',
              content:
                'echo pre-start >> "$IBG_ROOT/var/log/calls.log"\nsleep 3\necho pre-end >> "$IBG_ROOT/var/log/calls.log"\n',
              mode: '700',
            },
          ]),
          testVm('paged-1', []),
          testVm('paged-2', []),
          testVm('unprotected', [], { protectedBy: undefined }),
        ],
        { pageSize: 4 },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('lists protected items with the documented filter, following nextLink pages', async () => {
    const { backup } = clients(sandbox);
    const names: string[] = [];
    for await (const item of backup.backupProtectedItems.list(VAULT, VAULT_RG, {
      filter: "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'",
    })) {
      names.push(item.name ?? '');
      expect(item.id).toContain(
        `/backupFabrics/Azure/protectionContainers/${containerOf((item.properties as { friendlyName?: string } | undefined)?.friendlyName ?? '')}`,
      );
    }
    expect(names).toHaveLength(11);
    expect(names).toContain(itemOf('good'));
    expect(names).not.toContain(itemOf('unprotected'));
    expect(sandbox.requestStats().byRoute['rsv.protectedItems.list']?.count).toBe(3);
  });

  it('answers the on-demand backup with exactly 202 and an operation whose status carries the job id', async () => {
    const { status, jobId } = await triggerBackup(sandbox, 'good');
    expect(status).toBe(202);
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    const { backup } = clients(sandbox);
    const job = await backup.jobDetails.get(VAULT, VAULT_RG, jobId);
    expect(job.properties).toMatchObject({
      jobType: 'AzureIaaSVMJobV2',
      operation: 'Backup',
      status: 'InProgress',
      entityFriendlyName: 'good',
    });

    await sandbox.idle();
    expect((await backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties?.status).toBe('InProgress');
    sandbox.clock.advance(10 * 60_000);
    // Snapshot taken: the job goes on transferring data to the vault for the scenario's hour.
    expect((await backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties).toMatchObject({
      status: 'InProgress',
      extendedInfo: {
        tasksList: [
          { taskId: 'Take Snapshot', status: 'Completed' },
          { taskId: 'Transfer data to vault', status: 'InProgress' },
        ],
      },
    });
    sandbox.clock.advance(60 * 60_000);
    const done = await backup.jobDetails.get(VAULT, VAULT_RG, jobId);
    expect(done.properties).toMatchObject({ status: 'Completed', duration: 'PT1H10M0S' });

    const log = fs.readFileSync(path.join(sandbox.vmRoot(vmIdOf('good')), EXT_LOG), 'utf8');
    expect(log).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[Microsoft\.Azure\.RecoveryServices\.VMSnapshotLinux-1\.0\]/,
    );
    expect(log).toContain('Prescript for ScriptRunner successfully executed.');
    expect(log).toContain('Enable Succeeded with App Consistent Snapshot');
    expect(fs.readFileSync(path.join(sandbox.vmRoot(vmIdOf('good')), 'var/log/calls.log'), 'utf8')).toBe(
      'pre 0\npost 0\n',
    );
  });

  it('refuses a second backup while one is in progress', async () => {
    await triggerBackup(sandbox, 'paged-1');
    await expect(triggerBackup(sandbox, 'paged-1')).rejects.toMatchObject({
      statusCode: 400,
      code: 'UserErrorBackupOperationInProgress',
    });
  });

  it.each([
    ['good', 'Completed', 'AppConsistent', undefined],
    ['pre-exit-5', 'CompletedWithWarnings', 'FileSystemConsistent', 300],
    ['post-fails-stop', 'Failed', undefined, 301],
    ['no-config', 'Completed', 'FileSystemConsistent', undefined],
    ['bom', 'Completed', 'FileSystemConsistent', undefined],
    ['pre-755', 'CompletedWithWarnings', 'FileSystemConsistent', 306],
    ['pre-755-stop', 'Failed', undefined, 306],
    ['false-string', 'Failed', undefined, 300],
    ['pre-timeout', 'CompletedWithWarnings', 'FileSystemConsistent', 308],
  ])('VM %s: job %s, recovery point %s, error code %s', async (vm, jobStatus, rpType, errorCode) => {
    const { backup } = clients(sandbox);
    const before = new Date(sandbox.clock.now().getTime() - 1);
    const { jobId } = await triggerBackup(sandbox, vm);
    await sandbox.idle();
    // Snapshot (10 min) and transfer (60 min).
    sandbox.clock.advance(70 * 60_000);
    const job = await backup.jobDetails.get(VAULT, VAULT_RG, jobId);
    const props = job.properties as { status?: string; errorDetails?: { errorCode?: number; errorTitle?: string }[] };
    expect(props.status).toBe(jobStatus);
    expect(props.errorDetails?.[0]?.errorCode).toBe(errorCode);

    const points = [];
    for await (const rp of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf(vm), itemOf(vm), {
      filter: `startDate eq '${formatFilterDate(before)}' and endDate eq '${formatFilterDate(sandbox.clock.now())}'`,
    })) {
      points.push(rp);
    }
    expect(points.map((p) => (p.properties as { recoveryPointType?: string }).recoveryPointType)).toEqual(
      rpType ? [rpType] : [],
    );
  });

  it('does not kill a timed-out pre-script: the post-script runs while it still sleeps', () => {
    const calls = fs.readFileSync(path.join(sandbox.vmRoot(vmIdOf('pre-timeout')), 'var/log/calls.log'), 'utf8');
    expect(calls).toBe('pre-start\npost 0\n');
  });

  it('filters jobs by operation, status, time window (AM/PM and ISO) and job id', async () => {
    const { backup } = clients(sandbox);
    const list = async (filter: string): Promise<string[]> => {
      const ids: string[] = [];
      for await (const j of backup.backupJobs.list(VAULT, VAULT_RG, { filter })) ids.push(j.name ?? '');
      return ids;
    };
    const all = await list("backupManagementType eq 'AzureIaasVM'");
    expect(all.length).toBeGreaterThanOrEqual(10);
    const failed = await list("operation eq 'Backup' and status eq 'Failed'");
    expect(failed).toHaveLength(3);
    expect(await list("startTime eq '2026-03-01 12:00:00 AM' and endTime eq '2026-03-01 12:59:59 AM'")).toEqual([]);
    expect(await list("startTime eq '2026-03-01 01:00:00 AM' and endTime eq '2099-01-01 12:00:00 AM'")).toHaveLength(
      all.length,
    );
    expect(await list("startTime eq '2026-03-01T01:00:00.0000000Z' and operation eq 'Restore'")).toEqual([]);
    const first = all[0] ?? '';
    expect(await list(`jobId eq '${first}'`)).toEqual([first]);
  });

  it('rejects a malformed job filter with a 400 ARM error', async () => {
    const { backup } = clients(sandbox);
    const iterate = async (): Promise<void> => {
      for await (const _ of backup.backupJobs.list(VAULT, VAULT_RG, { filter: "startTime gt 'yesterday'" })) break;
    };
    await expect(iterate()).rejects.toMatchObject({ statusCode: 400, code: 'BMSUserErrorInvalidFilter' });
  });

  it('restores a recovery point into a new VM whose root is the snapshot, with its own disk and NIC', async () => {
    const { backup, compute } = clients(sandbox);
    const points = [];
    for await (const rp of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf('good'), itemOf('good')))
      points.push(rp);
    const rp = points[0];
    expect(rp?.name).toBeDefined();
    // The source changes after the snapshot: the restored VM must not see it.
    fs.writeFileSync(path.join(sandbox.vmRoot(vmIdOf('good')), 'after-snapshot.txt'), 'x');

    let restoreJobId = '';
    const targetVm = vmIdOf('good-drill', 'rg-drill');
    await backup.restores.beginTriggerAndWait(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('good'),
      itemOf('good'),
      rp?.name ?? '',
      {
        properties: {
          objectType: 'IaasVMRestoreRequest',
          recoveryPointId: rp?.name,
          recoveryType: 'AlternateLocation',
          sourceResourceId: vmIdOf('good'),
          targetVirtualMachineId: targetVm,
          targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill`,
          storageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Storage/storageAccounts/staging`,
          virtualNetworkId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/drill`,
          subnetId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/drill/subnets/default`,
          region: 'westeurope',
          createNewCloudService: false,
          originalStorageAccountOption: false,
          encryptionDetails: { encryptionEnabled: false },
        },
      },
      {
        updateIntervalInMs: 0,
        onResponse: (r) => {
          const jobId = (r.parsedBody as { properties?: { jobId?: string } } | undefined)?.properties?.jobId;
          if (jobId) restoreJobId = jobId;
        },
      },
    );
    expect(restoreJobId).not.toBe('');
    await expect(compute.virtualMachines.get('rg-drill', 'good-drill')).rejects.toMatchObject({ statusCode: 404 });
    expect((await backup.jobDetails.get(VAULT, VAULT_RG, restoreJobId)).properties).toMatchObject({
      operation: 'Restore',
      status: 'InProgress',
    });

    sandbox.clock.advance(20 * 60_000);
    expect((await backup.jobDetails.get(VAULT, VAULT_RG, restoreJobId)).properties?.status).toBe('Completed');
    const vm = await compute.virtualMachines.get('rg-drill', 'good-drill');
    const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id ?? '';
    const diskId = vm.storageProfile?.osDisk?.managedDisk?.id ?? '';
    expect(nicId).toContain('/resourceGroups/rg-drill/providers/Microsoft.Network/networkInterfaces/');
    expect(diskId).toContain('/resourceGroups/rg-drill/providers/Microsoft.Compute/disks/');
    const root = sandbox.vmRoot(targetVm);
    expect(fs.existsSync(path.join(root, 'etc/azure/pre.sh'))).toBe(true);
    expect(fs.statSync(path.join(root, 'etc/azure/pre.sh')).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(root, 'after-snapshot.txt'))).toBe(false);

    // Clean-up order matters as in Azure: a disk attached to a VM cannot be deleted.
    const diskName = diskId.split('/').pop() ?? '';
    await expect(compute.disks.delete('rg-drill', diskName, { updateIntervalInMs: 0 })).rejects.toMatchObject({
      statusCode: 409,
    });
    await compute.virtualMachines.delete('rg-drill', 'good-drill', { updateIntervalInMs: 0 });
    await compute.disks.delete('rg-drill', diskName, { updateIntervalInMs: 0 });
    await expect(compute.disks.get('rg-drill', diskName)).rejects.toMatchObject({ statusCode: 404 });
    expect(fs.existsSync(root)).toBe(false);
  });

  it('lists VMs by subscription and resource group with tags, NICs and disks', async () => {
    const { compute } = clients(sandbox);
    const bySub: string[] = [];
    for await (const vm of compute.virtualMachines.listAll()) bySub.push(vm.name ?? '');
    expect(bySub).toContain('unprotected');
    const byRg = [];
    for await (const vm of compute.virtualMachines.list(VM_RG)) byRg.push(vm);
    expect(byRg).toHaveLength(12);
    expect(byRg[0]?.tags).toEqual({ app: 'iris' });
  });
});
