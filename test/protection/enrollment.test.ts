import type { ProtectedVm } from '../../src/shared/azure/backupGateway';
import type { VmInfo } from '../../src/shared/azure/vmCommandGateway';
import { decideEnrollment } from '../../src/shared/protection/enrollment';

const SUB = '00000000-0000-0000-0000-000000000001';
const vmId = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;
const vault = {
  id: `/subscriptions/${SUB}/resourceGroups/b/providers/Microsoft.RecoveryServices/vaults/v`,
  subscriptionId: SUB,
  resourceGroup: 'b',
  name: 'v',
};
const item = (name: string, id = vmId(name)): ProtectedVm => ({
  vault,
  vmId: id,
  vmName: name,
  containerName: `IaasVMContainer;iaasvmcontainerv2;rg;${name}`,
  protectedItemName: `VM;iaasvmcontainerv2;rg;${name}`,
});
const info = (name: string, tags: Record<string, string>): VmInfo => ({
  id: vmId(name),
  name,
  location: 'x',
  tags,
  nicIds: [],
  diskIds: [],
});
const TAG = { name: 'iris-backup-guard', value: 'enabled' };

describe('decideEnrollment', () => {
  it('enrols protected VMs that are tagged or listed, and reports the rest', () => {
    const e = decideEnrollment({
      protectedVms: [item('a'), item('b'), item('c'), item('d')],
      vms: [
        info('a', { 'iris-backup-guard': 'enabled' }),
        info('b', { 'IRIS-Backup-Guard': 'enabled' }),
        info('c', { 'iris-backup-guard': 'Enabled' }),
        info('t', { 'iris-backup-guard': 'enabled' }),
      ],
      tag: TAG,
      // Listed in another letter case: ARM ids are case-insensitive.
      listedVmIds: [vmId('D').toUpperCase(), vmId('b'), vmId('nowhere')],
    });
    expect(e.enrolled.map((x) => [x.item.vmName, x.via])).toEqual([
      ['a', 'tag'],
      ['b', 'tag-and-list'],
      ['d', 'list'],
    ]);
    expect(e.taggedNotProtected).toEqual([vmId('t')]);
    expect(e.listedNotProtected).toEqual([vmId('nowhere')]);
    expect(e.protectedTwice).toEqual([]);
  });

  it('without a tag only listed VMs are enrolled', () => {
    const e = decideEnrollment({ protectedVms: [item('a'), item('b')], vms: [], listedVmIds: [vmId('b')] });
    expect(e.enrolled.map((x) => x.item.vmName)).toEqual(['b']);
  });

  it('a VM protected by two vaults is enrolled once and reported', () => {
    const e = decideEnrollment({
      protectedVms: [item('a'), { ...item('a'), vault: { ...vault, name: 'w' } }],
      vms: [],
      listedVmIds: [vmId('a')],
    });
    expect(e.enrolled).toHaveLength(1);
    expect(e.enrolled[0]?.item.vault.name).toBe('v');
    expect(e.protectedTwice).toEqual([vmId('a')]);
  });
});

describe('decideEnrollment after a failed listing', () => {
  const SUB2 = '00000000-0000-0000-0000-000000000002';
  const otherVmId = (name: string): string => vmId(name).replace(SUB, SUB2);

  it("a subscription whose vault could not be read: its tagged and listed VMs are undecided, not 'not protected'", () => {
    const e = decideEnrollment({
      protectedVms: [item('a')],
      vms: [info('a', { 'iris-backup-guard': 'enabled' }), info('t', { 'iris-backup-guard': 'enabled' })],
      tag: TAG,
      listedVmIds: [vmId('l'), otherVmId('elsewhere')],
      unreadVaultSubscriptions: [SUB.toUpperCase()],
    });
    expect(e.enrolled.map((x) => x.item.vmName)).toEqual(['a']);
    expect(e.undecided).toEqual([vmId('t'), vmId('l')]);
    expect(e.taggedNotProtected).toEqual([]);
    // Another subscription's vaults were read: that VM really is unprotected.
    expect(e.listedNotProtected).toEqual([otherVmId('elsewhere')]);
  });

  it('a subscription whose VMs could not be listed: its protected VMs are undecided unless listed explicitly', () => {
    const e = decideEnrollment({
      protectedVms: [item('a'), item('b')],
      vms: [],
      tag: TAG,
      listedVmIds: [vmId('b')],
      unreadVmSubscriptions: [SUB],
    });
    expect(e.enrolled.map((x) => x.item.vmName)).toEqual(['b']);
    expect(e.undecided).toEqual([vmId('a')]);
  });
});
