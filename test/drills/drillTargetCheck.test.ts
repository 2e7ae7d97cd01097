import { checkDrillTarget, type DrillTargetFacts } from '../../src/shared/drills/drillTargetCheck';
import type { DrillTargetSettings } from '../../src/shared/drills/drillPolicy';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const PROD_VNET = `${SUB}/resourceGroups/iris-rg/providers/Microsoft.Network/virtualNetworks/prod-vnet`;
const DRILL_VNET = `${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/drill-vnet`;
const TARGET: DrillTargetSettings = {
  resourceGroupId: `${SUB}/resourceGroups/rg-drill`,
  subnetId: `${DRILL_VNET}/subnets/drill`,
  stagingStorageAccountId: `${SUB}/resourceGroups/rg-drill/providers/Microsoft.Storage/storageAccounts/staging`,
};
const facts = (over: Partial<DrillTargetFacts> = {}): DrillTargetFacts => ({
  sourceVmId: `${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-1`,
  sourceRegion: 'westeurope',
  sourceNics: [{ id: 'nic', subnetId: `${PROD_VNET}/subnets/default` }],
  drillSubnet: { id: TARGET.subnetId, virtualNetworkId: DRILL_VNET, location: 'West Europe', peeredNetworkIds: [] },
  stagingAccount: { id: TARGET.stagingStorageAccountId, location: 'westeurope', skuName: 'Standard_LRS' },
  ...over,
});
const reasons = (target: DrillTargetSettings, f: DrillTargetFacts): string[] => {
  const v = checkDrillTarget(target, f);
  return v.ok ? [] : v.reasons;
};

describe('checkDrillTarget', () => {
  it('an isolated network in the vault’s region, an LRS staging account: ok', () => {
    expect(checkDrillTarget(TARGET, facts())).toEqual({ ok: true });
  });

  it.each<[string, DrillTargetSettings, DrillTargetFacts, RegExp, string]>([
    [
      'the drill subnet in the source VM’s virtual network',
      { ...TARGET, subnetId: `${PROD_VNET.toUpperCase()}/subnets/drill` },
      facts(),
      /source VM's virtual network/,
      'IBG_DRILL_SUBNET_ID',
    ],
    [
      'the drill resource group is the source VM’s own',
      { ...TARGET, resourceGroupId: `${SUB}/resourceGroups/IRIS-RG` },
      facts(),
      /the drill resource group is the source VM's own/,
      'IBG_DRILL_RESOURCE_GROUP_ID',
    ],
    [
      'a drill network peered with the source VM’s',
      TARGET,
      facts({
        drillSubnet: {
          id: TARGET.subnetId,
          virtualNetworkId: DRILL_VNET,
          location: 'westeurope',
          peeredNetworkIds: [`${PROD_VNET}/`],
        },
      }),
      /peered/,
      'IBG_DRILL_SUBNET_ID',
    ],
    [
      'a drill subnet in another region',
      TARGET,
      facts({
        drillSubnet: {
          id: TARGET.subnetId,
          virtualNetworkId: DRILL_VNET,
          location: 'northeurope',
          peeredNetworkIds: [],
        },
      }),
      /northeurope/,
      'IBG_DRILL_SUBNET_ID',
    ],
    [
      'a staging account in another region',
      TARGET,
      facts({ stagingAccount: { id: TARGET.stagingStorageAccountId, location: 'eastus', skuName: 'Standard_LRS' } }),
      /eastus/,
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    ],
    [
      'a ZRS staging account',
      TARGET,
      facts({
        stagingAccount: { id: TARGET.stagingStorageAccountId, location: 'westeurope', skuName: 'Standard_ZRS' },
      }),
      /zone-redundant/,
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    ],
    [
      'a GZRS staging account',
      TARGET,
      facts({
        stagingAccount: { id: TARGET.stagingStorageAccountId, location: 'westeurope', skuName: 'Standard_RAGZRS' },
      }),
      /zone-redundant/,
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    ],
    ['a missing subnet', TARGET, facts({ drillSubnet: undefined }), /does not exist/, 'IBG_DRILL_SUBNET_ID'],
    [
      'a missing staging account',
      TARGET,
      facts({ stagingAccount: undefined }),
      /does not exist/,
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    ],
    [
      'a subnet setting that is not a subnet id',
      { ...TARGET, subnetId: 'drill' },
      facts(),
      /subnet id/,
      'IBG_DRILL_SUBNET_ID',
    ],
    [
      'a resource group setting that is not one',
      { ...TARGET, resourceGroupId: '' },
      facts(),
      /resource group id/,
      'IBG_DRILL_RESOURCE_GROUP_ID',
    ],
  ])('refuses %s, naming the setting to fix', (_name, target, f, what, setting) => {
    const r = reasons(target, f);
    expect(r.length).toBeGreaterThan(0);
    const hit = r.find((x) => what.test(x));
    expect(hit).toBeDefined();
    expect(hit).toContain(setting);
  });

  it.each<[string, DrillTargetFacts['sourceNics']]>([
    ['no NIC', []],
    ['a NIC that could not be read', [undefined]],
    ['a NIC without a subnet', [{ id: 'nic' }]],
  ])('refuses when the source network cannot be read (%s): isolation cannot be shown', (_name, nics) => {
    const r = reasons(TARGET, facts({ sourceNics: nics }));
    expect(r.join(' ')).toMatch(/source VM's network could not be read/);
  });

  it('one reason per problem (no duplicates for two NICs in one network)', () => {
    const nic = { id: 'nic', subnetId: `${DRILL_VNET}/subnets/other` };
    const r = reasons(TARGET, facts({ sourceNics: [nic, { ...nic, id: 'nic2' }] }));
    expect(r).toHaveLength(1);
  });
});
