/**
 * Asynchronous Run Commands end to end, through the real SDK gateways against the sandbox: a probe that times out,
 * one skipped for too many Run Commands on the VM, a stopped VM, deletes that keep failing (left to the next night's
 * sweep), the per-subscription Run Command budget, and what the sweep must never touch. The VM's Run Commands are
 * listed with the compute SDK, as an operator would see them.
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import type { FaultSpec, Scenario } from '../../sandbox/index';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { MAX_DELETE_FAILURES } from '../../src/shared/runs/phases/vmScript';
import { isTerminalStage } from '../../src/shared/runs/run';
import { backupJobsOf, MINUTE, recordingStarts, runOf, settle, tick, tonight } from './cycleHelpers';
import {
  ibgRunCommandsOn,
  runCommandsOn,
  singleVmScenario,
  smallScenario,
  startProtectionWorld,
  type ProtectionWorld,
} from './protectionWorld';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

const oneVm = (extra: Partial<Scenario> = {}): Scenario => ({
  ...singleVmScenario(),
  name: 'async-run-commands',
  ...extra,
});

/** PUTs a Run Command of our own (not through the app) on the VM with the compute SDK; it runs on by itself. */
async function putOwnRunCommand(w: ProtectionWorld, vmName: string, name: string): Promise<void> {
  await w.compute().virtualMachineRunCommands.beginCreateOrUpdateAndWait('rg-iris', vmName, name, {
    location: 'westeurope',
    source: { script: 'echo inventory' },
    asyncExecution: true,
    timeoutInSeconds: 0,
  });
}

