/**
 * A drill VM written by the restore moves its run at once: the sandbox records the ARM event of the VM the restore
 * creates, the handler advances the run that drills it, and no advance tick runs in between.
 */
import { parseAzureEvent } from '../../src/shared/protection/azureEvent';
import { handleAzureEvent } from '../../src/shared/protection/handleAzureEvent';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { Run } from '../../src/shared/runs/run';
import { drillScenario, startDrillWorld } from '../drills/drillWorld';
import { MINUTE, runOf, tick, tonight } from './cycleHelpers';
import { withEventLedger } from './eventWorld';
import type { ProtectionWorld } from './protectionWorld';

describe('drill VM events (sandbox)', () => {
  let w: ProtectionWorld | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('the restored VM’s write event advances its run now; a drill-group VM that no run drills is ignored', async () => {
    w = await startDrillWorld(drillScenario(['iris-a']));
    const world = w;
    const deps = withEventLedger(world);
    const night = tonight(world);
    await runNightlyProtection(deps, night);
    let run: Run | undefined;
    for (let i = 0; i < 30 && run?.drill?.restoreRequestedAt === undefined; i += 1) {
      await tick(world, deps, 5 * MINUTE);
      run = await runOf(world, night, 'iris-a');
    }
    const drillVmId = run?.drill?.vmId;
    if (drillVmId === undefined) throw new Error(`no drill requested: ${run?.stage} ${run?.reason ?? ''}`);
    world.sandbox.events.takeRecords();

    // Time passes until the restore has created the VM (any request lets the emulator settle its jobs); no tick.
    const isDrillVmWrite = (e: { resourceUri: string; eventType: string }) =>
      e.resourceUri.toLowerCase() === drillVmId.toLowerCase() && e.eventType.endsWith('ResourceWriteSuccess');
    let written: unknown[] = [];
    for (let i = 0; i < 30 && written.length === 0; i += 1) {
      world.sandbox.clock.advance(5 * MINUTE);
      await world.deps.gateways.compute.getVm(drillVmId);
      written = world.sandbox.events.take('eventgrid', isDrillVmWrite);
    }
    expect(written).toHaveLength(1);
    const before = await runOf(world, night, 'iris-a');
    expect(before?.drill?.restoreJobStatus).not.toBe('Completed');

    const outcome = await handleAzureEvent(deps, parseAzureEvent(written[0]));
    expect(outcome).toMatchObject({ outcome: 'drill-advanced', runIds: [before?.id] });
    const after = await runOf(world, night, 'iris-a');
    // The run read the finished restore job right away instead of at the next tick.
    expect(after?.drill?.restoreJobStatus).toBe('Completed');
    expect(after?.updatedAt).not.toBe(before?.updatedAt);

    // A write event of a VM in the drill group that no run drills: ignored.
    const stray = drillVmId.replace(/[^/]+$/, 'not-a-drill-vm');
    const strayOutcome = await handleAzureEvent(
      deps,
      parseAzureEvent({
        id: 'stray',
        eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
        eventTime: world.sandbox.clock.now().toISOString(),
        subject: stray,
        data: { resourceUri: stray, operationName: 'Microsoft.Compute/virtualMachines/delete' },
      }),
    );
    expect(strayOutcome).toEqual({
      outcome: 'ignored',
      reason: 'a VM in the drill resource group that no active run drills',
    });
  }, 300_000);
});
