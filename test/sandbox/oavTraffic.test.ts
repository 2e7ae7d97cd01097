import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Sandbox, startSandbox } from '../../sandbox';
import { loadSettings } from '../../src/shared/config/settings';
import { DRILL_TAG_MANAGED_BY, DRILL_TAG_RUN, MANAGED_BY_VALUE } from '../../src/shared/drills/drillTags';
import { createGateways } from '../../src/shared/gateways/createGateways';
import { UNDEFINED_OPERATION_EXCEPTIONS, formatTrafficIssues, validateTraffic } from '../../sandbox/trafficValidation';
import {
  ITEMS_TIMESPAN,
  JOBS_TIMESPAN,
  backupItemsQuery,
  backupJobsQuery,
} from '../../src/shared/reconcile/reconcileQueries';
import {
  LOCATION,
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

/** A representative sequence of the SDK calls the app makes, recorded as oav traffic and validated against the specs. */
describe('sandbox traffic validates against the official specs (oav validate-traffic)', () => {
  let sandbox: Sandbox;
  let trafficDir: string;

  beforeAll(async () => {
    trafficDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-traffic-'));
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('good', scriptSetup()),
          testVm('warn', scriptSetup({ preExit: 5 })),
          testVm('other', []),
          testVm('transfer-fails', [], {
            backup: {
              transferFailure: {
                errorCode: 400402,
                errorTitle: 'UserErrorTransferToVaultFailed',
                errorString: 'Copying the snapshot to the vault failed (simulated).',
              },
            },
          }),
        ],
        {
          pageSize: 2,
          workspaces: [
            { id: 'ws-1' },
            { id: 'ws-no-tables', missingTables: ['AddonAzureBackupJobs', 'CoreAzureBackup'] },
          ],
        },
      ),
      trafficDir,
    });
  });

  afterAll(async () => {
    await sandbox.stop();
    fs.rmSync(trafficDir, { recursive: true, force: true });
  });

  it('records a full backup, restore, Run Command and query sequence with no spec violations', async () => {
    const { backup, compute, logs } = clients(sandbox);
    for await (const _ of backup.backupProtectedItems.list(VAULT, VAULT_RG, {
      filter: "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'",
    })) {
      // paging through all pages is the point
    }
    await backup.protectedItems.get(VAULT, VAULT_RG, 'Azure', containerOf('good'), itemOf('good'));
    const good = await triggerBackup(sandbox, 'good');
    const warn = await triggerBackup(sandbox, 'warn');
    const fails = await triggerBackup(sandbox, 'transfer-fails');
    await backup.protectedItemOperationResults.get(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('good'),
      itemOf('good'),
      good.operationId,
    );
    await backup.jobDetails.get(VAULT, VAULT_RG, good.jobId);
    await sandbox.idle();
    sandbox.clock.advance(10 * 60_000);
    await backup.jobDetails.get(VAULT, VAULT_RG, good.jobId);
    await backup.jobDetails.get(VAULT, VAULT_RG, warn.jobId);
    for await (const _ of backup.backupJobs.list(VAULT, VAULT_RG, {
      filter:
        "startTime eq '2026-03-01 01:00:00 AM' and endTime eq '2026-03-02 12:00:00 AM' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM'",
    })) {
      // all pages
    }
    const points = [];
    for await (const rp of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf('good'), itemOf('good'), {
      filter: "startDate eq '2026-03-01 12:00:00 AM' and endDate eq '2026-03-02 12:00:00 AM'",
    })) {
      points.push(rp);
    }
    // The jobs' ends after their transfer to the vault, as jobDetails.get returns them: Completed,
    // CompletedWithWarnings with its errors, and Failed in the transfer after a good snapshot; the points now also
    // in the vault tier.
    sandbox.clock.advance(60 * 60_000);
    await backup.jobDetails.get(VAULT, VAULT_RG, good.jobId);
    await backup.jobDetails.get(VAULT, VAULT_RG, warn.jobId);
    await backup.jobDetails.get(VAULT, VAULT_RG, fails.jobId);
    for await (const _ of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf('good'), itemOf('good'))) {
      // the hardened point
    }
    const rpName = points[0]?.name ?? '';
    await backup.recoveryPoints.get(VAULT, VAULT_RG, 'Azure', containerOf('good'), itemOf('good'), rpName);
    await backup.restores.beginTriggerAndWait(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('good'),
      itemOf('good'),
      rpName,
      {
        properties: {
          objectType: 'IaasVMRestoreRequest',
          recoveryPointId: rpName,
          recoveryType: 'AlternateLocation',
          sourceResourceId: vmIdOf('good'),
          targetVirtualMachineId: vmIdOf('good-drill', 'rg-drill'),
          targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill`,
          storageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Storage/storageAccounts/staging`,
          virtualNetworkId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/drill`,
          subnetId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/drill/subnets/default`,
          region: LOCATION,
          createNewCloudService: false,
          originalStorageAccountOption: false,
          encryptionDetails: { encryptionEnabled: false },
        },
      },
      { updateIntervalInMs: 0 },
    );
    sandbox.clock.advance(20 * 60_000);
    for await (const _ of backup.backupJobs.list(VAULT, VAULT_RG, {
      filter: "operation eq 'Restore' and status eq 'Completed'",
    })) {
      // all pages
    }

    const drill = await compute.virtualMachines.get('rg-drill', 'good-drill');
    for await (const _ of compute.virtualMachines.listAll()) {
      // all pages
    }
    for await (const _ of compute.virtualMachines.list(VM_RG)) {
      // all pages
    }
    await compute.virtualMachineRunCommands.createOrUpdate(
      'rg-drill',
      'good-drill',
      'ibg-verify-1',
      {
        location: LOCATION,
        source: { script: 'echo "$MODE"; exit 0' },
        parameters: [{ name: 'MODE', value: 'verify' }],
        timeoutInSeconds: 60,
        asyncExecution: false,
        treatFailureAsDeploymentFailure: false,
      },
      { updateIntervalInMs: 0 },
    );
    await compute.virtualMachineRunCommands.getByVirtualMachine('rg-drill', 'good-drill', 'ibg-verify-1', {
      expand: 'instanceView',
    });
    await compute.virtualMachineRunCommands.delete('rg-drill', 'good-drill', 'ibg-verify-1', { updateIntervalInMs: 0 });
    const diskName = drill.storageProfile?.osDisk?.managedDisk?.id?.split('/').pop() ?? '';
    const nicId = drill.networkProfile?.networkInterfaces?.[0]?.id ?? '';
    await compute.virtualMachines.delete('rg-drill', 'good-drill', { updateIntervalInMs: 0 });
    await compute.disks.get('rg-drill', diskName);
    await compute.disks.delete('rg-drill', diskName, { updateIntervalInMs: 0 });
    await expect(compute.virtualMachines.get('rg-drill', 'good-drill')).rejects.toMatchObject({ statusCode: 404 });
    await logs.queryWorkspace('ws-1', 'AddonAzureBackupJobs', { duration: 'P1D' });
    // The reconcile's own queries, and the 400 SEM0100 a workspace without the tables answers.
    await logs.queryWorkspace('ws-1', backupJobsQuery(), { duration: JOBS_TIMESPAN });
    await logs.queryWorkspace('ws-1', backupItemsQuery(), { duration: ITEMS_TIMESPAN });
    await expect(logs.queryWorkspace('ws-no-tables', backupJobsQuery(), { duration: 'P1D' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgumentError',
    });
    expect(nicId).toContain('Microsoft.Network/networkInterfaces');

    const result = await validateTraffic(trafficDir);
    expect(result.exchanges).toBeGreaterThan(30);
    expect(formatTrafficIssues(result.errors)).toBe('');
    expect(result.passedOperations).toEqual(
      expect.arrayContaining([
        'BackupProtectedItems_List',
        'ProtectedItems_Get',
        'Backups_Trigger',
        'ProtectedItemOperationStatuses_Get',
        'ProtectedItemOperationResults_Get',
        'JobDetails_Get',
        'BackupJobs_List',
        'RecoveryPoints_List',
        'RecoveryPoints_Get',
        'Restores_Trigger',
        'VirtualMachines_Get',
        'VirtualMachines_ListAll',
        'VirtualMachines_List',
        'VirtualMachines_Delete',
        'VirtualMachineRunCommands_CreateOrUpdate',
        'VirtualMachineRunCommands_GetByVirtualMachine',
        'VirtualMachineRunCommands_Delete',
        'Disks_Get',
        'Disks_Delete',
        'Query_Execute',
      ]),
    );
    // The only undefined operations are those whose specs are not in the local set; the Log Analytics queries carry
    // api-version=2022-10-27 in the recorded URL (the recorder adds it), so oav matches them to Query_Execute.
    const allowedUrls = result.allowedUndefined.map((i) => new URL(i.url ?? 'https://x').pathname);
    expect(allowedUrls.some((u) => UNDEFINED_OPERATION_EXCEPTIONS[0]?.pattern.test(u))).toBe(true);
    expect(allowedUrls.filter((u) => /\/v1\/workspaces\//.test(u))).toEqual([]);
    const queries = fs.readdirSync(trafficDir).filter((f) => f.includes('logs.query'));
    expect(queries.length).toBe(4);
    for (const f of queries) {
      const recorded = JSON.parse(fs.readFileSync(path.join(trafficDir, f), 'utf8')) as {
        liveRequest: { url: string };
      };
      expect(new URL(recorded.liveRequest.url).searchParams.get('api-version')).toBe('2022-10-27');
    }
  }, 120_000);

  it('fails on a response that breaks the spec', async () => {
    const badDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-traffic-bad-'));
    try {
      const files = fs.readdirSync(trafficDir).filter((f) => f.includes('rsv.jobs.get'));
      const traffic = JSON.parse(fs.readFileSync(path.join(trafficDir, files[0] ?? ''), 'utf8')) as {
        liveResponse: { body: { properties: { errorDetails: unknown[] } } };
      };
      traffic.liveResponse.body.properties.errorDetails = [{ errorCode: 'UserErrorPreScriptFailed' }];
      fs.writeFileSync(path.join(badDir, 'bad.json'), JSON.stringify(traffic));
      fs.writeFileSync(
        path.join(badDir, 'undefined.json'),
        JSON.stringify({
          liveRequest: {
            url: `https://management.azure.com/subscriptions/${SUB}/resourceGroups/x/providers/Microsoft.RecoveryServices/vaults/v/nonsense?api-version=2023-06-01`,
            method: 'GET',
            headers: {},
            body: null,
          },
          liveResponse: { statusCode: '200', headers: { 'Content-Type': 'application/json' }, body: {} },
        }),
      );
      const result = await validateTraffic(badDir);
      expect(result.errors.map((e) => e.code).sort()).toEqual(['INVALID_TYPE', 'UNDEFINED_OPERATION']);
    } finally {
      fs.rmSync(badDir, { recursive: true, force: true });
    }
  }, 180_000); // oav loads the specs again: 30 s on a quiet machine, far more on a busy one
});

