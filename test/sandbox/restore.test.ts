/**
 * Restores as Azure runs them, through the real Recovery Services and Compute SDKs: the request validated (400 at
 * once for a malformed one, a failed job for a target Azure refuses), snapshot-tier restores faster than vault-tier
 * ones, the restored VM with its disks, NIC, power state and agent readiness on the sandbox clock, and the restore
 * faults a drill must survive.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { RecoveryServicesBackupClient, RestoreRequestResource } from '@azure/arm-recoveryservicesbackup';
import { type Sandbox, type Scenario, startSandbox } from '../../sandbox';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
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
  triggerBackup,
  vmIdOf,
} from './sandboxFixtures';

const DRILL_RG = 'rg-drill';
const NET = `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}/providers/Microsoft.Network/virtualNetworks`;
const STORAGE = `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}/providers/Microsoft.Storage/storageAccounts`;

/** Storage accounts, networks and resource groups of the drill tests (declaring them turns on Azure's validation). */
const drillNetwork = (): NonNullable<Scenario['backup']> => ({
  storageAccounts: [
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'staging', location: LOCATION, sku: 'Standard_LRS' },
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'stagingzrs', location: LOCATION, sku: 'Standard_ZRS' },
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'staginggzrs', location: LOCATION, sku: 'Standard_GZRS' },
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'stagingne', location: 'northeurope', sku: 'Standard_LRS' },
  ],
  virtualNetworks: [
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'drill', location: LOCATION, subnets: ['default'] },
    { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'drillne', location: 'northeurope', subnets: ['default'] },
  ],
  resourceGroups: [{ subscriptionId: SUB, name: 'rg-drill-empty' }],
});

type RestoreProps = Record<string, unknown>;

