/**
 * ARM events as the sandbox records them from real SDK calls, delivered to the handler in both schemas, duplicated,
 * reordered, stale and malformed, with the event ledger in Azurite's tables.
 */
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import type { Scenario } from '../../sandbox/index';
import { parseAzureEvent } from '../../src/shared/protection/azureEvent';
import { handleAzureEvent } from '../../src/shared/protection/handleAzureEvent';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { findProtectedVm } from '../../src/shared/protection/protectVmNow';
import * as tracking from '../../src/shared/protection/trackExternalBackup';
import { newRun, runIdOf, vmKeyOf } from '../../src/shared/runs/run';
import { targetOf } from '../../src/shared/protection/protectedItemOf';
import { eventLedgerOf, logLines, withEventLedger } from './eventWorld';
import { protectionVm, smallScenario, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const TAG = { 'iris-backup-guard': 'enabled' };

function scenario(): Scenario {
  const base = smallScenario(['iris-a']);
  return {
    ...base,
    name: 'azure-events',
    vms: [
      ...base.vms,
      // Protected but not yet tagged; IRIS is frozen right now (a critical finding for the check).
      protectionVm('iris-frozen', {
        tags: {},
        irisInstances: [{ name: 'IRIS', product: 'IRIS', status: 'running', frozen: true }],
      }),
      protectionVm('iris-new', { tags: {}, files: hardenedSetupFiles() }),
    ],
  };
}

const deliver = (deps: ProtectionDeps, event: unknown) => handleAzureEvent(deps, parseAzureEvent(event));

describe('Azure events (sandbox)', () => {
  let w: ProtectionWorld;
  let deps: ProtectionDeps;
  beforeAll(async () => {
    w = await startProtectionWorld(scenario());
    deps = withEventLedger(w);
  });
  afterAll(async () => {
    await w?.stop();
  });
  beforeEach(() => {
    w.sandbox.events.takeRecords();
    w.log.lines.length = 0;
    w.scopeAlerts.length = 0;
  });
  afterEach(() => jest.restoreAllMocks());

  async function tagVm(name: string): Promise<void> {
    await w.compute().virtualMachines.beginUpdateAndWait('rg-iris', name, { tags: TAG });
  }
  const vmEvents = (name: string) => (e: { resourceUri: string }) =>
    e.resourceUri.toLowerCase() === w.vmId(name).toLowerCase();

  it('a VM newly tagged: checked now (Event Grid schema), a critical finding alerted, not checked twice a day', async () => {
    await tagVm('iris-frozen');
    const [written] = w.sandbox.events.take('eventgrid', vmEvents('iris-frozen'));
    expect(written).toMatchObject({
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      subject: w.vmId('iris-frozen'),
      data: { operationName: 'Microsoft.Compute/virtualMachines/write', status: 'Succeeded' },
    });
    const outcome = await deliver(deps, written);
    expect(outcome).toMatchObject({
      outcome: 'vm-checked',
      vmId: w.vmId('iris-frozen'),
      worst: 'critical',
      alerted: true,
    });
    const alert = w.scopeAlerts.find((a) => a.code === 'TaggedVmSetupProblem');
    expect(alert).toMatchObject({ severity: 'critical', scope: { kind: 'vm', vmId: w.vmId('iris-frozen') } });
    expect(alert?.message).toContain('IrisAlreadyFrozen');
    expect(logLines(w, 'Check of a VM newly tagged for enrolment')).toHaveLength(1);

    // The VM is written again (another tag change): the same day, no second check.
    await w.compute().virtualMachines.beginUpdateAndWait('rg-iris', 'iris-frozen', { tags: { ...TAG, owner: 'ops' } });
    const [again] = w.sandbox.events.take('eventgrid', vmEvents('iris-frozen'));
    expect(await deliver(deps, again)).toEqual({ outcome: 'vm-checked-today', vmId: w.vmId('iris-frozen') });
    expect(w.scopeAlerts.filter((a) => a.code === 'TaggedVmSetupProblem')).toHaveLength(1);
  }, 120_000);

  it('a well set-up VM newly tagged (CloudEvents schema): checked, no alert; a duplicate is acted on once', async () => {
    await tagVm('iris-new');
    const [written] = w.sandbox.events.take('cloudevents', vmEvents('iris-new'));
    expect(written).toMatchObject({ specversion: '1.0', type: 'Microsoft.Resources.ResourceWriteSuccess' });
    const first = await deliver(deps, written);
    expect(first).toMatchObject({ outcome: 'vm-checked', alerted: false });
    expect(w.scopeAlerts).toEqual([]);
    // Event Grid delivers it again: the ledger knows the id.
    expect(await deliver(deps, written)).toMatchObject({ outcome: 'duplicate' });
    expect(logLines(w, 'Check of a VM newly tagged for enrolment')).toHaveLength(1);
    expect(await eventLedgerOf(w).get('event', (written as { id: string }).id)).toMatchObject({
      outcome: 'vm-checked',
    });
  }, 120_000);

  it('out of order: the delete of a VM arrives before its write; the late write finds no VM and checks nothing', async () => {
    const id = w.vmId('iris-noconfig');
    const write = {
      id: 'ooo-write',
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      eventTime: new Date(w.sandbox.clock.nowMs() - 60_000).toISOString(),
      subject: id,
      data: { resourceUri: id, operationName: 'Microsoft.Compute/virtualMachines/write' },
    };
    await w.compute().virtualMachines.beginDeleteAndWait('rg-iris', 'iris-noconfig');
    const [deleted] = w.sandbox.events.take('eventgrid', vmEvents('iris-noconfig'));
    expect(deleted).toMatchObject({ eventType: 'Microsoft.Resources.ResourceDeleteSuccess' });
    expect(await deliver(deps, deleted)).toMatchObject({ outcome: 'ignored' });
    expect(await deliver(deps, write)).toEqual({ outcome: 'vm-gone', vmId: id });
    expect(logLines(w, 'Check of a VM newly tagged')).toEqual([]);
  });

  it('a backup triggered outside the app becomes a tracked run (trackExternalBackup), from the real POST', async () => {
    const track = jest
      .spyOn(tracking, 'trackExternalBackup')
      .mockResolvedValue({ outcome: 'tracked', runId: 'spy-run' });
    const item = await findProtectedVm(w.deps, w.vmId('iris-a'));
    await w.deps.gateways.backup.triggerBackup(item, {
      recoveryPointExpiry: new Date(w.sandbox.clock.nowMs() + 30 * 86_400_000),
    });
    const events = w.sandbox.events.take('cloudevents', (e) => e.operationName.endsWith('/backup/action'));
    expect(events).toHaveLength(1);
    const outcome = await deliver(deps, events[0]);
    expect(outcome).toEqual({ outcome: 'backup', result: { outcome: 'tracked', runId: 'spy-run' } });
    expect(track).toHaveBeenCalledTimes(1);
    expect(track.mock.calls[0]?.[1]).toMatchObject({
      vaultId: item.vault.id,
      vmName: 'iris-a',
      at: (events[0] as { time: string }).time,
    });
    // Event Grid delivers it again: tracked once.
    await deliver(deps, { ...(events[0] as object) });
    expect(track).toHaveBeenCalledTimes(1);
  });

  it('a backup triggered outside the app, delivered for real: a tracked run adopts its job; again, nothing new', async () => {
    const item = await findProtectedVm(w.deps, w.vmId('iris-a'));
    // Ends the earlier test's job (from the same POST path), so Azure accepts another backup of the VM.
    w.sandbox.clock.advance(3 * 3_600_000);
    await w.sandbox.idle();
    w.sandbox.events.takeRecords();
    await w.deps.gateways.backup.triggerBackup(item, {
      recoveryPointExpiry: new Date(w.sandbox.clock.nowMs() + 30 * 86_400_000),
    });
    const [event] = w.sandbox.events.take('eventgrid', (e) => e.operationName.endsWith('/backup/action'));
    const outcome = await deliver(deps, event);
    expect(outcome).toMatchObject({ outcome: 'backup', result: { outcome: 'tracked' } });
    const runId = (outcome as { result: { runId: string } }).result.runId;
    const run = (await w.deps.store.get(runId))?.run;
    expect(run?.target.vmId.toLowerCase()).toBe(w.vmId('iris-a').toLowerCase());
    expect(run?.backup.jobId).toBeDefined();
    // The same backup seen again under another event id (a second subscription): the run has it already.
    const second = await deliver(deps, { ...(event as object), id: 'another-subscription-copy' });
    expect(second).toMatchObject({ outcome: 'backup', result: { outcome: 'already-tracked', runId } });
  });

  it('a backup action older than the VM’s latest run is stale: ignored with the reason', async () => {
    const track = jest.spyOn(tracking, 'trackExternalBackup');
    const item = await findProtectedVm(w.deps, w.vmId('iris-a'));
    const now = w.sandbox.clock.now();
    const night = now.toISOString().slice(0, 10);
    if ((await w.deps.store.get(runIdOf(night, vmKeyOf(item.vmId)))) === undefined)
      await w.deps.store.create(newRun(night, targetOf(item), now.toISOString()));
    const uri = `${item.vault.id}/backupFabrics/Azure/protectionContainers/${item.containerName}/protectedItems/${item.protectedItemName}/backup`;
    const outcome = await deliver(deps, {
      id: 'stale-backup',
      eventType: 'Microsoft.Resources.ResourceActionSuccess',
      eventTime: new Date(now.getTime() - 3 * 3_600_000).toISOString(),
      subject: uri,
      data: {
        resourceUri: uri,
        operationName:
          'Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
      },
    });
    expect(outcome).toMatchObject({ outcome: 'stale' });
    expect((outcome as { reason: string }).reason).toMatch(/^sent before the VM's latest run .* was created/);
    expect(track).not.toHaveBeenCalled();
    expect(logLines(w, 'Azure event stale')).toHaveLength(1);
  });

  it('an event older than 24 h is stale', async () => {
    const id = w.vmId('iris-a');
    const outcome = await deliver(deps, {
      id: 'old-write',
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      eventTime: new Date(w.sandbox.clock.nowMs() - 25 * 3_600_000).toISOString(),
      subject: id,
      data: { resourceUri: id, operationName: 'Microsoft.Compute/virtualMachines/write' },
    });
    expect(outcome).toMatchObject({ outcome: 'stale' });
    expect((outcome as { reason: string }).reason).toMatch(/^older than 24 h/);
  });

  it('a malformed event: logged with its reason and raw text, recorded in the ledger, never thrown', async () => {
    const event = { id: 'bad-1', eventType: 'Microsoft.Resources.ResourceWriteSuccess', data: 'not an object' };
    await expect(deliver(deps, event)).resolves.toEqual({ outcome: 'malformed', reason: "'data' is not an object" });
    const [line] = logLines(w, 'Malformed Azure event');
    expect(line).toMatchObject({ level: 'warn', details: { id: 'bad-1', reason: "'data' is not an object" } });
    expect(String(line?.details?.raw)).toContain('not an object');
    const recorded = await eventLedgerOf(w).get('malformed-event', 'bad-1');
    expect(recorded?.raw).toBe(JSON.stringify(event));
    // Not even an object: still recorded, keyed by its text.
    await expect(deliver(deps, 'garbage')).resolves.toMatchObject({ outcome: 'malformed' });
    expect(await eventLedgerOf(w).get('malformed-event', '"garbage"')).toMatchObject({
      outcome: 'not an event object',
    });
  });
});
