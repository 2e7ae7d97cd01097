/**
 * How the app reads each way a managed Run Command can end on Azure (issue 8): a time-out (Failed, exit -1), a
 * Run Command skipped because too many run at once on the VM, and a VM that is not running (409). Real Compute
 * SDK and gateway against the sandbox.
 */
import { type Sandbox, startSandbox } from '../../sandbox';
import { isAppError } from '../../src/shared/errors/appError';
import { ArmComputeGateway, SKIPPED_STATE } from '../../src/shared/gateways/armComputeGateway';
import { runProbe } from '../../src/shared/protection/vmProbe';
import { LOCATION, VM_RG, clients, testScenario, testVm, vmIdOf } from '../sandbox/sandboxFixtures';

describe('managed Run Command outcomes as the app reads them', () => {
  let sandbox: Sandbox;
  const warnings: string[] = [];

  const gateway = (skippedRetryDelayMs: number): ArmComputeGateway =>
    new ArmComputeGateway(() => clients(sandbox).compute, {
      pollIntervalInMs: 0,
      logger: { warn: (message) => warnings.push(message) },
      skippedRetryDelayMs,
    });

  /** Fills the VM's parallel slots with scripts that run for `seconds`. */
  const occupy = async (vm: string, seconds: number): Promise<void> => {
    for (let i = 1; i <= 5; i += 1) {
      await clients(sandbox).compute.virtualMachineRunCommands.createOrUpdate(
        VM_RG,
        vm,
        `other-${seconds}-${i}`,
        { location: LOCATION, source: { script: `sleep ${seconds}` }, asyncExecution: true, timeoutInSeconds: 60 },
        { updateIntervalInMs: 0 },
      );
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('slow-vm', []),
          testVm('busy-vm', []),
          testVm('freed-vm', []),
          testVm('stopped-vm', []),
          testVm('async-vm', []),
          testVm('sticky-vm', []),
        ],
        {
          faults: [
            { kind: 'runCommandTimeout', vm: 'slow-vm', nameContains: 'probe' },
            { kind: 'vmNotRunning', vm: 'stopped-vm' },
            { kind: 'runCommandDeleteFailure', vm: 'sticky-vm', count: 1 },
          ],
        },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('reads a time-out (Failed, exit -1) as TimedOut, not as a script that exited -1', async () => {
    const result = await gateway(50).runScript(vmIdOf('slow-vm'), 'echo started; sleep 30', {
      name: 'slow-1',
      timeoutInSeconds: 1,
    });
    expect(result).toMatchObject({ executionState: 'TimedOut', output: 'started\n' });
    expect(result.exitCode).toBeUndefined();
    expect(result.executionMessage).toMatch(/time-out/);

    const probe = await runProbe(gateway(50), vmIdOf('slow-vm'), {
      mode: 'check',
      name: 'ibg-probe-slow',
      timeoutInSeconds: 30,
    });
    expect(probe.facts).toBeUndefined();
    expect(probe.problems[0]).toBe('Run Command ended TimedOut');
  });

  it('tries a skipped Run Command again and gets the result once a slot is free', async () => {
    await occupy('freed-vm', 30);
    warnings.length = 0;
    const running = gateway(1000).runScript(vmIdOf('freed-vm'), 'echo ran', { name: 'late-1', timeoutInSeconds: 30 });
    // One of the others ends while the gateway waits to try again.
    await new Promise((r) => setTimeout(r, 500));
    await clients(sandbox).compute.virtualMachineRunCommands.delete(VM_RG, 'freed-vm', 'other-30-1').submitted();
    expect(await running).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'ran\n' });
    expect(warnings).toEqual(['run command late-1 was skipped (too many at once on the VM); trying again']);
    for (let i = 2; i <= 5; i += 1) {
      await clients(sandbox).compute.virtualMachineRunCommands.delete(VM_RG, 'freed-vm', `other-30-${i}`).submitted();
    }
  });

  it('reports a Run Command skipped every time as Skipped, not as a failure of the script or the VM', async () => {
    await occupy('busy-vm', 30);
    const result = await gateway(50).runScript(vmIdOf('busy-vm'), 'echo never', {
      name: 'busy-1',
      timeoutInSeconds: 30,
    });
    expect(result.executionState).toBe(SKIPPED_STATE);
    expect(result.exitCode).toBeUndefined();
    expect(result.executionMessage).toMatch(/too many Run Commands/);
    const probe = await runProbe(gateway(50), vmIdOf('busy-vm'), {
      mode: 'check',
      name: 'busy-2',
      timeoutInSeconds: 30,
    });
    expect(probe.facts).toBeUndefined();
    expect(probe.problems[0]).toBe('Run Command ended Skipped');
    for (let i = 1; i <= 5; i += 1) {
      await clients(sandbox).compute.virtualMachineRunCommands.delete(VM_RG, 'busy-vm', `other-30-${i}`).submitted();
    }
  });

  it('turns 409 on a stopped VM into one clear, not retryable "VM not running" error', async () => {
    const started = Date.now();
    const error = await gateway(50)
      .runScript(vmIdOf('stopped-vm'), 'true', { name: 'stopped-1', timeoutInSeconds: 30 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isAppError(error) && { code: error.code, retryable: error.retryable, status: error.statusCode }).toEqual({
      code: 'PRECONDITION_FAILED',
      retryable: false,
      status: 409,
    });
    expect(error instanceof Error && error.message).toMatch(/^VM not running: /);
    // No retry storm: refused at once.
    expect(Date.now() - started).toBeLessThan(2000);
    const probe = await runProbe(gateway(50), vmIdOf('stopped-vm'), {
      mode: 'check',
      name: 'stopped-2',
      timeoutInSeconds: 30,
    });
    expect(probe.problems).toHaveLength(1);
    expect(probe.problems[0]).toMatch(/VM not running/);
  });

  describe('asynchronous: start, read on later ticks, delete', () => {
    const until = async (read: () => Promise<string | undefined>, state: string): Promise<void> => {
      for (let i = 0; i < 200 && (await read()) !== state; i += 1) await new Promise((r) => setTimeout(r, 25));
    };

    it('starts without waiting for the script, reads it running and then ended, and deletes it', async () => {
      const g = gateway(50);
      const vm = vmIdOf('async-vm');
      await g.startScript(vm, 'echo begun; sleep 1; echo done', { name: 'ibg-async-1', timeoutInSeconds: 30 });
      const first = await g.readScript(vm, 'ibg-async-1');
      expect(first?.executionState).toBe('Running');
      await until(async () => (await g.readScript(vm, 'ibg-async-1'))?.executionState, 'Succeeded');
      expect(await g.readScript(vm, 'ibg-async-1')).toMatchObject({
        executionState: 'Succeeded',
        exitCode: 0,
        output: 'begun\ndone\n',
      });
      const listed: string[] = [];
      for await (const rc of g.listScripts(vm))
        listed.push(`${rc.name}:${rc.executionState}:${rc.startTime ? 'started' : '-'}`);
      expect(listed).toEqual(['ibg-async-1:Succeeded:started']);
      await g.deleteScript(vm, 'ibg-async-1');
      expect(await g.readScript(vm, 'ibg-async-1')).toBeUndefined();
      // Deleting what is already gone is not an error.
      await expect(g.deleteScript(vm, 'ibg-async-1')).resolves.toBeUndefined();
    });

    it('reads a time-out as TimedOut and a skipped Run Command as Skipped', async () => {
      const g = gateway(50);
      await g.startScript(vmIdOf('slow-vm'), 'sleep 30', { name: 'ibg-probe-async', timeoutInSeconds: 1 });
      await until(async () => (await g.readScript(vmIdOf('slow-vm'), 'ibg-probe-async'))?.executionState, 'TimedOut');
      expect((await g.readScript(vmIdOf('slow-vm'), 'ibg-probe-async'))?.exitCode).toBeUndefined();

      await occupy('busy-vm', 30);
      await g.startScript(vmIdOf('busy-vm'), 'echo never', { name: 'ibg-busy-async', timeoutInSeconds: 30 });
      expect((await g.readScript(vmIdOf('busy-vm'), 'ibg-busy-async'))?.executionState).toBe(SKIPPED_STATE);
      for (const name of ['ibg-busy-async', ...[1, 2, 3, 4, 5].map((i) => `other-30-${i}`)]) {
        await g.deleteScript(vmIdOf('busy-vm'), name);
      }
    });

    it('a stopped VM refuses the start at once (PRECONDITION_FAILED); a refused delete throws and leaves it', async () => {
      const g = gateway(50);
      const refused = await g
        .startScript(vmIdOf('stopped-vm'), 'true', { name: 'ibg-stopped', timeoutInSeconds: 30 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isAppError(refused) && refused.code).toBe('PRECONDITION_FAILED');

      const vm = vmIdOf('sticky-vm');
      await g.startScript(vm, 'true', { name: 'ibg-sticky', timeoutInSeconds: 30 });
      await expect(g.deleteScript(vm, 'ibg-sticky')).rejects.toThrow(/409|Conflict|in progress/i);
      expect(await g.readScript(vm, 'ibg-sticky')).toBeDefined();
      await g.deleteScript(vm, 'ibg-sticky');
      expect(await g.readScript(vm, 'ibg-sticky')).toBeUndefined();
    });
  });
});
