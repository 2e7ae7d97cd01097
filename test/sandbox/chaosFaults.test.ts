import { ComputeManagementClient } from '@azure/arm-compute';
import { type ChaosFault, type Sandbox, ScenarioError, startSandbox, validateScenario } from '../../sandbox';
import { SKIPPED_MESSAGE } from '../../sandbox/runCommandService';
import { seededRandom } from '../../sandbox/seededRandom';
import { LOCATION, SUB, VM_RG, testScenario, testVm } from './sandboxFixtures';

/** One chaos fault per VM, each on that VM's own paths, so the tests share one sandbox without disturbing each other. */
const chaosOn = (vm: string, pathTail: string, fault: Omit<ChaosFault, 'kind' | 'pathPattern'>): ChaosFault => ({
  kind: 'chaos',
  pathPattern: `/virtualMachines/${vm}${pathTail}`,
  hangMs: 20,
  ...fault,
});

const RUN_COMMAND = '/runCommands/[^/]+$';

/** A seed whose first draw fires at probability 0.5 and whose second does not: a reset, then a good answer. */
const RESET_ONCE_SEED = Array.from({ length: 100 }, (_, s) => s).find((s) => {
  const random = seededRandom(s);
  return random() < 0.5 && random() >= 0.5;
});
const VMS = ['vm-err', 'vm-throttle', 'vm-after', 'vm-before', 'vm-skip', 'vm-conflict', 'vm-half', 'vm-reset'];
const SEQUENCE_VMS = ['vm-seq-a', 'vm-seq-b', 'vm-seq-c'];