describe('asynchronous Run Commands (sandbox, real SDK gateways)', () => {
  let azurite: AzuriteTables;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());
  let w: ProtectionWorld | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  const start = async (scenario: Scenario, env: Record<string, string> = {}): Promise<ProtectionWorld> => {
    w = await startProtectionWorld(scenario, azurite, env);
    return w;
  };

  it('a probe that times out: the backup goes ahead, PreflightUnavailable says why, its Run Command is deleted', async () => {
    const faults: FaultSpec[] = [{ kind: 'runCommandTimeout', vm: 'iris-a', nameContains: 'preflight' }];
    const world = await start(oneVm({ faults }));
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    const started: string[] = [];
    const deps = recordingStarts(world.deps, started);
    await runNightlyProtection(deps, night);
    expect((await runOf(world, night, 'iris-a'))?.stage).toBe('preflight');

    await tick(world, deps);
    const run = await runOf(world, night, 'iris-a');
    expect(run?.stage).toBe('backup-running');
    expect(run?.preflight?.error).toMatch(/did not finish within its time-out/);
    expect(run?.preflight?.vmNotRunning).toBeUndefined();
    // A time-out is not retried: one PUT, and the Run Command is gone from the VM.
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(/^ibg-preflight-/);
    expect(await ibgRunCommandsOn(world, 'iris-a')).toEqual([]);
    expect(world.alerts.map((a) => a.code)).toEqual(['PreflightUnavailable']);
    expect(world.alerts[0]?.message).toContain('did not finish within its time-out');
    expect(await backupJobsOf(world, 'iris-a', since)).toHaveLength(1);

    // The logs' probe is not affected: the run ends with its verdict.
    const [done] = await settle(world, deps, night, ['iris-a']);
    expect(done?.stage).toBe('done');
    expect(done?.verdict?.consistency).toBe('iris-consistent');
    expect(await ibgRunCommandsOn(world, 'iris-a')).toEqual([]);
  }, 180_000);

  it('a probe skipped for too many Run Commands on the VM: started again under a new name, then given up on', async () => {
    // No slot on the VM at all: every PUT is skipped by the handler.
    const world = await start(oneVm({ runCommand: { maxParallelPerVm: 0 } }));
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    const started: string[] = [];
    const deletes: { name: string; ok: boolean }[] = [];
    const deps = recordingStarts(world.deps, started, deletes);
    await runNightlyProtection(deps, night);
    expect(started).toHaveLength(1);

    // Each tick reads the skipped one, deletes it and starts the next attempt under a new name in the freed slot.
    await tick(world, deps);
    expect(started).toHaveLength(2);
    expect((await runOf(world, night, 'iris-a'))?.script?.attempt).toBe(2);
    expect((await runOf(world, night, 'iris-a'))?.stage).toBe('preflight');
    expect(world.alerts).toEqual([]);
    await tick(world, deps);
    expect(started).toHaveLength(3);

    // The third attempt is the last: the preflight ends without a result and the backup goes ahead.
    await tick(world, deps);
    expect(started).toHaveLength(3);
    expect(new Set(started).size).toBe(3);
    expect(started.map((n) => n.slice(-2))).toEqual(['-1', '-2', '-3']);
    for (const name of started) expect(name).toMatch(/^ibg-preflight-/);
    expect(deletes).toEqual(started.map((name) => ({ name, ok: true })));
    const run = await runOf(world, night, 'iris-a');
    expect(run?.stage).toBe('backup-running');
    expect(run?.preflight?.error).toMatch(/skipped.*\(3 attempts\)/);
    expect(world.alerts.map((a) => a.code)).toEqual(['PreflightUnavailable']);
    expect(await backupJobsOf(world, 'iris-a', since)).toHaveLength(1);
    expect(await ibgRunCommandsOn(world, 'iris-a')).toEqual([]);
  }, 180_000);

  it('a probe skipped while the VM runs another Run Command: the next attempt, once the slot is free, gives the result', async () => {
    // One Run Command at a time on the VM, each taking 30 s of sandbox time (within the probe's 60 s time-out).
    const world = await start(oneVm({ runCommand: { maxParallelPerVm: 1, durationSeconds: { min: 30, max: 30 } } }));
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    // Someone else's Run Command holds the VM's only slot when the nightly call starts the probe.
    await putOwnRunCommand(world, 'iris-a', 'ops-maintenance');
    const started: string[] = [];
    const deletes: { name: string; ok: boolean }[] = [];
    const deps = recordingStarts(world.deps, started, deletes);
    await runNightlyProtection(deps, night);
    expect(started).toHaveLength(1);

    // A minute later the other one has ended: the skipped probe is deleted and started again under a new name.
    await tick(world, deps, MINUTE);
    const retried = await runOf(world, night, 'iris-a');
    expect(retried?.stage).toBe('preflight');
    expect(retried?.script).toEqual(expect.objectContaining({ attempt: 2, name: started[1] }));
    expect(started.map((n) => n.slice(-2))).toEqual(['-1', '-2']);
    expect(deletes).toEqual([{ name: started[0], ok: true }]);

    // The next tick reads its result: a preflight with findings, no alert, and the backup.
    await tick(world, deps, MINUTE);
    const run = await runOf(world, night, 'iris-a');
    expect(run?.stage).toBe('backup-running');
    expect(run?.preflight?.error).toBeUndefined();
    expect(world.alerts).toEqual([]);
    expect(started).toHaveLength(2);
    expect(await backupJobsOf(world, 'iris-a', since)).toHaveLength(1);
    // Only someone else's Run Command is left on the VM.
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toEqual(['ops-maintenance']);
  }, 180_000);

  it('a stopped VM: VmNotRunning, preflight.vmNotRunning, and one backup job still triggered', async () => {
    const world = await start(oneVm({ faults: [{ kind: 'vmNotRunning', vm: 'iris-a' }] }));
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    await runNightlyProtection(world.deps, night);
    await tick(world, world.deps);

    const run = await runOf(world, night, 'iris-a');
    expect(run?.preflight?.vmNotRunning).toBe(true);
    expect(run?.preflight?.findings).toEqual([]);
    expect(run?.backup.triggerRequestedAt).toBeDefined();
    expect(world.alerts.filter((a) => a.code === 'VmNotRunning').map((a) => a.vmId)).toEqual([world.vmId('iris-a')]);
    expect(world.alerts.map((a) => a.code)).not.toContain('PreflightUnavailable');
    // The refused PUT left nothing on the VM.
    expect(await runCommandsOn(world, 'iris-a')).toEqual([]);

    const [ended] = await settle(world, world.deps, night, ['iris-a']);
    expect(isTerminalStage(ended?.stage ?? 'preflight')).toBe(true);
    expect(await backupJobsOf(world, 'iris-a', since)).toHaveLength(1);
    expect(world.alerts.filter((a) => a.code === 'VmNotRunning')).toHaveLength(1);
  }, 180_000);

  it('deletes that keep failing: the run stops retrying and ends, its Run Commands stay, the next night sweeps them', async () => {
    // Every DELETE the run will send is refused (409 Conflict, not retried by the SDK); the next one works.
    const refusals = 2 * MAX_DELETE_FAILURES;
    const world = await start(
      oneVm({
        faults: [{ kind: 'runCommandDeleteFailure', vm: 'iris-a', count: refusals }],
        // A long transfer keeps the run active until both scripts' deletes have run out of retries.
        backup: { durationMinutes: 20, transferMinutes: 120 },
      }),
    );
    const night = tonight(world);
    const started: string[] = [];
    const deletes: { name: string; ok: boolean }[] = [];
    const deps = recordingStarts(world.deps, started, deletes);
    await runNightlyProtection(deps, night);
    let run = await runOf(world, night, 'iris-a');
    for (let i = 0; i < 30 && !isTerminalStage(run?.stage ?? 'preflight'); i += 1) {
      await tick(world, deps, 10 * MINUTE);
      run = await runOf(world, night, 'iris-a');
    }
    expect(run?.stage).toBe('done');
    expect(run?.verdict?.consistency).toBe('iris-consistent');
    expect(started).toHaveLength(2);
    const tonightsScripts = [...started];
    // Each script's delete was asked MAX_DELETE_FAILURES times, every time refused, and then left alone.
    expect(deletes).toHaveLength(refusals);
    expect(deletes.every((d) => !d.ok)).toBe(true);
    for (const name of tonightsScripts)
      expect(deletes.filter((d) => d.name === name)).toHaveLength(MAX_DELETE_FAILURES);
    expect(run?.scriptsToDelete?.map((d) => [d.name, d.failures])).toEqual(
      tonightsScripts.map((name) => [name, MAX_DELETE_FAILURES]),
    );
    expect(await ibgRunCommandsOn(world, 'iris-a')).toEqual([...tonightsScripts].sort());

    // A further tick does not touch the finished run.
    await tick(world, deps, 10 * MINUTE);
    expect(deletes).toHaveLength(refusals);

    // The next night's sweep removes both; only the new night's probe, which its run waits for, is on the VM.
    world.sandbox.clock.advance(24 * 60 * MINUTE);
    const next = tonight(world);
    expect(next).not.toBe(night);
    await runNightlyProtection(deps, next);
    expect(deletes.slice(refusals)).toEqual(
      expect.arrayContaining(tonightsScripts.map((name) => ({ name, ok: true }))),
    );
    const left = await ibgRunCommandsOn(world, 'iris-a');
    expect(left).toEqual([(await runOf(world, next, 'iris-a'))?.script?.name]);
    expect(world.log.lines.find((l) => l.message === 'Swept stale Run Commands')?.details).toEqual(
      expect.objectContaining({ deleted: 2, failed: [] }),
    );
  }, 180_000);

  it('the Run Command budget per subscription: one script at a time, the others start on later ticks, all end done', async () => {
    const world = await start(smallScenario(), { IBG_RUN_COMMANDS_PER_SUBSCRIPTION: '1' });
    expect(world.deps.settings.runCommandsPerSubscription).toBe(1);
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    const started: string[] = [];
    const deps = recordingStarts(world.deps, started);
    await runNightlyProtection(deps, night);

    // Only one probe started at the nightly call; the other runs wait for a slot with their script queued.
    expect(started).toHaveLength(1);
    const runs = await Promise.all(ENROLLED.map((n) => runOf(world, night, n)));
    expect(runs.map((r) => r?.stage)).toEqual(['preflight', 'preflight', 'preflight']);
    expect(runs.filter((r) => r?.script?.startedAt !== undefined)).toHaveLength(1);
    expect(runs.filter((r) => r?.script !== undefined && r.script.startedAt === undefined)).toHaveLength(2);
    const onVms = async (): Promise<number> =>
      (await Promise.all(ENROLLED.map((n) => ibgRunCommandsOn(world, n)))).flat().length;
    expect(await onVms()).toBe(1);

    // Each tick reads the script in flight, and its freed slot starts the next: never two at once. Ticks every two
    // minutes, so that the last VM's probe gets its slot within the preflight's limit (15 minutes by default).
    const startsPerTick: number[] = [];
    for (let ticks = 0; ticks < 80; ticks += 1) {
      const all = await Promise.all(ENROLLED.map((n) => runOf(world, night, n)));
      if (all.every((r) => r !== undefined && isTerminalStage(r.stage))) break;
      expect(all.filter((r) => r?.script?.startedAt !== undefined).length).toBeLessThanOrEqual(1);
      const before = started.length;
      await tick(world, deps, 2 * MINUTE);
      startsPerTick.push(started.length - before);
    }
    expect(startsPerTick.every((n) => n <= 1)).toBe(true);
    // The second and third preflight probes started on the first two ticks, not at the nightly call.
    expect(startsPerTick.slice(0, 2)).toEqual([1, 1]);
    for (const name of ENROLLED) {
      const run = await runOf(world, night, name);
      expect([name, run?.stage]).toEqual([name, 'done']);
      expect(await backupJobsOf(world, name, since)).toHaveLength(1);
    }
    // Three preflights and three logs' probes, each once (names are unique per VM, not across VMs).
    expect(started.map((n) => n.split('-')[1]).sort()).toEqual([
      'logs',
      'logs',
      'logs',
      'preflight',
      'preflight',
      'preflight',
    ]);
    expect(world.alerts.map((a) => a.code)).not.toContain('PreflightUnavailable');
    expect(await onVms()).toBe(0);
  }, 180_000);

  it('the sweep never touches a Run Command without the ibg- prefix, nor the one an active run waits for', async () => {
    const world = await start(
      oneVm({
        // A Run Command's result shows only after 45 s of sandbox time (within the probe's 60 s time-out): the run
        // still waits for its probe at the sweep.
        runCommand: { durationSeconds: { min: 45, max: 45 } },
      }),
    );
    const night = tonight(world);
    // Someone else's Run Command, ended; and a stale one of the app's (an interrupted CLI check), ended too.
    await putOwnRunCommand(world, 'iris-a', 'ops-inventory');
    await putOwnRunCommand(world, 'iris-a', 'ibg-check-stale');
    await world.sandbox.idle();
    world.sandbox.clock.advance(MINUTE);
    expect(await runCommandsOn(world, 'iris-a')).toEqual([
      { name: 'ibg-check-stale', executionState: 'Succeeded' },
      { name: 'ops-inventory', executionState: 'Succeeded' },
    ]);

    // The first call's sweep removes only the app's stale one, then the run starts its probe.
    await runNightlyProtection(world.deps, night);
    const waiting = (await runOf(world, night, 'iris-a'))?.script?.name ?? '';
    expect(waiting).toMatch(/^ibg-preflight-/);
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toEqual([waiting, 'ops-inventory'].sort());

    // A second call while the probe is running, then one after it ended but before the run read it: its run
    // waits for it, so the sweep leaves it.
    await world.sandbox.idle();
    expect((await runCommandsOn(world, 'iris-a')).find((rc) => rc.name === waiting)?.executionState).toBe('Running');
    await runNightlyProtection(world.newInstance(), night);
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toEqual([waiting, 'ops-inventory'].sort());
    world.sandbox.clock.advance(MINUTE);
    expect((await runCommandsOn(world, 'iris-a')).find((rc) => rc.name === waiting)?.executionState).toBe('Succeeded');
    await runNightlyProtection(world.newInstance(), night);
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toEqual([waiting, 'ops-inventory'].sort());

    // The run reads its probe: a result with findings, not a Run Command lost to the sweep.
    await tick(world, world.deps);
    const run = await runOf(world, night, 'iris-a');
    expect(run?.stage).toBe('backup-running');
    expect(run?.preflight?.error).toBeUndefined();
    expect(world.alerts).toEqual([]);
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toEqual(['ops-inventory']);

    // Nor does the next night's sweep touch someone else's Run Command.
    await settle(world, world.deps, night, ['iris-a']);
    world.sandbox.clock.advance(24 * 60 * MINUTE);
    await runNightlyProtection(world.deps, tonight(world));
    expect((await runCommandsOn(world, 'iris-a')).map((rc) => rc.name)).toContain('ops-inventory');
  }, 180_000);
});
