import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, startSandbox } from '../../sandbox';
import { LOCATION, VM_RG, clients, testScenario, testVm, vmIdOf } from './sandboxFixtures';

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
        ],
        { faults: [{ kind: 'runCommandTimeout', vm: 'stuck-vm', nameContains: 'probe' }] },
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

  it('kills a script that exceeds timeoutInSeconds and reports TimedOut', async () => {
    const view = await run('plain-vm', 'check-4', `echo started; sleep 30; echo "$IBG_ROOT" > late.txt`, {
      timeoutInSeconds: 1,
    });
    expect(view).toMatchObject({ executionState: 'TimedOut', output: 'started\n' });
    expect(fs.existsSync(path.join(sandbox.vmRoot(vmIdOf('plain-vm')), 'late.txt'))).toBe(false);
  });

  it('injects a Run Command time-out fault for matching names only', async () => {
    expect(await run('stuck-vm', 'ibg-probe-1', 'echo hi')).toMatchObject({ executionState: 'TimedOut' });
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