/** A complete AlternateLocation request of `vm`'s point into `target` (rg-drill), with overrides. */
function restoreRequest(vm: string, rpName: string, target: string, overrides: RestoreProps = {}) {
  return {
    properties: {
      objectType: 'IaasVMRestoreRequest',
      recoveryPointId: rpName,
      recoveryType: 'AlternateLocation',
      sourceResourceId: vmIdOf(vm),
      targetVirtualMachineId: vmIdOf(target, DRILL_RG),
      targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/${DRILL_RG}`,
      storageAccountId: `${STORAGE}/staging`,
      virtualNetworkId: `${NET}/drill`,
      subnetId: `${NET}/drill/subnets/default`,
      region: LOCATION,
      createNewCloudService: false,
      originalStorageAccountOption: false,
      encryptionDetails: { encryptionEnabled: false },
      ...overrides,
    },
  };
}

const storageId = (name: string): string => `${STORAGE}/${name}`;
const subnetId = (vnet: string, subnet = 'default'): string => `${NET}/${vnet}/subnets/${subnet}`;
const vnetId = (vnet: string): string => `${NET}/${vnet}`;

async function newestPointName(backup: RecoveryServicesBackupClient, vm: string): Promise<string> {
  const points: { name: string; time: number }[] = [];
  for await (const rp of backup.recoveryPoints.list(VAULT, VAULT_RG, 'Azure', containerOf(vm), itemOf(vm))) {
    const time = (rp.properties as { recoveryPointTime?: Date } | undefined)?.recoveryPointTime?.getTime() ?? 0;
    points.push({ name: rp.name ?? '', time });
  }
  points.sort((a, b) => b.time - a.time);
  const name = points[0]?.name;
  if (!name) throw new Error(`No recovery point for ${vm}`);
  return name;
}

/** Triggers a restore through the SDK and returns the restore job id (caught from the operation status poll). */
async function restore(
  sandbox: Sandbox,
  vm: string,
  body: { properties: RestoreProps },
  urlRp?: string,
): Promise<string> {
  const { backup } = clients(sandbox);
  const rpName = urlRp ?? String(body.properties.recoveryPointId ?? (await newestPointName(backup, vm)));
  let jobId = '';
  await backup.restores.beginTriggerAndWait(
    VAULT,
    VAULT_RG,
    'Azure',
    containerOf(vm),
    itemOf(vm),
    rpName,
    body as unknown as RestoreRequestResource,
    {
      updateIntervalInMs: 0,
      onResponse: (r) => {
        jobId = (r.parsedBody as { properties?: { jobId?: string } } | undefined)?.properties?.jobId ?? jobId;
      },
    },
  );
  if (jobId === '') throw new Error('No restore job id');
  return jobId;
}

interface RestoreJobView {
  status?: string;
  duration?: string;
  errorDetails?: { errorCode?: number; errorTitle?: string; errorString?: string }[];
}

async function restoreJob(sandbox: Sandbox, jobId: string): Promise<RestoreJobView> {
  return (await clients(sandbox).backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties as RestoreJobView;
}

/** A GET outside the SDKs (no Network SDK in the project): the sandbox's NIC resource. */
function getJson(sandbox: Sandbox, urlPath: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    https
      .get(`${sandbox.url}${urlPath}`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      })
      .on('error', reject);
  });
}

const IRIS = [{ name: 'IRIS', product: 'IRIS' as const, status: 'running' as const }];
const POINT = { existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' as const }] };

/** The restore is refused on the POST with a 400 ARM error. */
async function expectRefused(sandbox: Sandbox, vm: string, target: string, overrides: RestoreProps, text: RegExp) {
  const { backup } = clients(sandbox);
  const rp = await newestPointName(backup, vm);
  await expect(restore(sandbox, vm, restoreRequest(vm, rp, target, overrides), rp)).rejects.toMatchObject({
    statusCode: 400,
    code: 'BMSUserErrorInvalidInput',
    message: expect.stringMatching(text),
  });
}

describe('sandbox restore request validation', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [testVm('src', [], POINT), { ...testVm('taken', [], { protectedBy: undefined }), resourceGroup: DRILL_RG }],
        { backup: { ...drillNetwork(), restoreFromSnapshotMinutes: 10 } },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it.each<[string, RestoreProps, RegExp]>([
    ['no staging storage account', { storageAccountId: undefined }, /properties\.storageAccountId/],
    ['no virtual network', { virtualNetworkId: undefined }, /properties\.virtualNetworkId/],
    ['no subnet', { subnetId: undefined }, /properties\.subnetId/],
    ['no region', { region: '' }, /properties\.region/],
    ['no source', { sourceResourceId: undefined }, /properties\.sourceResourceId/],
    ['a subnet outside the network', { subnetId: subnetId('drillne') }, /subnet of properties\.virtualNetworkId/],
    ['another source VM', { sourceResourceId: vmIdOf('taken', DRILL_RG) }, /not the protected virtual machine/],
    [
      'a target resource group that is not the VM’s',
      { targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-other` },
      /resource group of targetVirtualMachineId/,
    ],
    ['a classic cloud service', { createNewCloudService: true }, /classic/],
    ['another recovery point id', { recoveryPointId: '1' }, /not the recovery point of the URL/],
    ['a storage id that is not a storage account', { storageAccountId: vnetId('drill') }, /storage account/],
  ])('refuses a request with %s: 400 BMSUserErrorInvalidInput', async (_what, overrides, text) => {
    await expectRefused(sandbox, 'src', 'drill-refused', overrides, text);
  });

  it('refuses a recovery type other than AlternateLocation with 400', async () => {
    await expectRefused(sandbox, 'src', 'drill-refused', { recoveryType: 'RestoreDisks' }, /AlternateLocation/);
  });

  it.each<[string, string, RestoreProps]>([
    ['another region', 'UserErrorRestoreRegionMismatch', { region: 'northeurope' }],
    [
      'a staging account that does not exist',
      'UserErrorStorageAccountNotFound',
      { storageAccountId: storageId('nope') },
    ],
    [
      'a staging account in another region',
      'UserErrorStorageAccountRegionMismatch',
      { storageAccountId: storageId('stagingne') },
    ],
    ['a ZRS staging account', 'UserErrorZRSStorageAccountNotSupported', { storageAccountId: storageId('stagingzrs') }],
    [
      'a GZRS staging account',
      'UserErrorZRSStorageAccountNotSupported',
      { storageAccountId: storageId('staginggzrs') },
    ],
    ['a subnet that does not exist', 'UserErrorSubnetNotFound', { subnetId: subnetId('drill', 'other') }],
    [
      'a subnet in another region',
      'UserErrorVirtualNetworkRegionMismatch',
      { virtualNetworkId: vnetId('drillne'), subnetId: subnetId('drillne') },
    ],
    [
      'a target resource group that does not exist',
      'UserErrorTargetResourceGroupNotFound',
      {
        targetVirtualMachineId: vmIdOf('drill-x', 'rg-nowhere'),
        targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-nowhere`,
      },
    ],
    [
      'the name of a VM in the target group',
      'UserErrorVmNameAlreadyExists',
      { targetVirtualMachineId: vmIdOf('taken', DRILL_RG) },
    ],
  ])('fails the restore job a minute in for %s (%s) and creates nothing', async (_what, code, overrides) => {
    const { backup, compute } = clients(sandbox);
    const rp = await newestPointName(backup, 'src');
    const target = `drill-${code.toLowerCase().slice(9, 30)}`;
    const jobId = await restore(sandbox, 'src', restoreRequest('src', rp, target, overrides));
    expect((await restoreJob(sandbox, jobId)).status).toBe('InProgress');
    sandbox.clock.advance(60_000);
    const job = await restoreJob(sandbox, jobId);
    expect(job).toMatchObject({ status: 'Failed', errorDetails: [{ errorTitle: code }] });
    expect(typeof job.errorDetails?.[0]?.errorCode).toBe('number');
    expect(job.errorDetails?.[0]?.errorString).not.toBe('');
    await expect(compute.virtualMachines.get(DRILL_RG, target)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('fails a second restore to a name another running restore is creating', async () => {
    const { backup, compute } = clients(sandbox);
    const rp = await newestPointName(backup, 'src');
    const first = await restore(sandbox, 'src', restoreRequest('src', rp, 'drill-dup'));
    const second = await restore(sandbox, 'src', restoreRequest('src', rp, 'drill-dup'));
    sandbox.clock.advance(60_000);
    expect(await restoreJob(sandbox, second)).toMatchObject({
      status: 'Failed',
      errorDetails: [{ errorTitle: 'UserErrorVmNameAlreadyExists' }],
    });
    sandbox.clock.advance(9 * 60_000);
    expect((await restoreJob(sandbox, first)).status).toBe('Completed');
    expect((await compute.virtualMachines.get(DRILL_RG, 'drill-dup')).name).toBe('drill-dup');
  });
});

describe('sandbox restore timing and the restored VM', () => {
  let sandbox: Sandbox;
  const scenario = (): Scenario =>
    testScenario(
      [
        testVm('snap', [], {
          irisInstances: IRIS,
          dataDisks: [{ lun: 0, sizeGb: 256 }],
          existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent', tiers: ['InstantRP', 'HardenedRP'] }],
        }),
        testVm('vault', [], {
          existingRecoveryPoints: [{ ageHours: 96, type: 'AppConsistent', tiers: ['HardenedRP'] }],
        }),
      ],
      {
        backup: {
          ...drillNetwork(),
          restoreFromSnapshotMinutes: 10,
          restoreFromVaultMinutes: 60,
          restoredVmBootMinutes: 2,
          restoredVmAgentMinutes: 3,
        },
      },
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: scenario() });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const powerAndAgent = async (vm: string): Promise<[string | undefined, string | undefined]> => {
    const view = await clients(sandbox).compute.virtualMachines.instanceView(DRILL_RG, vm);
    return [
      view.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code,
      view.vmAgent?.statuses?.[0]?.displayStatus,
    ];
  };

  it('restores from the snapshot tier in 10 minutes and from the vault tier in 60, then boots the VM', async () => {
    const { backup, compute } = clients(sandbox);
    const snapRp = await newestPointName(backup, 'snap');
    const vaultRp = await newestPointName(backup, 'vault');
    const snapJob = await restore(sandbox, 'snap', restoreRequest('snap', snapRp, 'snap-drill'));
    const vaultJob = await restore(sandbox, 'vault', restoreRequest('vault', vaultRp, 'vault-drill'));

    sandbox.clock.advance(9 * 60_000);
    expect((await restoreJob(sandbox, snapJob)).status).toBe('InProgress');
    sandbox.clock.advance(60_000);
    expect(await restoreJob(sandbox, snapJob)).toMatchObject({ status: 'Completed', duration: 'PT10M0S' });
    expect((await restoreJob(sandbox, vaultJob)).status).toBe('InProgress');
    await expect(compute.virtualMachines.get(DRILL_RG, 'vault-drill')).rejects.toMatchObject({ statusCode: 404 });

    // Created with the job: starting, its agent not ready.
    const vm = await compute.virtualMachines.get(DRILL_RG, 'snap-drill', { expand: 'instanceView' });
    expect(vm.instanceView?.statuses?.map((s) => s.code)).toEqual([
      'ProvisioningState/succeeded',
      'PowerState/starting',
    ]);
    expect(vm.instanceView?.vmAgent?.statuses?.[0]).toMatchObject({ displayStatus: 'Not Ready', level: 'Warning' });
    expect(await powerAndAgent('snap-drill')).toEqual(['PowerState/starting', 'Not Ready']);
    sandbox.clock.advance(2 * 60_000);
    expect(await powerAndAgent('snap-drill')).toEqual(['PowerState/running', 'Not Ready']);
    sandbox.clock.advance(2 * 60_000);
    expect(await powerAndAgent('snap-drill')).toEqual(['PowerState/running', 'Not Ready']);
    sandbox.clock.advance(60_000);
    expect(await powerAndAgent('snap-drill')).toEqual(['PowerState/running', 'Ready']);

    sandbox.clock.advance(44 * 60_000);
    expect((await restoreJob(sandbox, vaultJob)).status).toBe('InProgress');
    sandbox.clock.advance(60_000);
    expect(await restoreJob(sandbox, vaultJob)).toMatchObject({ status: 'Completed', duration: 'PT1H0S' });
    expect(await powerAndAgent('vault-drill')).toEqual(['PowerState/starting', 'Not Ready']);
  });

  it('gives the restored VM no tags, restored OS and data disks in the target group and a NIC with a private IP only', async () => {
    const { compute } = clients(sandbox);
    const vm = await compute.virtualMachines.get(DRILL_RG, 'snap-drill');
    expect(vm.tags).toEqual({});
    expect(vm.location).toBe(LOCATION);
    const os = vm.storageProfile?.osDisk;
    expect(os).toMatchObject({ createOption: 'Attach', osType: 'Linux' });
    expect(vm.storageProfile?.imageReference).toBeUndefined();
    expect(os?.managedDisk?.id).toContain(
      `/resourceGroups/${DRILL_RG}/providers/Microsoft.Compute/disks/snap-drill-osdisk-`,
    );
    const data = vm.storageProfile?.dataDisks ?? [];
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ lun: 0, createOption: 'Attach', diskSizeGB: 256 });
    const dataDisk = await compute.disks.get(DRILL_RG, data[0]?.name ?? '');
    expect(dataDisk).toMatchObject({ managedBy: vm.id, diskState: 'Attached', diskSizeGB: 256 });

    const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id ?? '';
    const nicName = nicId.split('/').pop() ?? '';
    expect(nicId).toContain(`/resourceGroups/${DRILL_RG}/providers/Microsoft.Network/networkInterfaces/`);
    const nicBody = (await getJson(sandbox, `${nicId}?api-version=2024-05-01`)) as {
      properties: { ipConfigurations: { properties: Record<string, unknown> }[] };
    };
    const ip = nicBody.properties.ipConfigurations[0]?.properties ?? {};
    expect(nicName).toBe('snap-drill-nic');
    expect(ip).toMatchObject({ privateIPAllocationMethod: 'Dynamic', subnet: { id: subnetId('drill') } });
    expect(String(ip.privateIPAddress)).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(ip.publicIPAddress).toBeUndefined();
  });

  it('boots IRIS down on the restored copy with its database directories present', () => {
    const root = sandbox.vmRoot(vmIdOf('snap-drill', DRILL_RG));
    const iris = readIrisInstance(root, 'IRIS');
    expect(iris).toMatchObject({ status: 'down', frozen: false });
    for (const db of iris?.databases ?? []) expect(fs.existsSync(path.join(root, db, 'IRIS.DAT'))).toBe(true);
  });
});

describe('sandbox backup phase ranges (latency model)', () => {
  let sandbox: Sandbox;
  const names = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [...names.map((n) => testVm(n, [])), testVm('fixed', [], { backup: { durationMinutes: 7 } })],
        { backup: { snapshotMinutes: { min: 5, max: 25 }, transferMinutes: { min: 30, max: 90 } } },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** Snapshot and total minutes of each VM's backup job, read from the jobs' tasks once they are done. */
  async function phases(): Promise<Map<string, { snapshot: number; total: number }>> {
    const { backup } = clients(sandbox);
    const ids = new Map<string, string>();
    for (const vm of [...names, 'fixed']) ids.set(vm, (await triggerBackup(sandbox, vm)).jobId);
    await sandbox.idle();
    sandbox.clock.advance(200 * 60_000);
    const out = new Map<string, { snapshot: number; total: number }>();
    const minutes = (iso: string | undefined): number => {
      const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso ?? '');
      return Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0) + Number(m?.[3] ?? 0) / 60;
    };
    for (const [vm, id] of ids) {
      const job = (await backup.jobDetails.get(VAULT, VAULT_RG, id)).properties as {
        duration?: string;
        extendedInfo?: { tasksList?: { duration?: string }[] };
      };
      out.set(vm, { snapshot: minutes(job.extendedInfo?.tasksList?.[0]?.duration), total: minutes(job.duration) });
    }
    return out;
  }

  it('draws each VM’s snapshot and transfer minutes in the ranges, deterministically by VM name', async () => {
    const first = await phases();
    for (const vm of names) {
      const p = first.get(vm);
      expect(p?.snapshot).toBeGreaterThanOrEqual(5);
      expect(p?.snapshot).toBeLessThanOrEqual(25);
      expect((p?.total ?? 0) - (p?.snapshot ?? 0)).toBeGreaterThanOrEqual(30 - 1 / 60);
      expect((p?.total ?? 0) - (p?.snapshot ?? 0)).toBeLessThanOrEqual(90 + 1 / 60);
    }
    expect(new Set(names.map((vm) => Math.round(first.get(vm)?.snapshot ?? 0))).size).toBeGreaterThan(1);
    // A VM's own durationMinutes wins over the scenario's range.
    expect(first.get('fixed')?.snapshot).toBeCloseTo(7, 3);
    const second = await phases();
    for (const vm of names) {
      expect(second.get(vm)?.snapshot).toBeCloseTo(first.get(vm)?.snapshot ?? -1, 3);
      expect(second.get(vm)?.total).toBeCloseTo(first.get(vm)?.total ?? -1, 3);
    }
  });
});