/** The restore drill's calls, made through the app's gateways (real SDK clients), validated with no Network exemption. */
describe('drill traffic through the app gateways validates against the official specs', () => {
  const DRILL_RG = 'rg-drill';
  const rgId = (rg: string): string => `/subscriptions/${SUB}/resourceGroups/${rg}`;
  const vnetId = `${rgId(DRILL_RG)}/providers/Microsoft.Network/virtualNetworks/vnet-drill`;
  let sandbox: Sandbox;
  let trafficDir: string;

  beforeAll(async () => {
    trafficDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-traffic-drill-'));
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('good', [], {
            existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' }],
            dataDisks: [{ lun: 0 }],
          }),
        ],
        {
          backup: {
            restoreFromSnapshotMinutes: 10,
            storageAccounts: [{ subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'staging', location: LOCATION }],
            virtualNetworks: [
              {
                subscriptionId: SUB,
                resourceGroup: DRILL_RG,
                name: 'vnet-drill',
                location: LOCATION,
                subnets: ['default'],
              },
              {
                subscriptionId: SUB,
                resourceGroup: VM_RG,
                name: 'vnet-prod',
                location: LOCATION,
                subnets: ['default'],
                peeredWith: ['vnet-drill'],
              },
            ],
          },
        },
      ),
      trafficDir,
    });
  });

  afterAll(async () => {
    await sandbox.stop();
    fs.rmSync(trafficDir, { recursive: true, force: true });
  });

  it('records restore, NIC, subnet, virtual network, disk and VM calls with no spec violations', async () => {
    const { backup, drills } = createGateways(
      loadSettings({
        IBG_VAULT_IDS: `${rgId(VAULT_RG)}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`,
        IBG_ENROLL_TAG: 'app=iris',
        IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_ARM_ENDPOINT: sandbox.url,
        IBG_POLL_INTERVAL_MS: '0',
      }),
      sandbox.credential,
      { warn: () => undefined },
    );
    const vault = {
      id: `${rgId(VAULT_RG)}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`,
      subscriptionId: SUB,
      resourceGroup: VAULT_RG,
      name: VAULT,
    };
    let item;
    for await (const vm of backup.listProtectedVms(vault)) item = vm;
    if (item === undefined) throw new Error('no protected item');
    let rpName = '';
    for await (const rp of backup.listRecoveryPoints(item)) rpName ||= rp.name;
    const targetVmId = vmIdOf('good-drill', DRILL_RG);
    const { operationId } = await backup.triggerRestore(item, {
      recoveryPointName: rpName,
      sourceVmId: item.vmId,
      targetVmId,
      targetResourceGroupId: rgId(DRILL_RG),
      storageAccountId: `${rgId(DRILL_RG)}/providers/Microsoft.Storage/storageAccounts/staging`,
      virtualNetworkId: vnetId,
      subnetId: `${vnetId}/subnets/default`,
      region: LOCATION,
    });
    const operation = await backup.getBackupOperation(item, operationId);
    sandbox.clock.advance(10 * 60_000);
    expect(await backup.getJob(vault, operation.jobId ?? '')).toMatchObject({
      operation: 'Restore',
      status: 'Completed',
    });

    const drill = await drills.getDrillVm(targetVmId);
    const nicId = drill?.nicIds[0] ?? '';
    const nic = await drills.getNic(nicId);
    await drills.getSubnet(nic?.subnetId ?? '');
    await drills.getStorageAccount(`${rgId(DRILL_RG)}/providers/Microsoft.Storage/storageAccounts/staging`);
    for await (const _ of drills.listResources(rgId(DRILL_RG))) {
      // VMs, disks and NICs of the group
    }
    const tags = { [DRILL_TAG_MANAGED_BY]: MANAGED_BY_VALUE, [DRILL_TAG_RUN]: 'run-1' };
    await drills.addTags('vm', targetVmId, tags);
    await drills.addTags('nic', nicId, tags);
    for (const disk of drill?.diskIds ?? []) await drills.addTags('disk', disk, tags);
    expect(await drills.deleteDrillResource('vm', targetVmId, { resourceGroupId: rgId(DRILL_RG) })).toBe('deleted');
    for (const disk of drill?.diskIds ?? []) {
      expect(await drills.deleteDrillResource('disk', disk, { resourceGroupId: rgId(DRILL_RG) })).toBe('deleted');
    }
    expect(await drills.deleteDrillResource('nic', nicId, { resourceGroupId: rgId(DRILL_RG) })).toBe('deleted');
    expect(await drills.getNic(nicId)).toBeUndefined();

    const result = await validateTraffic(trafficDir);
    expect(formatTrafficIssues(result.errors)).toBe('');
    expect(result.passedOperations).toEqual(
      expect.arrayContaining([
        'Restores_Trigger',
        'ProtectedItemOperationStatuses_Get',
        'JobDetails_Get',
        'VirtualMachines_Get',
        'VirtualMachines_List',
        'VirtualMachines_Update',
        'VirtualMachines_Delete',
        'Disks_Get',
        'Disks_ListByResourceGroup',
        'Disks_Update',
        'Disks_Delete',
        'NetworkInterfaces_Get',
        'NetworkInterfaces_List',
        'NetworkInterfaces_UpdateTags',
        'NetworkInterfaces_Delete',
        'VirtualNetworks_Get',
      ]),
    );
    // Only Compute polls and the storage account (no Microsoft.Storage spec here) may be undefined; no Network call.
    const undefinedPaths = result.allowedUndefined.map((i) => new URL(i.url ?? 'https://x').pathname);
    expect(undefinedPaths.filter((u) => /Microsoft\.Network/i.test(u))).toEqual([]);
    expect(undefinedPaths.some((u) => /Microsoft\.Storage\/storageAccounts/i.test(u))).toBe(true);
  }, 180_000);
});
