import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, startSandbox } from '../../sandbox';
import type { VirtualMachineRunCommand } from '@azure/arm-compute';
import { LOCATION, VM_RG, clients, testScenario, testVm, vmIdOf } from './sandboxFixtures';

type RunCommandView = VirtualMachineRunCommand['instanceView'];

describe('sandbox managed Run Commands through the real Compute SDK', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm(
            'iris-vm',
            [{ path: '/etc/azure/marker.txt', content: 'hello from the VM\n', owner: 'nobody', mode: '640' }],
            {
              irisInstances: [{ name: 'IRIS', product: 'IRIS', status: 'running' }],
            },
          ),
          testVm('plain-vm', []),
          testVm('stuck-vm', []),
          testVm('busy-vm', []),
          testVm('stopped-vm', []),
        ],
        {
          faults: [
            { kind: 'runCommandTimeout', vm: 'stuck-vm', nameContains: 'probe' },
            { kind: 'vmNotRunning', vm: 'stopped-vm' },
          ],
          // Live output every 100 ms instead of Azure's 15 s, so a test sees it within a second.
          runCommand: { liveOutputIntervalMs: 100 },
        },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  async function run(
    vm: string,
    name: string,
    script: string,
    extra: { parameters?: { name: string; value: string }[]; timeoutInSeconds?: number } = {},
  ) {
    const { compute } = clients(sandbox);
    await compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      vm,
      name,
      {
        location: LOCATION,
        source: { script },
        asyncExecution: false,
        treatFailureAsDeploymentFailure: false,
        timeoutInSeconds: extra.timeoutInSeconds ?? 60,
        parameters: extra.parameters,
      },
      { updateIntervalInMs: 0 },
    );
    const rc = await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, vm, name, { expand: 'instanceView' });
    return rc.instanceView;
  }

  /** asyncExecution: the PUT is done once the script has started. */
  async function start(vm: string, name: string, script: string): Promise<void> {
    await clients(sandbox).compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      vm,
      name,
      { location: LOCATION, source: { script }, asyncExecution: true, timeoutInSeconds: 60 },
      { updateIntervalInMs: 0 },
    );
  }

  async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function waitForView(vm: string, name: string, ok: (v: RunCommandView) => boolean): Promise<RunCommandView> {
    let view: RunCommandView;
    const until = Date.now() + 5000;
    for (;;) {
      const rc = await clients(sandbox).compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, vm, name, {
        expand: 'instanceView',
      });
      view = rc.instanceView;
      if (ok(view) || Date.now() > until) return view;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('really runs the script under dash in the VM root, with parameters as environment variables', async () => {
    const view = await run(
      'iris-vm',
      'check-1',
      'cat "$IBG_ROOT/etc/azure/marker.txt"; echo "pwd=$(pwd)"; echo "who=$WHO"; stat -c %U:%a etc/azure/marker.txt; command -v iris >/dev/null && echo iris-found; echo oops >&2; exit 3',
      { parameters: [{ name: 'WHO', value: 'ibg' }] },
    );
    const root = sandbox.vmRoot(vmIdOf('iris-vm'));
    expect(view).toMatchObject({ executionState: 'Failed', exitCode: 3, error: 'oops\n' });
    expect(view?.output).toBe(`hello from the VM\npwd=${root}\nwho=ibg\nnobody:640\niris-found\n`);
    expect(view?.executionMessage).toContain('3');
    expect(view?.startTime).toBeInstanceOf(Date);
  });

  it('puts only the VM own simulated commands on PATH', async () => {
    const view = await run('plain-vm', 'check-2', 'command -v iris || echo no-iris');
    expect(view).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'no-iris\n' });
  });

  it('keeps only the last 4096 bytes of output', async () => {
    const view = await run('plain-vm', 'check-3', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done');
    expect(Buffer.byteLength(view?.output ?? '')).toBe(4096);
    expect(view?.output?.endsWith('line 1999\n')).toBe(true);
  });

  it('ends a script that exceeds timeoutInSeconds as Failed with exit code -1 (never TimedOut)', async () => {
    const view = await run('plain-vm', 'check-4', `echo started; sleep 30; echo "$IBG_ROOT" > late.txt`, {
      timeoutInSeconds: 1,
    });
    expect(view).toMatchObject({ executionState: 'Failed', exitCode: -1, output: 'started\n' });
    expect(fs.existsSync(path.join(sandbox.vmRoot(vmIdOf('plain-vm')), 'late.txt'))).toBe(false);
  });

  it('kills only the script own process at the time-out: what it started lives on', async () => {
    const root = sandbox.vmRoot(vmIdOf('plain-vm'));
    const view = await run('plain-vm', 'check-4b', `(sleep 1; echo done > survivor.txt) & sleep 30`, {
      timeoutInSeconds: 1,
    });
    expect(view).toMatchObject({ executionState: 'Failed', exitCode: -1 });
    await waitFor(() => fs.existsSync(path.join(root, 'survivor.txt')));
  });

  it('treats timeoutInSeconds 0 as no limit', async () => {
    const view = await run('plain-vm', 'check-4c', 'sleep 1; echo finished', { timeoutInSeconds: 0 });
    expect(view).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'finished\n' });
  });

  it('while running says Execution in progress and refreshes the output', async () => {
    await start('plain-vm', 'live-1', 'echo first; sleep 30');
    const view = await waitForView('plain-vm', 'live-1', (v) => v?.output === 'first\n');
    expect(view).toMatchObject({ executionState: 'Running', executionMessage: 'Execution in progress' });
    expect(view?.exitCode).toBeUndefined();
    await clients(sandbox).compute.virtualMachineRunCommands.delete(VM_RG, 'plain-vm', 'live-1').submitted();
  });

  it('a PUT on a name that is still running kills the earlier script', async () => {
    const root = sandbox.vmRoot(vmIdOf('plain-vm'));
    await start('plain-vm', 'again-1', 'sleep 1; echo first > first.txt');
    const view = await run('plain-vm', 'again-1', 'echo second');
    expect(view).toMatchObject({ executionState: 'Succeeded', output: 'second\n' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.existsSync(path.join(root, 'first.txt'))).toBe(false);
  });

  it('DELETE stops a running script', async () => {
    const root = sandbox.vmRoot(vmIdOf('plain-vm'));
    await start('plain-vm', 'del-1', 'sleep 1; echo late > deleted.txt');
    await clients(sandbox).compute.virtualMachineRunCommands.delete(VM_RG, 'plain-vm', 'del-1').submitted();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.existsSync(path.join(root, 'deleted.txt'))).toBe(false);
  });

  it('runs five at once on one VM; a sixth ends Failed as skipped, without an exit code', async () => {
    const names = [1, 2, 3, 4, 5].map((i) => `par-${i}`);
    for (const name of names) await start('busy-vm', name, 'sleep 30');
    const sixth = await run('busy-vm', 'par-6', 'echo never');
    expect(sixth).toMatchObject({ executionState: 'Failed', output: '' });
    expect(sixth?.executionMessage).toMatch(/skipped/i);
    expect(sixth?.exitCode).toBeUndefined();
    const { compute } = clients(sandbox);
    const running = await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'busy-vm', 'par-5', {
      expand: 'instanceView',
    });
    expect(running.instanceView?.executionState).toBe('Running');
    for (const name of names) await compute.virtualMachineRunCommands.delete(VM_RG, 'busy-vm', name).submitted();
    expect(await run('busy-vm', 'par-7', 'echo now')).toMatchObject({ executionState: 'Succeeded' });
  });

  it('refuses a Run Command on a VM that is not running with 409', async () => {
    await expect(run('stopped-vm', 'check-stopped', 'true')).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
  });

  it('injects a Run Command time-out fault for matching names only', async () => {
    expect(await run('stuck-vm', 'ibg-probe-1', 'echo hi')).toMatchObject({ executionState: 'Failed', exitCode: -1 });
    expect(await run('stuck-vm', 'other-1', 'echo hi')).toMatchObject({ executionState: 'Succeeded', output: 'hi\n' });
  });

  it('deletes a run command; a later GET is a 404 ARM error', async () => {
    const { compute } = clients(sandbox);
    await run('plain-vm', 'check-5', 'true');
    await compute.virtualMachineRunCommands.delete(VM_RG, 'plain-vm', 'check-5', { updateIntervalInMs: 0 });
    await expect(
      compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'plain-vm', 'check-5'),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('rejects a run command without a script with a 400 ARM error', async () => {
    const { compute } = clients(sandbox);
    await expect(
      compute.virtualMachineRunCommands.createOrUpdate(
        VM_RG,
        'plain-vm',
        'bad-1',
        { location: LOCATION, source: {} },
        { updateIntervalInMs: 0 },
      ),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
  });
});

describe('sandbox managed Run Commands: the handler install on a VM first use (scenario switch)', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([testVm('fresh-vm', [])], { runCommand: { firstUseDelaySeconds: 1 } }),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('keeps the first Run Command on a VM Pending while the handler installs; later ones start at once', async () => {
    const { compute } = clients(sandbox);
    const body = { location: LOCATION, source: { script: 'echo hi' }, asyncExecution: false, timeoutInSeconds: 60 };
    const first = Date.now();
    const poller = compute.virtualMachineRunCommands.createOrUpdate(VM_RG, 'fresh-vm', 'first-1', body, {
      updateIntervalInMs: 0,
    });
    await poller.submitted();
    const pending = await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'fresh-vm', 'first-1', {
      expand: 'instanceView',
    });
    expect(pending.instanceView?.executionState).toBe('Pending');
    await poller;
    expect(Date.now() - first).toBeGreaterThanOrEqual(1000);
    const second = Date.now();
    await compute.virtualMachineRunCommands.createOrUpdate(VM_RG, 'fresh-vm', 'second-1', body, {
      updateIntervalInMs: 0,
    });
    expect(Date.now() - second).toBeLessThan(1000);
  });
});
