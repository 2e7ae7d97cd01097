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
        [testVm('slow-vm', []), testVm('busy-vm', []), testVm('freed-vm', []), testVm('stopped-vm', [])],
        {
          faults: [
            { kind: 'runCommandTimeout', vm: 'slow-vm', nameContains: 'probe' },
            { kind: 'vmNotRunning', vm: 'stopped-vm' },
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
});
