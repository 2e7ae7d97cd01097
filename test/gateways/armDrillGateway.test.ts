/**
 * The drill gateway and BackupGateway.triggerRestore through the real SDK clients (compute, network 33.4.0, storage,
 * recovery services) built by createGateways, against the sandbox: a restored VM read over the sandbox clock, tag
 * merges, guarded deletes (and the refusals that leave the resource in place), network and storage reads.
 */
import { type Sandbox, type Scenario, startSandbox } from '../../sandbox';
import type { ProtectedVm } from '../../src/shared/azure/backupGateway';
import type { DrillScope } from '../../src/shared/azure/drillResources';
import { loadSettings } from '../../src/shared/config/settings';
import { DRILL_TAG_MANAGED_BY, DRILL_TAG_RUN, MANAGED_BY_VALUE } from '../../src/shared/drills/drillTags';
import { isAppError } from '../../src/shared/errors/appError';
import { createGateways, type Gateways } from '../../src/shared/gateways/createGateways';
import { LOCATION, SUB, VAULT, VAULT_RG, VM_RG, testScenario, testVm, vmIdOf } from '../sandbox/sandboxFixtures';

const DRILL_RG = 'rg-drill';
const RG_ID = (rg: string): string => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const NET = (rg: string, vnet: string): string => `${RG_ID(rg)}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
const STORAGE = (name: string): string => `${RG_ID(DRILL_RG)}/providers/Microsoft.Storage/storageAccounts/${name}`;
const DRILL_SUBNET = `${NET(DRILL_RG, 'vnet-drill')}/subnets/default`;
const SCOPE: DrillScope = { resourceGroupId: RG_ID(DRILL_RG) };
const DRILL_TAGS = { [DRILL_TAG_MANAGED_BY]: MANAGED_BY_VALUE, [DRILL_TAG_RUN]: 'run-42' };

const scenario = (): Scenario =>
  testScenario(
    [
      testVm('src', [], {
        existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' }],
        dataDisks: [{ lun: 0, sizeGb: 64 }],
      }),
    ],
    {
      backup: {
        restoreFromSnapshotMinutes: 10,
        restoredVmBootMinutes: 2,
        restoredVmAgentMinutes: 3,
        storageAccounts: [
          { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'staging', location: LOCATION, sku: 'Standard_LRS' },
          { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'stagingzrs', location: LOCATION, sku: 'Standard_ZRS' },
        ],
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
            peeredWith: ['vnet-hub'],
          },
          { subscriptionId: SUB, resourceGroup: 'rg-hub', name: 'vnet-hub', location: LOCATION, subnets: ['gw'] },
        ],
      },
    },
  );

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

const refusal = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (e) {
    if (isAppError(e) && e.code === 'DRILL_DELETE_REFUSED') return e.message;
    throw e;
  }
  throw new Error('the delete was not refused');
};

describe('ArmDrillGateway and triggerRestore against the sandbox (real SDK clients)', () => {
  let sandbox: Sandbox;
  let gateways: Gateways;
  let source: ProtectedVm;
  const drillVmId = vmIdOf('src-drill', DRILL_RG);

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: scenario() });
    gateways = createGateways(
      loadSettings({
        IBG_VAULT_IDS: `${RG_ID(VAULT_RG)}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`,
        IBG_ENROLL_TAG: 'app=iris',
        IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_ARM_ENDPOINT: sandbox.url,
        IBG_POLL_INTERVAL_MS: '0',
      }),
      sandbox.credential,
      { warn: () => undefined },
    );
    const vault = {
      id: `${RG_ID(VAULT_RG)}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`,
      subscriptionId: SUB,
      resourceGroup: VAULT_RG,
      name: VAULT,
    };
    const items = await collect(gateways.backup.listProtectedVms(vault));
    const found = items.find((i) => i.vmName === 'src');
    if (!found) throw new Error('no protected item for src');
    source = found;
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('triggers an AlternateLocation restore, and the operation gives the restore job', async () => {
    const [point] = await collect(gateways.backup.listRecoveryPoints(source));
    const { operationId } = await gateways.backup.triggerRestore(source, {
      recoveryPointName: point?.name ?? '',
      sourceVmId: source.vmId,
      targetVmId: drillVmId,
      targetResourceGroupId: RG_ID(DRILL_RG),
      storageAccountId: STORAGE('staging'),
      virtualNetworkId: NET(DRILL_RG, 'vnet-drill'),
      subnetId: DRILL_SUBNET,
      region: LOCATION,
    });
    const operation = await gateways.backup.getBackupOperation(source, operationId);
    expect(operation.jobId).toBeTruthy();
    const running = await gateways.backup.getJob(source.vault, operation.jobId ?? '');
    expect(running).toMatchObject({ operation: 'Restore', status: 'InProgress' });
    sandbox.clock.advance(10 * 60_000);
    expect(await gateways.backup.getJob(source.vault, operation.jobId ?? '')).toMatchObject({ status: 'Completed' });
  });

  it('keeps Azure message for a restore request Azure rejects (400 BMSUserErrorInvalidInput)', async () => {
    const [point] = await collect(gateways.backup.listRecoveryPoints(source));
    const attempt = gateways.backup.triggerRestore(source, {
      recoveryPointName: point?.name ?? '',
      sourceVmId: source.vmId,
      targetVmId: vmIdOf('src-drill2', DRILL_RG),
      targetResourceGroupId: RG_ID('rg-other'),
      storageAccountId: STORAGE('staging'),
      virtualNetworkId: NET(DRILL_RG, 'vnet-drill'),
      subnetId: DRILL_SUBNET,
      region: LOCATION,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      serviceCode: 'BMSUserErrorInvalidInput',
      message: expect.stringContaining('targetResourceGroupId must be the resource group of targetVirtualMachineId'),
    });
  });

  it('reads the restored VM: disks, NIC, power state and agent readiness over the sandbox clock', async () => {
    const starting = await gateways.drills.getDrillVm(drillVmId);
    expect(starting).toMatchObject({ powerState: 'starting', agentReady: false, vm: { kind: 'vm', tags: {} } });
    expect(starting?.diskIds).toHaveLength(2);
    expect(starting?.nicIds).toEqual([expect.stringContaining(`/resourceGroups/${DRILL_RG}/`)]);
    sandbox.clock.advance(2 * 60_000);
    expect(await gateways.drills.getDrillVm(drillVmId)).toMatchObject({ powerState: 'running', agentReady: false });
    sandbox.clock.advance(3 * 60_000);
    expect(await gateways.drills.getDrillVm(drillVmId)).toMatchObject({ powerState: 'running', agentReady: true });
    expect(await gateways.drills.getDrillVm(vmIdOf('nope', DRILL_RG))).toBeUndefined();

    const nic = await gateways.drills.getNic(starting?.nicIds[0] ?? '');
    expect(nic?.subnetId).toBe(DRILL_SUBNET);
    expect(nic?.privateIpAddress).toMatch(/^10\.\d+\.0\.\d+$/);
  });

  it('reads subnets with their network region and peerings, and storage accounts', async () => {
    expect(await gateways.drills.getSubnet(DRILL_SUBNET)).toEqual({
      id: DRILL_SUBNET,
      virtualNetworkId: NET(DRILL_RG, 'vnet-drill'),
      location: LOCATION,
      peeredNetworkIds: [],
    });
    // The source VM's NIC is in the production network, which is peered with the hub.
    const sourceVm = await gateways.compute.getVm(vmIdOf('src'));
    const sourceNic = await gateways.drills.getNic(sourceVm?.nicIds[0] ?? '');
    expect(sourceNic?.subnetId).toBe(`${NET(VM_RG, 'vnet-prod')}/subnets/default`);
    expect(await gateways.drills.getSubnet(sourceNic?.subnetId ?? '')).toMatchObject({
      virtualNetworkId: NET(VM_RG, 'vnet-prod'),
      peeredNetworkIds: [NET('rg-hub', 'vnet-hub')],
    });
    expect((await gateways.drills.getSubnet(`${NET('rg-hub', 'vnet-hub')}/subnets/gw`))?.peeredNetworkIds).toEqual([
      NET(VM_RG, 'vnet-prod'),
    ]);
    expect(await gateways.drills.getSubnet(`${NET(DRILL_RG, 'vnet-drill')}/subnets/none`)).toBeUndefined();
    expect(await gateways.drills.getSubnet(`${NET(DRILL_RG, 'vnet-none')}/subnets/default`)).toBeUndefined();

    expect(await gateways.drills.getStorageAccount(STORAGE('staging'))).toEqual({
      id: STORAGE('staging'),
      location: LOCATION,
      skuName: 'Standard_LRS',
    });
    expect((await gateways.drills.getStorageAccount(STORAGE('stagingzrs')))?.skuName).toBe('Standard_ZRS');
    expect(await gateways.drills.getStorageAccount(STORAGE('absent'))).toBeUndefined();
  });

  it('lists the VM, disks and NIC of the drill resource group', async () => {
    const resources = await collect(gateways.drills.listResources(RG_ID(DRILL_RG)));
    expect(resources.map((r) => r.kind).sort()).toEqual(['disk', 'disk', 'nic', 'vm']);
    const disk = resources.find((r) => r.kind === 'disk');
    expect(disk?.attachedTo?.toLowerCase()).toBe(drillVmId.toLowerCase());
    expect(disk?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(resources.find((r) => r.kind === 'nic')?.attachedTo?.toLowerCase()).toBe(drillVmId.toLowerCase());
  });

  it('refuses to delete, and leaves in place: untagged drill-named, half-tagged, and out-of-scope resources', async () => {
    const drill = await gateways.drills.getDrillVm(drillVmId);
    const nicId = drill?.nicIds[0] ?? '';
    const diskId = drill?.diskIds[0] ?? '';
    // Untagged, in the drill resource group, named as the restore names its resources.
    expect(await refusal(gateways.drills.deleteDrillResource('vm', drillVmId, SCOPE))).toMatch(
      /no tag ibg-managed-by\. Nothing was deleted\./,
    );
    expect(await refusal(gateways.drills.deleteDrillResource('disk', diskId, SCOPE))).toContain('Nothing was deleted');
    // Only one of the two tags.
    await gateways.drills.addTags('nic', nicId, { [DRILL_TAG_MANAGED_BY]: MANAGED_BY_VALUE });
    expect(await refusal(gateways.drills.deleteDrillResource('nic', nicId, SCOPE))).toContain('ibg-drill-run');
    await gateways.drills.addTags('disk', diskId, { [DRILL_TAG_RUN]: 'run-42' });
    expect(await refusal(gateways.drills.deleteDrillResource('disk', diskId, SCOPE))).toContain('ibg-managed-by');
    // Fully tagged, but in the production resource group.
    const sourceVm = await gateways.compute.getVm(vmIdOf('src'));
    const sourceNic = sourceVm?.nicIds[0] ?? '';
    await gateways.drills.addTags('nic', sourceNic, DRILL_TAGS);
    expect(await refusal(gateways.drills.deleteDrillResource('nic', sourceNic, SCOPE))).toContain(
      `resource group ${VM_RG}`,
    );
    // A look-alike scope does not reach the drill group either.
    const lookAlike = { resourceGroupId: RG_ID('rg-drill2') };
    await gateways.drills.addTags('vm', drillVmId, DRILL_TAGS);
    expect(await refusal(gateways.drills.deleteDrillResource('vm', drillVmId, lookAlike))).toContain('not the drill');

    expect(await gateways.drills.getNic(nicId)).toBeDefined();
    expect(await gateways.drills.getNic(sourceNic)).toBeDefined();
    expect(await gateways.drills.getDrillVm(drillVmId)).toBeDefined();
    expect((await collect(gateways.drills.listResources(RG_ID(DRILL_RG)))).length).toBe(4);
  });

  it('adds tags without dropping the others', async () => {
    const drill = await gateways.drills.getDrillVm(drillVmId);
    const nicId = drill?.nicIds[0] ?? '';
    await gateways.drills.addTags('nic', nicId, { [DRILL_TAG_RUN]: 'run-42' });
    await gateways.drills.addTags('nic', nicId, { extra: 'kept' });
    const nic = (await collect(gateways.drills.listResources(RG_ID(DRILL_RG)))).find((r) => r.kind === 'nic');
    expect(nic?.tags).toEqual({ ...DRILL_TAGS, extra: 'kept' });
    await gateways.drills.addTags('vm', drillVmId, { [DRILL_TAG_RUN]: 'run-43' });
    expect((await gateways.drills.getDrillVm(drillVmId))?.vm.tags).toEqual({
      ...DRILL_TAGS,
      [DRILL_TAG_RUN]: 'run-43',
    });
    await expect(
      gateways.drills.addTags('disk', `${RG_ID(DRILL_RG)}/providers/Microsoft.Compute/disks/none`, DRILL_TAGS),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('deletes tagged drill resources in scope: the VM first (an attached disk cannot go), then its disks and NIC', async () => {
    const drill = await gateways.drills.getDrillVm(drillVmId);
    const [osDisk, dataDisk] = drill?.diskIds ?? [];
    const nicId = drill?.nicIds[0] ?? '';
    for (const id of [osDisk, dataDisk]) await gateways.drills.addTags('disk', id ?? '', DRILL_TAGS);
    await expect(gateways.drills.deleteDrillResource('disk', osDisk ?? '', SCOPE)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await gateways.drills.deleteDrillResource('vm', drillVmId, SCOPE)).toBe('deleted');
    expect(await gateways.drills.getDrillVm(drillVmId)).toBeUndefined();
    for (const id of [osDisk, dataDisk])
      expect(await gateways.drills.deleteDrillResource('disk', id ?? '', SCOPE)).toBe('deleted');
    expect(await gateways.drills.deleteDrillResource('nic', nicId, SCOPE)).toBe('deleted');
    expect(await gateways.drills.getNic(nicId)).toBeUndefined();
    expect(await collect(gateways.drills.listResources(RG_ID(DRILL_RG)))).toEqual([]);
    expect(await gateways.drills.deleteDrillResource('nic', nicId, SCOPE)).toBe('absent');
    // The production NIC, tagged but out of scope, is still there.
    const sourceVm = await gateways.compute.getVm(vmIdOf('src'));
    expect(await gateways.drills.getNic(sourceVm?.nicIds[0] ?? '')).toBeDefined();
  });
});
