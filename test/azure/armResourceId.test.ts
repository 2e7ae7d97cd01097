import {
  formatSubnetId,
  formatVaultId,
  formatVmId,
  parseResourceGroupId,
  parseStorageAccountId,
  parseSubnetId,
  parseVaultId,
  parseVmId,
  sameResourceId,
} from '../../src/shared/azure/armResourceId';

const SUB = '00000000-0000-0000-0000-000000000000';

describe('armResourceId', () => {
  it.each([
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`, 'vm1'],
    [`/SUBSCRIPTIONS/${SUB}/resourcegroups/rg/PROVIDERS/microsoft.compute/VIRTUALMACHINES/vm1/`, 'vm1'],
    [`  /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1  `, 'vm1'],
  ])('parses VM id %j', (id, name) => {
    expect(parseVmId(id)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg', name });
  });

  it.each([
    ['empty', ''],
    ['a name', 'vm1'],
    ['a vault id', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v`],
    [
      'a child resource',
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/extensions/x`,
    ],
    ['a missing name', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/`],
    ['whitespace inside', `/subscriptions/${SUB}/resourceGroups/r g/providers/Microsoft.Compute/virtualMachines/vm1`],
  ])('rejects %s as a VM id', (_case, id) => expect(parseVmId(id)).toBeUndefined());

  it('round-trips vault, VM and subnet ids in canonical spelling', () => {
    const vault = parseVaultId(
      `/Subscriptions/${SUB}/resourceGroups/rg/providers/microsoft.recoveryservices/vaults/v1`,
    );
    expect(vault && formatVaultId(vault)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1`,
    );
    const vm = parseVmId(`/subscriptions/${SUB}/resourcegroups/rg/providers/Microsoft.Compute/virtualmachines/VM1`);
    expect(vm && formatVmId(vm)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM1`,
    );
    const subnet = parseSubnetId(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net/subnets/sn`,
    );
    expect(subnet).toEqual({ subscriptionId: SUB, resourceGroup: 'rg', virtualNetwork: 'net', name: 'sn' });
    expect(subnet && formatSubnetId(subnet)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/net/subnets/sn`,
    );
  });

  it('parses resource group and storage account ids', () => {
    expect(parseResourceGroupId(`/subscriptions/${SUB}/resourceGroups/rg`)).toEqual({
      subscriptionId: SUB,
      resourceGroup: 'rg',
    });
    expect(parseResourceGroupId(`/subscriptions/${SUB}/resourceGroups/rg/providers/x`)).toBeUndefined();
    expect(
      parseStorageAccountId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`),
    ).toEqual({ subscriptionId: SUB, resourceGroup: 'rg', name: 'st' });
  });

  it('compares ids case-insensitively', () => {
    expect(sameResourceId('/subscriptions/A/resourceGroups/RG', '/SUBSCRIPTIONS/a/resourcegroups/rg/')).toBe(true);
    expect(sameResourceId('/subscriptions/a/resourceGroups/rg1', '/subscriptions/a/resourceGroups/rg2')).toBe(false);
  });
});
