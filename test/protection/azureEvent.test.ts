import { parseAzureEvent, vmOfProtectedItem } from '../../src/shared/protection/azureEvent';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const VAULT = `${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`;
const ITEM = `${VAULT}/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg-iris;iris-a/protectedItems/VM;iaasvmcontainerv2;rg-iris;iris-a`;
const VM = `${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/iris-a`;
const BACKUP_OP = 'Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/backup/action';
const T = '2026-03-10T01:31:00Z';
const grid = (eventType: string, data: Record<string, unknown>, subject = '') => ({
  id: 'e1',
  topic: `${SUB}/resourceGroups/rg-iris`,
  eventType,
  eventTime: T,
  subject,
  data,
  dataVersion: '2',
  metadataVersion: '1',
});
const cloud = (type: string, data: Record<string, unknown>, subject: string) => ({
  specversion: '1.0',
  id: 'c1',
  type,
  source: `${SUB}/resourceGroups/rg-iris`,
  subject,
  time: T,
  datacontenttype: 'application/json',
  data,
});

describe('parseAzureEvent', () => {
  it.each<[string, unknown, unknown]>([
    [
      'backup action (Event Grid schema)',
      grid('Microsoft.Resources.ResourceActionSuccess', { resourceUri: `${ITEM}/backup`, operationName: BACKUP_OP }),
      {
        kind: 'backup-triggered',
        id: 'e1',
        schema: 'eventgrid',
        at: T,
        resourceUri: `${ITEM}/backup`,
        vaultId: VAULT,
        vmName: 'iris-a',
        vmResourceGroup: 'rg-iris',
      },
    ],
    [
      'backup action (CloudEvents schema, resource in the subject only)',
      cloud('Microsoft.Resources.ResourceActionSuccess', { operationName: BACKUP_OP.toLowerCase() }, ITEM),
      {
        kind: 'backup-triggered',
        id: 'c1',
        schema: 'cloudevents',
        at: T,
        resourceUri: ITEM,
        vaultId: VAULT,
        vmName: 'iris-a',
        vmResourceGroup: 'rg-iris',
      },
    ],
    [
      'a refused backup request',
      grid('Microsoft.Resources.ResourceActionFailure', { resourceUri: `${ITEM}/backup`, operationName: BACKUP_OP }),
      {
        kind: 'ignored',
        id: 'e1',
        schema: 'eventgrid',
        at: T,
        reason: 'a backup request that Azure refused (no job started)',
      },
    ],
    [
      'VM write (Event Grid)',
      grid('Microsoft.Resources.ResourceWriteSuccess', {
        resourceUri: VM,
        operationName: 'Microsoft.Compute/virtualMachines/write',
      }),
      { kind: 'vm-written', id: 'e1', schema: 'eventgrid', at: T, vmId: VM },
    ],
    [
      'VM delete (CloudEvents)',
      cloud(
        'Microsoft.Resources.ResourceDeleteSuccess',
        { resourceUri: VM, operationName: 'Microsoft.Compute/virtualMachines/delete' },
        VM,
      ),
      { kind: 'vm-deleted', id: 'c1', schema: 'cloudevents', at: T, vmId: VM },
    ],
    [
      'another action',
      grid('Microsoft.Resources.ResourceActionSuccess', {
        resourceUri: VM,
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
      }),
      {
        kind: 'ignored',
        id: 'e1',
        schema: 'eventgrid',
        at: T,
        reason: 'action Microsoft.Compute/virtualMachines/restart/action is not a backup',
      },
    ],
    [
      'a Run Command written on a VM',
      grid('Microsoft.Resources.ResourceWriteSuccess', {
        resourceUri: `${VM}/runCommands/ibg-check-1`,
        operationName: 'Microsoft.Compute/virtualMachines/runCommands/write',
      }),
      {
        kind: 'ignored',
        id: 'e1',
        schema: 'eventgrid',
        at: T,
        reason: 'write Microsoft.Compute/virtualMachines/runCommands/write is not a VM',
      },
    ],
    [
      'a storage write',
      grid('Microsoft.Resources.ResourceWriteSuccess', {
        resourceUri: `${SUB}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/s`,
        operationName: 'Microsoft.Storage/storageAccounts/write',
      }),
      {
        kind: 'ignored',
        id: 'e1',
        schema: 'eventgrid',
        at: T,
        reason: 'write Microsoft.Storage/storageAccounts/write is not a VM',
      },
    ],
    [
      'another event type',
      { id: 'e2', eventType: 'Microsoft.Storage.BlobCreated', eventTime: T, data: {} },
      {
        kind: 'ignored',
        id: 'e2',
        schema: 'eventgrid',
        at: T,
        reason: 'event type Microsoft.Storage.BlobCreated is not handled',
      },
    ],
  ])('%s', (_name, input, expected) => expect(parseAzureEvent(input)).toEqual(expected));

  it.each<[string, unknown, string]>([
    ['null', null, 'not an event object'],
    ['a string', 'hello', 'not an event object'],
    ['an array (a batch, not one event)', [grid('x', {})], 'an array, not one event'],
    ['no id', { eventType: 'Microsoft.Resources.ResourceWriteSuccess', data: {} }, 'no event id'],
    ['no type', { id: 'x', data: {} }, "no event type ('eventType')"],
    ['no CloudEvents type', { specversion: '1.0', id: 'x', data: {} }, "no event type ('type')"],
    [
      'a CloudEvents version we do not read',
      { specversion: '0.3', id: 'x', type: 't' },
      'CloudEvents specversion "0.3" is not 1.0',
    ],
    ['wrong types', { id: 5, eventType: 7, data: 'x' }, "'id' is not a string"],
    [
      'data not an object',
      { id: 'x', eventType: 'Microsoft.Resources.ResourceWriteSuccess', data: 'x' },
      "'data' is not an object",
    ],
    ['an id over its cap', { id: 'i'.repeat(257), eventType: 't' }, "'id' is longer than 256 characters"],
    [
      'a resource URI over its cap',
      { id: 'x', eventType: 't', data: { resourceUri: `/${'a'.repeat(5000)}` } },
      "data: 'resourceUri' is longer than 2048 characters",
    ],
    [
      'a time that is not a date',
      { id: 'x', eventType: 't', eventTime: 'yesterday' },
      "event time 'yesterday' is not a date",
    ],
  ])('malformed: %s', (_name, input, reason) => {
    const parsed = parseAzureEvent(input);
    expect(parsed).toMatchObject({ kind: 'malformed', reason });
    if (parsed.kind !== 'malformed') throw new Error('not malformed');
    // The raw text is kept (capped) so nothing is lost.
    expect(parsed.raw.length).toBeGreaterThan(0);
    expect(parsed.raw.length).toBeLessThanOrEqual(4096 + 60);
  });

  it('caps the raw text of a huge malformed event', () => {
    const parsed = parseAzureEvent({ id: 'x', eventType: 't', data: 'z'.repeat(100_000) });
    expect(parsed.kind).toBe('malformed');
    if (parsed.kind !== 'malformed') return;
    expect(parsed.raw).toMatch(/more characters cut\]$/);
    expect(parsed.raw.length).toBeLessThan(4200);
  });
});

describe('vmOfProtectedItem', () => {
  it.each<[string, unknown]>([
    [ITEM, { vmName: 'iris-a', vmResourceGroup: 'rg-iris' }],
    [`${ITEM}/backup`, { vmName: 'iris-a', vmResourceGroup: 'rg-iris' }],
    [`${VAULT}/backupJobs/x`, {}],
  ])('%s', (uri, expected) => expect(vmOfProtectedItem(uri)).toEqual(expected));
});
