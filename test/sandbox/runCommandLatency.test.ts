import { type Sandbox, startSandbox } from '../../sandbox';
import type { VirtualMachineRunCommand } from '@azure/arm-compute';
import { simulatedDurationMs } from '../../sandbox/runCommandService';
import { LOCATION, VM_RG, clients, testScenario, testVm } from './sandboxFixtures';

type RunCommandView = VirtualMachineRunCommand['instanceView'];

const DURATIONS = { min: 20, max: 60 };

/** Seconds between the instance view's startTime and endTime, in ms. */
const elapsedMs = (view: RunCommandView): number =>
  (view?.endTime?.getTime() ?? Number.NaN) - (view?.startTime?.getTime() ?? Number.NaN);

describe('sandbox managed Run Commands: latency on the sandbox clock, DELETE fault, listing', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [testVm('lat-vm', []), testVm('del-vm', []), testVm('del500-vm', []), testVm('list-vm', [])],
        {
          // Two per page, so a VM's Run Commands list over several pages.
          pageSize: 2,
          faults: [
            { kind: 'runCommandDeleteFailure', vm: 'del-vm' },
            { kind: 'runCommandDeleteFailure', vm: 'del500-vm', statusCode: 500 },
          ],
          runCommand: { liveOutputIntervalMs: 100, durationSeconds: DURATIONS },
        },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** asyncExecution: the PUT is done once the script has started. */
  async function start(vm: string, name: string, script: string, timeoutInSeconds = 120): Promise<void> {
    await clients(sandbox).compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      vm,
      name,
      { location: LOCATION, source: { script }, asyncExecution: true, timeoutInSeconds },
      { updateIntervalInMs: 0 },
    );
  }

  async function view(vm: string, name: string): Promise<RunCommandView> {
    const rc = await clients(sandbox).compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, vm, name, {
      expand: 'instanceView',
    });
    return rc.instanceView;
  }

  async function waitForView(vm: string, name: string, ok: (v: RunCommandView) => boolean): Promise<RunCommandView> {
    const until = Date.now() + 5000;
    for (;;) {
      const v = await view(vm, name);
      if (ok(v) || Date.now() > until) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function listed(vm: string): Promise<{ name: string; state: string | undefined }[]> {
    const all: { name: string; state: string | undefined }[] = [];
    for await (const rc of clients(sandbox).compute.virtualMachineRunCommands.listByVirtualMachine(VM_RG, vm, {
      expand: 'instanceView',
    })) {
      all.push({ name: rc.name ?? '', state: rc.instanceView?.executionState });
    }
    return all;
  }

  it('derives each duration from the VM and Run Command names: same names, same duration, within [min, max]', () => {
    const d = simulatedDurationMs('lat-vm', 'ibg-lat-1', DURATIONS);
    expect(simulatedDurationMs('lat-vm', 'ibg-lat-1', DURATIONS)).toBe(d);
    expect(simulatedDurationMs('LAT-VM', 'IBG-LAT-1', DURATIONS)).toBe(d);
    const many = Array.from({ length: 50 }, (_, i) => simulatedDurationMs(`vm-${i}`, 'ibg-check-1', DURATIONS));
    for (const ms of many) {
      expect(ms).toBeGreaterThanOrEqual(20_000);
      expect(ms).toBeLessThanOrEqual(60_000);
    }
    expect(new Set(many).size).toBeGreaterThan(40);
    expect(simulatedDurationMs('vm-1', 'x', { min: 30, max: 30 })).toBe(30_000);
  });

  it('hides the result until the sandbox clock reaches start + duration, then shows it with that endTime', async () => {
    const d = simulatedDurationMs('lat-vm', 'ibg-lat-1', DURATIONS);
    await start('lat-vm', 'ibg-lat-1', 'echo done; exit 0');
    const running = await waitForView('lat-vm', 'ibg-lat-1', (v) => v?.output === 'done\n');
    // The script has ended for real, but the sandbox clock is seconds from its simulated end.
    await new Promise((r) => setTimeout(r, 300));
    expect(await view('lat-vm', 'ibg-lat-1')).toMatchObject({
      executionState: 'Running',
      executionMessage: 'Execution in progress',
      output: 'done\n',
    });
    expect(running?.exitCode).toBeUndefined();
    expect(running?.endTime).toBeUndefined();
    sandbox.clock.advance(d - 5000);
    expect((await view('lat-vm', 'ibg-lat-1'))?.executionState).toBe('Running');
    sandbox.clock.advance(5000);
    const done = await view('lat-vm', 'ibg-lat-1');
    expect(done).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'done\n' });
    expect(elapsedMs(done)).toBe(d);
  });

  it('gives the same name the same duration on a later run (reproducible benchmarks)', async () => {
    const d = simulatedDurationMs('lat-vm', 'ibg-lat-1', DURATIONS);
    await start('lat-vm', 'ibg-lat-1', 'exit 4');
    await new Promise((r) => setTimeout(r, 300));
    expect((await view('lat-vm', 'ibg-lat-1'))?.executionState).toBe('Running');
    sandbox.clock.advance(d);
    const done = await waitForView('lat-vm', 'ibg-lat-1', (v) => v?.executionState !== 'Running');
    expect(done).toMatchObject({ executionState: 'Failed', exitCode: 4 });
    expect(elapsedMs(done)).toBe(d);
  });

  it('completes a synchronous PUT only at the simulated end', async () => {
    const { compute } = clients(sandbox);
    let finished = false;
    const poller = compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      'lat-vm',
      'ibg-sync-1',
      { location: LOCATION, source: { script: 'echo sync' }, asyncExecution: false, timeoutInSeconds: 120 },
      { updateIntervalInMs: 20 },
    );
    void poller.then(() => {
      finished = true;
    });
    await poller.submitted();
    await waitForView('lat-vm', 'ibg-sync-1', (v) => v?.output === 'sync\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    sandbox.clock.advance(60_000);
    const rc = await poller;
    expect(rc.provisioningState).toBe('Succeeded');
    expect(await view('lat-vm', 'ibg-sync-1')).toMatchObject({ executionState: 'Succeeded', output: 'sync\n' });
  });

  it('ends a simulated duration beyond timeoutInSeconds as a time-out (Failed, -1) at start + timeout', async () => {
    // Every duration is at least 20 s: a 10 s time-out is always exceeded.
    await start('lat-vm', 'ibg-slow-1', 'echo partial', 10);
    await waitForView('lat-vm', 'ibg-slow-1', (v) => v?.output === 'partial\n');
    expect((await view('lat-vm', 'ibg-slow-1'))?.executionState).toBe('Running');
    sandbox.clock.advance(10_000);
    const done = await view('lat-vm', 'ibg-slow-1');
    expect(done).toMatchObject({ executionState: 'Failed', exitCode: -1 });
    expect(done?.executionMessage).toBe('Execution failed: the script did not finish within 10 seconds and was killed');
    expect(elapsedMs(done)).toBe(10_000);
  });

  it('refuses the first DELETE with 409 Conflict (not retried by the SDK); the Run Command stays and runs', async () => {
    const { compute } = clients(sandbox);
    await start('del-vm', 'ibg-del-1', 'sleep 30');
    await expect(
      compute.virtualMachineRunCommands.delete(VM_RG, 'del-vm', 'ibg-del-1').submitted(),
    ).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect(await listed('del-vm')).toEqual([{ name: 'ibg-del-1', state: 'Running' }]);
    await compute.virtualMachineRunCommands.delete(VM_RG, 'del-vm', 'ibg-del-1', { updateIntervalInMs: 0 });
    expect(await listed('del-vm')).toEqual([]);
    await expect(
      compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'del-vm', 'ibg-del-1'),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a 500 DELETE fault with count 1 is absorbed by the SDK retry (each request counts)', async () => {
    const { compute } = clients(sandbox);
    await start('del500-vm', 'ibg-del-2', 'sleep 30');
    await compute.virtualMachineRunCommands.delete(VM_RG, 'del500-vm', 'ibg-del-2', { updateIntervalInMs: 0 });
    expect(await listed('del500-vm')).toEqual([]);
  }, 15_000);

  it('lists a VM Run Commands over several pages with their names and instance views', async () => {
    const d = simulatedDurationMs('list-vm', 'ibg-list-done', DURATIONS);
    await start('list-vm', 'ibg-list-done', 'true');
    await waitForView('list-vm', 'ibg-list-done', (v) => v?.executionState === 'Running');
    await new Promise((r) => setTimeout(r, 300));
    sandbox.clock.advance(d);
    await start('list-vm', 'ibg-list-held', 'true');
    await start('list-vm', 'other-list', 'sleep 30');
    const all = await listed('list-vm');
    expect(all.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'ibg-list-done', state: 'Succeeded' },
      { name: 'ibg-list-held', state: 'Running' },
      { name: 'other-list', state: 'Running' },
    ]);
    const { compute } = clients(sandbox);
    for (const { name } of all.filter((rc) => rc.name.startsWith('ibg-'))) {
      await compute.virtualMachineRunCommands.delete(VM_RG, 'list-vm', name, { updateIntervalInMs: 0 });
    }
    expect(await listed('list-vm')).toEqual([{ name: 'other-list', state: 'Running' }]);
    await compute.virtualMachineRunCommands.delete(VM_RG, 'list-vm', 'other-list', { updateIntervalInMs: 0 });
  });
});

describe('sandbox managed Run Commands: latency with the handler install on first use', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([testVm('fresh-vm', [])], {
        runCommand: { firstUseDelaySeconds: 1, durationSeconds: DURATIONS },
      }),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('an asyncExecution PUT completes when the script starts, after the install; the duration counts from there', async () => {
    const { compute } = clients(sandbox);
    const d = simulatedDurationMs('fresh-vm', 'ibg-first-1', DURATIONS);
    const before = Date.now();
    await compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      'fresh-vm',
      'ibg-first-1',
      { location: LOCATION, source: { script: 'echo hi' }, asyncExecution: true, timeoutInSeconds: 120 },
      { updateIntervalInMs: 0 },
    );
    expect(Date.now() - before).toBeGreaterThanOrEqual(1000);
    const get = async () =>
      (
        await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'fresh-vm', 'ibg-first-1', {
          expand: 'instanceView',
        })
      ).instanceView;
    expect((await get())?.executionState).toBe('Running');
    await new Promise((r) => setTimeout(r, 300));
    sandbox.clock.advance(d);
    const done = await get();
    expect(done).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'hi\n' });
    expect(elapsedMs(done)).toBe(d);
  });
});
