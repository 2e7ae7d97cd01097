/** The ARM events the emulator records from its operations, and the common-schema alerts it generates. */
import { armEventIn, armOperationOf, startSandbox, type Sandbox } from '../../sandbox';
import { parseAzureEvent } from '../../src/shared/protection/azureEvent';
import { clients, SUB, testScenario, testVm, triggerBackup, VM_RG, vmIdOf } from './sandboxFixtures';

describe('armOperationOf', () => {
  const VM = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`;
  it.each<[string, string, string | undefined]>([
    ['PUT', VM, 'Microsoft.Compute/virtualMachines/write'],
    ['PATCH', VM, 'Microsoft.Compute/virtualMachines/write'],
    ['DELETE', VM, 'Microsoft.Compute/virtualMachines/delete'],
    ['PUT', `${VM}/runCommands/ibg-x`, 'Microsoft.Compute/virtualMachines/runCommands/write'],
    [
      'POST',
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/protectionContainers/c/protectedItems/i/backup`,
      'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
    ],
    ['GET', VM, undefined],
    ['POST', '/v1/workspaces/w/query', undefined],
  ])('%s %s', (method, path, expected) => expect(armOperationOf(method, path)?.operationName).toBe(expected));
});

describe('ARM events (sandbox)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: testScenario([testVm('a', []), testVm('b', []), testVm('c', [])]) });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('a tag PATCH, a backup POST and a VM DELETE, in order, in both schemas the app parses', async () => {
    sandbox.events.takeRecords();
    const { compute } = clients(sandbox);
    await compute.virtualMachines.beginUpdateAndWait(VM_RG, 'a', { tags: { owner: 'ops' } });
    await triggerBackup(sandbox, 'b');
    await compute.virtualMachines.beginDeleteAndWait(VM_RG, 'a');
    // Deleting what is already gone (204) is no event.
    await compute.virtualMachines.beginDeleteAndWait(VM_RG, 'a');
    const records = sandbox.events.takeRecords();
    expect(records.map((r) => [r.eventType, r.operationName])).toEqual([
      ['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Compute/virtualMachines/write'],
      [
        'Microsoft.Resources.ResourceActionSuccess',
        'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
      ],
      ['Microsoft.Resources.ResourceDeleteSuccess', 'Microsoft.Compute/virtualMachines/delete'],
    ]);
    expect(sandbox.events.size).toBe(0);
    for (const r of records) {
      const grid = armEventIn(r, 'eventgrid');
      const cloud = armEventIn(r, 'cloudevents');
      expect(grid.data).toMatchObject({
        subscriptionId: SUB,
        status: 'Succeeded',
        resourceProvider: expect.any(String),
      });
      expect(cloud).toMatchObject({
        specversion: '1.0',
        id: r.id,
        type: r.eventType,
        source: r.topic,
        subject: r.resourceUri,
      });
      // The app reads both to the same thing.
      const { schema: _g, ...fromGrid } = parseAzureEvent(grid) as { schema?: string };
      const { schema: _c, ...fromCloud } = parseAzureEvent(cloud) as { schema?: string };
      expect(fromGrid).toEqual(fromCloud);
    }
    expect(parseAzureEvent(armEventIn(records[0]!, 'eventgrid'))).toMatchObject({
      kind: 'vm-written',
      vmId: vmIdOf('a'),
    });
    expect(parseAzureEvent(armEventIn(records[1]!, 'eventgrid'))).toMatchObject({
      kind: 'backup-triggered',
      vmName: 'b',
    });
    expect(parseAzureEvent(armEventIn(records[2]!, 'cloudevents'))).toMatchObject({
      kind: 'vm-deleted',
      vmId: vmIdOf('a'),
    });
  });

  it('a common-schema alert for a sandbox backup job names its VM', async () => {
    const { jobId } = await triggerBackup(sandbox, 'c');
    const alert = sandbox.monitorAlertFor(jobId) as {
      schemaId: string;
      data: { essentials: { monitoringService: string }; alertContext: { properties: Record<string, string> } };
    };
    expect(alert.schemaId).toBe('azureMonitorCommonAlertSchema');
    expect(alert.data.essentials.monitoringService).toBe('Azure Backup');
    expect(alert.data.alertContext.properties.DatasourceResourceId?.toLowerCase()).toBe(vmIdOf('c').toLowerCase());
    expect(alert.data.alertContext.properties.JobId).toBe(jobId);
    expect(() => sandbox.monitorAlertFor('no-such-job')).toThrow('No job no-such-job in the sandbox');
  });
});
