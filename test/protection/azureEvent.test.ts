import { parseAzureEvent } from '../../src/shared/protection/azureEvent';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const VAULT = `${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`;
const ITEM = `${VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg-iris;iris-a/protectedItems/VM;iaasvmcontainerv2;rg-iris;iris-a`;
const VM = `${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/iris-a`;
const grid = (eventType: string, data: Record<string, unknown>, subject = '') => ({
  id: 'e1',
  eventType,
  eventTime: '2026-03-10T01:31:00Z',
  subject,
  data,
  dataVersion: '2',
  metadataVersion: '1',
});

describe('parseAzureEvent', () => {
  it.each<[string, unknown, unknown]>([
    [
      'backup action (Event Grid schema)',
      grid('Microsoft.Resources.ResourceActionSuccess', {
        resourceUri: `${ITEM}/backup`,
        operationName:
          'Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
      }),
      {
        kind: 'backup-triggered',
        id: 'e1',
        at: '2026-03-10T01:31:00Z',
        resourceUri: `${ITEM}/backup`,
        vaultId: VAULT,
        vmName: 'iris-a',
      },
    ],
    [
      'backup action (CloudEvents schema, subject only)',
      {
        id: 'c1',
        type: 'Microsoft.Resources.ResourceActionSuccess',
        time: 't',
        subject: ITEM,
        data: {
          operationName:
            'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
        },
      },
      { kind: 'backup-triggered', id: 'c1', at: 't', resourceUri: ITEM, vaultId: VAULT, vmName: 'iris-a' },
    ],
    [
      'VM write',
      grid('Microsoft.Resources.ResourceWriteSuccess', {
        resourceUri: VM,
        operationName: 'Microsoft.Compute/virtualMachines/write',
      }),
      { kind: 'vm-written', id: 'e1', at: '2026-03-10T01:31:00Z', vmId: VM },
    ],
    [
      'another action',
      grid('Microsoft.Resources.ResourceActionSuccess', {
        resourceUri: VM,
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
      }),
      { kind: 'ignored', id: 'e1', reason: 'action Microsoft.Compute/virtualMachines/restart/action is not a backup' },
    ],
    [
      'a storage write',
      grid('Microsoft.Resources.ResourceWriteSuccess', {
        resourceUri: `${SUB}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/s`,
        operationName: 'Microsoft.Storage/storageAccounts/write',
      }),
      { kind: 'ignored', id: 'e1', reason: 'write Microsoft.Storage/storageAccounts/write is not a VM' },
    ],
    [
      'a delete',
      grid('Microsoft.Resources.ResourceDeleteSuccess', {}),
      { kind: 'ignored', id: 'e1', reason: 'event type Microsoft.Resources.ResourceDeleteSuccess is not handled' },
    ],
    ['no type', { id: 'x' }, { kind: 'ignored', id: 'x', reason: 'no event type' }],
    ['null', null, { kind: 'ignored', id: '', reason: 'not an event object' }],
    ['an array', [1, 2], { kind: 'ignored', id: '', reason: 'not an event object' }],
    ['wrong types', { id: 5, eventType: 7, data: 'x' }, { kind: 'ignored', id: '', reason: 'no event type' }],
  ])('%s', (_name, input, expected) => expect(parseAzureEvent(input)).toEqual(expected));
});