describe('sandbox chaos faults (seeded random request faults)', () => {
  let sandbox: Sandbox;
  /** The SDK without retries, so every fault reaches the caller. */
  let compute: ComputeManagementClient;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [...VMS, ...SEQUENCE_VMS, 'vm-forbidden'].map((name) => testVm(name, [])),
        {
          faults: [
            { kind: 'forbidden', pathPattern: '/virtualMachines/vm-forbidden$', method: 'GET' },
            chaosOn('vm-err', '$', { seed: 1, serverError: 1 }),
            chaosOn('vm-throttle', '$', { seed: 2, throttle: 1 }),
            chaosOn('vm-after', RUN_COMMAND, { seed: 3, timeoutAfter: 1, method: 'PUT' }),
            chaosOn('vm-before', RUN_COMMAND, { seed: 4, timeoutBefore: 1, method: 'PUT' }),
            chaosOn('vm-skip', RUN_COMMAND, { seed: 5, runCommandSkip: 1, method: 'PUT' }),
            chaosOn('vm-conflict', RUN_COMMAND, { seed: 6, runCommandConflict: 1 }),
            chaosOn('vm-half', '$', { seed: 7, serverError: 0.5 }),
            chaosOn('vm-reset', '$', { seed: RESET_ONCE_SEED ?? 0, timeoutBefore: 0.5 }),
            chaosOn('vm-seq-a', '$', { seed: 42, throttle: 0.3, serverError: 0.3 }),
            chaosOn('vm-seq-b', '$', { seed: 42, throttle: 0.3, serverError: 0.3 }),
            chaosOn('vm-seq-c', '$', { seed: 43, throttle: 0.3, serverError: 0.3 }),
          ],
        },
      ),
    });
    compute = new ComputeManagementClient(sandbox.credential, SUB, {
      endpoint: sandbox.url,
      retryOptions: { maxRetries: 0 },
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const counted = (kind: string): number => sandbox.faultCounts()[kind] ?? 0;

  /** The status a GET of the VM got: 200, or the error's status. */
  async function statusOfGet(vm: string): Promise<number> {
    try {
      await compute.virtualMachines.get(VM_RG, vm);
      return 200;
    } catch (e) {
      return (e as { statusCode?: number }).statusCode ?? -1;
    }
  }

  const putRunCommand = (vm: string, name: string) =>
    compute.virtualMachineRunCommands.beginCreateOrUpdateAndWait(
      VM_RG,
      vm,
      name,
      { location: LOCATION, source: { script: 'echo ran' }, asyncExecution: false, timeoutInSeconds: 30 },
      { updateIntervalInMs: 0 },
    );

  async function runCommandNames(vm: string): Promise<string[]> {
    const names: string[] = [];
    for await (const rc of compute.virtualMachineRunCommands.listByVirtualMachine(VM_RG, vm)) names.push(rc.name ?? '');
    return names;
  }

  it('serverError 1: every GET fails with 500 or 503, both occur, and each one is counted', async () => {
    const before = counted('serverError');
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await statusOfGet('vm-err'));
    expect(new Set(statuses)).toEqual(new Set([500, 503]));
    expect(counted('serverError') - before).toBe(20);
    expect(sandbox.requestStats().byRoute['fault.serverError']?.count).toBeGreaterThanOrEqual(20);
  });

  it('throttle 1: 429 with Retry-After 1 by default', async () => {
    const before = counted('throttle');
    const error = await compute.virtualMachines.get(VM_RG, 'vm-throttle').then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number; code?: string; response?: { headers: { get(n: string): unknown } } },
    );
    expect(error).toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    expect(error?.response?.headers.get('retry-after')).toBe('1');
    expect(counted('throttle') - before).toBe(1);
  });

  it('a forbidden fault (not chaos) is counted by its kind too', async () => {
    const before = counted('forbidden');
    expect(await statusOfGet('vm-forbidden')).toBe(403);
    expect(counted('forbidden') - before).toBe(1);
  });

  it('timeoutAfter 1: the PUT fails with a reset connection, yet the Run Command exists', async () => {
    const before = counted('timeoutAfter');
    await expect(putRunCommand('vm-after', 'lost-answer')).rejects.toMatchObject({
      message: expect.stringMatching(/socket hang up|ECONNRESET/i),
    });
    expect(counted('timeoutAfter') - before).toBe(1);
    expect(await runCommandNames('vm-after')).toEqual(['lost-answer']);
    expect(sandbox.requestStats().byRoute['fault.timeoutAfter']?.count).toBe(counted('timeoutAfter'));
  });

  it('timeoutBefore 1: the PUT fails with a reset connection, and no Run Command exists', async () => {
    const before = counted('timeoutBefore');
    await expect(putRunCommand('vm-before', 'never-handled')).rejects.toMatchObject({
      message: expect.stringMatching(/socket hang up|ECONNRESET/i),
    });
    expect(counted('timeoutBefore') - before).toBe(1);
    expect(await runCommandNames('vm-before')).toEqual([]);
  });

  it('runCommandSkip 1: the PUT is accepted, and the Run Command ends Failed as skipped without running', async () => {
    const before = counted('runCommandSkip');
    await putRunCommand('vm-skip', 'skipped');
    const rc = await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'vm-skip', 'skipped', {
      expand: 'instanceView',
    });
    expect(rc.instanceView).toMatchObject({ executionState: 'Failed', executionMessage: SKIPPED_MESSAGE });
    expect(rc.instanceView?.output ?? '').toBe('');
    expect(counted('runCommandSkip') - before).toBe(1);
  });

  it('runCommandConflict 1: the PUT gets 409 Conflict and nothing is created; other requests on the path pass', async () => {
    const before = counted('runCommandConflict');
    await expect(putRunCommand('vm-conflict', 'refused')).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      message: expect.stringMatching(/another operation/),
    });
    expect(counted('runCommandConflict') - before).toBe(1);
    // A GET of the same path draws no Run Command fault: it answers the ordinary 404.
    await expect(
      compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'vm-conflict', 'refused'),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect(await runCommandNames('vm-conflict')).toEqual([]);
  });

  it("a reset connection is retried by the SDK's default retry policy", async () => {
    const before = counted('timeoutBefore');
    const retrying = new ComputeManagementClient(sandbox.credential, SUB, {
      endpoint: sandbox.url,
      retryOptions: { retryDelayInMs: 10 },
    });
    await expect(retrying.virtualMachines.get(VM_RG, 'vm-reset')).resolves.toMatchObject({ name: 'vm-reset' });
    expect(counted('timeoutBefore') - before).toBe(1);
  });

  it('probability 0.5 over 200 requests: the failures are counted, within a wide binomial band', async () => {
    const before = counted('serverError');
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await statusOfGet('vm-half')) !== 200) failed += 1;
    expect(counted('serverError') - before).toBe(failed);
    expect(failed).toBeGreaterThanOrEqual(60);
    expect(failed).toBeLessThanOrEqual(140);
  });

  it('the same seed gives the same sequence of outcomes; another seed another one', async () => {
    const outcomes = async (vm: string): Promise<number[]> => {
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) seen.push(await statusOfGet(vm));
      return seen;
    };
    const a = await outcomes('vm-seq-a');
    const b = await outcomes('vm-seq-b');
    const c = await outcomes('vm-seq-c');
    expect(new Set(a)).toEqual(new Set([200, 429, 500, 503]));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe('chaos fault validation', () => {
  const withChaos = (chaos: Record<string, unknown>) =>
    testScenario([testVm('vm1', [])], { faults: [{ kind: 'chaos', seed: 1, ...chaos } as ChaosFault] });

  it.each([
    [{ throttle: 1.5 }, "scenario.faults[0]: chaos 'throttle' must be a probability from 0 to 1, not 1.5"],
    [
      { runCommandSkip: -0.1 },
      "scenario.faults[0]: chaos 'runCommandSkip' must be a probability from 0 to 1, not -0.1",
    ],
    [{ serverError: '0.5' }, `scenario.faults[0]: chaos 'serverError' must be a probability from 0 to 1, not "0.5"`],
    [{ seed: 1.5 }, "scenario.faults[0]: chaos 'seed' must be an integer"],
    [{ hangMs: -1 }, "scenario.faults[0]: chaos 'hangMs' must be a non-negative number"],
    [{ pathPattern: '(' }, "scenario.faults[0]: chaos 'pathPattern' is not a valid regular expression"],
  ])('%j', (chaos, message) => {
    expect(() => validateScenario(withChaos(chaos))).toThrow(new ScenarioError(message));
  });

  it('accepts probabilities 0 and 1 and refuses to start a sandbox with a bad one', async () => {
    expect(() => validateScenario(withChaos({ throttle: 0, timeoutAfter: 1 }))).not.toThrow();
    await expect(startSandbox({ scenario: withChaos({ timeoutBefore: 2 }) })).rejects.toThrow(ScenarioError);
  });
});
