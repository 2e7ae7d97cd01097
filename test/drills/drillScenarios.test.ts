/**
 * Restore drills that fail, or cannot conclude, in the sandbox, through the real SDK clients: each fault of the
 * restored copy ends the drill at its stage with its reason, raises its alert, writes one drill record, and leaves
 * nothing in the drill resource group (safety invariant 6).
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import { scenarioVmId, type FaultSpec } from '../../sandbox/index';
import { drillVmName } from '../../src/shared/drills/drillTarget';
import { nightOf } from '../../src/shared/protection/night';
import { runIdOf, vmKeyOf } from '../../src/shared/runs/run';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { Run } from '../../src/shared/runs/run';
import { MINUTE, tonight } from '../protection/cycleHelpers';
import { protectionVm, SUB, type ProtectionWorld } from '../protection/protectionWorld';
import {
  alertCodes,
  drillGroupNames,
  drillRecords,
  emptyCalls,
  groupResources,
  recordingDrillCalls,
  restoreJobs,
  untilEnded,
} from './drillHarness';
import { drillScenario, startDrillWorld } from './drillWorld';

describe('restore drill scenarios (sandbox)', () => {
  let azurite: AzuriteTables;
  let w: ProtectionWorld | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  /** One VM (iris-a unless `vm` is given) with `faults`, its night run until it ends. */
  let calls = emptyCalls();
  async function drill(faults: FaultSpec[], vm = 'iris-a', env: Record<string, string> = {}): Promise<Run> {
    const scenario = drillScenario([vm], { faults });
    w = await startDrillWorld(scenario, env, azurite);
    calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    return untilEnded(w, night, vm, { deps, stepMs: 10 * MINUTE });
  }

  const groupResourcesOf = () => groupResources(world());
  const world = (): ProtectionWorld => {
    if (w === undefined) throw new Error('no world');
    return w;
  };

  it('integrity errors: failed at integrity, the record names the database, read from the evidence blob', async () => {
    const run = await drill([{ kind: 'restoredIntegrityErrors', vm: 'iris-a' }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'integrity' });
    const db = run.drill?.integrity?.databases.find((d) => d.status === 'errors')?.directory;
    expect(db).toBeDefined();
    expect(run.drill?.outcome?.reason).toContain(db ?? '?');
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    const [record, ...more] = await drillRecords(world());
    expect(more).toEqual([]);
    expect(record).toMatchObject({ verdict: 'failed', failedStage: 'integrity', vmName: 'iris-a' });
    expect(record?.integrity).toMatchObject({ status: 'errors', source: 'evidence' });
    expect(JSON.stringify(record)).toContain(db ?? '?');
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('restore job failure: failed at restore, alerted, one restore job, nothing left', async () => {
    const run = await drill([{ kind: 'restoreFailure', vm: 'iris-a' }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'restore' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    expect(await drillRecords(world())).toEqual([
      expect.objectContaining({ verdict: 'failed', failedStage: 'restore', vmName: 'iris-a' }),
    ]);
    expect(await restoreJobs(world(), new Date(0))).toHaveLength(1);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('VM creation fails leaving disks: failed at restore, the disks claimed (tagged) and deleted', async () => {
    const run = await drill([{ kind: 'restoreVmCreationFails', vm: 'iris-a' }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'restore' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    // The claim found the unattached disks named after the drill VM and tagged them before deleting them.
    const disks = calls.tagged.filter((t) => t.kind === 'disk');
    expect(disks.length).toBeGreaterThan(0);
    expect(calls.tagged.filter((t) => t.kind !== 'disk')).toEqual([]);
    for (const t of disks) {
      expect(t.id).toMatch(/\/resourceGroups\/rg-drill\/providers\/Microsoft\.Compute\/disks\/ibg-drill-.*-osdisk-/i);
      expect(t.tags['ibg-drill-run']).toBe(run.id);
      expect(calls.deleted).toContainEqual(expect.objectContaining({ kind: 'disk', id: t.id, result: 'deleted' }));
    }
    expect(run.drill?.cleanup.deletedAt).toBeDefined();
    expect(await drillRecords(world())).toEqual([
      expect.objectContaining({ verdict: 'failed', failedStage: 'restore' }),
    ]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('VM never boots: failed at boot, the VM deleted', async () => {
    const run = await drill([{ kind: 'restoredVmNeverBoots', vm: 'iris-a' }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'boot' });
    expect(calls.deleted).toContainEqual(
      expect.objectContaining({ kind: 'vm', id: run.drill?.vmId, result: 'deleted' }),
    );
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    expect(await drillRecords(world())).toEqual([expect.objectContaining({ verdict: 'failed', failedStage: 'boot' })]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('IRIS never comes up on the restored copy: failed at iris', async () => {
    const run = await drill([{ kind: 'restoredIrisNeverStarts', vm: 'iris-a' }], 'iris-a', {
      IBG_DRILL_IRIS_START_MINUTES: '1',
    });
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'iris' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    expect(await drillRecords(world())).toEqual([expect.objectContaining({ verdict: 'failed', failedStage: 'iris' })]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('verifier time-out: inconclusive at verify', async () => {
    // Run Command faults name the VM the script runs on: the drill VM, whose name the run id fixes.
    const runId = runIdOf(
      nightOf(new Date(), 'UTC'),
      vmKeyOf(scenarioVmId({ subscriptionId: SUB, resourceGroup: 'rg-iris', name: 'iris-a' })),
    );
    const drillVm = drillVmName(runId, 'iris-a', nightOf(new Date(), 'UTC'));
    const run = await drill([{ kind: 'runCommandTimeout', vm: drillVm, nameContains: 'verify' }]);
    expect(run.drill?.vmName).toBe(drillVm);
    expect(run.stage).toBe('done');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'inconclusive', stage: 'verify' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillInconclusive');
    expect(await drillRecords(world())).toEqual([
      expect.objectContaining({ verdict: 'inconclusive', failedStage: 'verify' }),
    ]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('a database missing from the restored copy: failed at integrity, naming it', async () => {
    const run = await drill([{ kind: 'restoredDatabaseMissing', vm: 'iris-a' }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'integrity' });
    const missing = run.drill?.integrity?.databases.find((d) => d.status === 'not-mounted')?.directory;
    expect(missing).toBeDefined();
    expect(run.drill?.outcome?.reason).toContain(missing ?? '?');
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    const records = await drillRecords(world());
    expect(records).toEqual([expect.objectContaining({ verdict: 'failed', failedStage: 'integrity' })]);
    expect(JSON.stringify(records[0])).toContain(missing ?? '?');
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('a file-system-consistent point (IRIS not frozen) is drilled and passes with a crash-recovery note', async () => {
    const scenario = drillScenario([]);
    scenario.vms = [
      protectionVm('iris-noconfig', {
        files: [
          ...hardenedSetupFiles().filter((f) => !f.path.endsWith('.json')),
          // A running IRIS has written its startup to messages.log (the sandbox writes it only once IRIS logs).
          {
            path: '/usr/irissys/mgr/messages.log',
            content: '12/01/26-08:00:00:000 (1200) 0 [Generic.Event] Startup of InterSystems IRIS\n',
          },
        ],
      }),
    ];
    w = await startDrillWorld(scenario, {}, azurite);
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const run = await untilEnded(w, night, 'iris-noconfig');
    // Whatever the backup verdict calls such a point, unless it is 'failed' the point must be drilled.
    expect(run.verdict?.consistency).not.toBe('failed');
    expect(run.drill).toBeDefined();
    expect(run.drill?.outcome?.verdict).toBe('passed');
    expect(run.drill?.verifier?.freeze).toBe('none');
    expect(run.drill?.outcome?.notes.join(' ')).toMatch(/file-system-consistent.*crash recovery/);
    expect(await drillRecords(world())).toEqual([expect.objectContaining({ verdict: 'passed', freeze: 'none' })]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('isolation breached: inconclusive at isolation, a critical alert, IRIS never started on the drill VM', async () => {
    const run = await drill([{ kind: 'drillNetworkNotIsolated', vm: 'iris-a' }]);
    expect(run.stage).toBe('done');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'inconclusive', stage: 'isolation' });
    expect(run.drill?.verifier).toMatchObject({ isolation: 'breached', iris: 'not-started' });
    const alert = world().alerts.find((a) => a.code === 'DrillNotIsolated');
    expect(alert?.severity).toBe('critical');
    expect(await drillRecords(world())).toEqual([
      expect.objectContaining({ verdict: 'inconclusive', failedStage: 'isolation' }),
    ]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('drill slots (IBG_DRILL_MAX_CONCURRENT=1): two VMs drill one after the other, both pass, nothing left', async () => {
    w = await startDrillWorld(drillScenario(['iris-a', 'iris-b']), { IBG_DRILL_MAX_CONCURRENT: '1' }, azurite);
    calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    // Never two drill VMs at once in the drill group.
    let most = 0;
    for (let i = 0; i < 60; i += 1) {
      const vms = (await drillGroupNames(world())).filter((n) => n.startsWith('vm '));
      most = Math.max(most, vms.length);
      const runs = await Promise.all(
        ['iris-a', 'iris-b'].map((n) => untilEnded(world(), night, n, { deps, maxTicks: 1 }).catch(() => undefined)),
      );
      if (runs.every((r) => r !== undefined)) break;
    }
    const a = await untilEnded(world(), night, 'iris-a', { deps });
    const b = await untilEnded(world(), night, 'iris-b', { deps });
    expect([a.drill?.outcome?.verdict, b.drill?.outcome?.verdict]).toEqual(['passed', 'passed']);
    expect(most).toBe(1);
    expect(await drillRecords(world())).toHaveLength(2);
    expect(await restoreJobs(world(), new Date(0))).toHaveLength(2);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('a failed restore that created nothing, with IBG_DRILL_KEEP_HOURS: nothing to keep, the run ends at once', async () => {
    const run = await drill([{ kind: 'restoreFailure', vm: 'iris-a' }], 'iris-a', { IBG_DRILL_KEEP_HOURS: '2' });
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'restore' });
    expect(run.reason).not.toMatch(/kept for investigation/);
    expect(calls.tagged).toEqual([]);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('VM creation fails leaving disks, with IBG_DRILL_KEEP_HOURS: the disks kept, tagged with the deadline', async () => {
    const run = await drill([{ kind: 'restoreVmCreationFails', vm: 'iris-a' }], 'iris-a', {
      IBG_DRILL_KEEP_HOURS: '2',
    });
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'restore' });
    const keptUntil = run.drill?.cleanup.keptUntil;
    expect(keptUntil).toBeDefined();
    const left = await groupResourcesOf();
    expect(left.length).toBeGreaterThan(0);
    for (const r of left) expect(r.tags['ibg-expires']).toBe(keptUntil);
  }, 120_000);

  /** A restore job that outlasts its stage limit: the drill ends inconclusive, cleanup waits for the job's VM. */
  async function slowRestore(restoreMinutes: number): Promise<Run> {
    const scenario = drillScenario(['iris-a']);
    if (scenario.backup) scenario.backup.restoreFromSnapshotMinutes = restoreMinutes;
    w = await startDrillWorld(scenario, { IBG_LIMIT_RESTORE_MINUTES: '30' }, azurite);
    calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    const run = await untilEnded(w, night, 'iris-a', { deps, stepMs: 5 * MINUTE, maxTicks: 120 });
    expect(run.drill?.outcome).toMatchObject({ verdict: 'inconclusive', stage: 'restore' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillInconclusive');
    return run;
  }

  it('a restore job that outlasts its limit: inconclusive at restore, its VM claimed and deleted when it appears', async () => {
    const run = await slowRestore(60);
    expect(run.stage).toBe('done');
    expect(calls.tagged.some((t) => t.kind === 'vm')).toBe(true);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('a restore job that ends after the cleanup limit: its VM is still claimed and deleted', async () => {
    const run = await slowRestore(100);
    // Cleanup waited for the job (past IBG_LIMIT_CLEANUP_MINUTES from its start), then claimed and deleted its VM.
    expect(run.stage).toBe('done');
    expect(alertCodes(world(), 'iris-a')).not.toContain('DrillCleanupIncomplete');
    expect(calls.tagged.some((t) => t.kind === 'vm')).toBe(true);
    // Let the job finish and its VM appear, then the next nightly sweeps.
    world().sandbox.clock.advance(120 * MINUTE);
    await world().sandbox.idle();
    await runNightlyProtection(world().deps, tonight(world()));
    const left = await groupResources(world());
    // Invariant 6: nothing the drill created is left without the app's tags and a deadline.
    for (const r of left) expect([r.kind, r.name, r.tags['ibg-expires'] !== undefined]).toEqual([r.kind, r.name, true]);
  }, 180_000);

  it('the restore POST fails with server errors past the SDK retries: the run asks once more, one restore job', async () => {
    const run = await drill([
      { kind: 'serverError', pathPattern: 'recoveryPoints/[^/]+/restore$', method: 'POST', nth: 1, count: 4 },
    ]);
    expect(run.stage).toBe('done');
    expect(run.drill?.outcome?.verdict).toBe('passed');
    expect(run.drill?.retriggeredAt).toBeDefined();
    expect(alertCodes(world(), 'iris-a')).toContain('RestoreRetriggered');
    expect(await restoreJobs(world(), new Date(0))).toHaveLength(1);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  it('Azure refuses the restore (4xx): failed at restore, no restore job, nothing claimed', async () => {
    const run = await drill([
      {
        kind: 'serverError',
        pathPattern: 'recoveryPoints/[^/]+/restore$',
        method: 'POST',
        nth: 1,
        count: 10,
        statusCode: 400,
      },
    ]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'restore' });
    expect(run.drill?.outcome?.reason).toMatch(/Azure refused the restore/);
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    expect(await restoreJobs(world(), new Date(0))).toEqual([]);
    expect(calls.tagged).toEqual([]);
    expect(await drillRecords(world())).toEqual([
      expect.objectContaining({ verdict: 'failed', failedStage: 'restore' }),
    ]);
  }, 120_000);

  it('the drill VM stays stopped (vmNotRunning): failed at boot, no verifier started, the VM deleted', async () => {
    const night = nightOf(new Date(), 'UTC');
    const runId = runIdOf(
      night,
      vmKeyOf(scenarioVmId({ subscriptionId: SUB, resourceGroup: 'rg-iris', name: 'iris-a' })),
    );
    const run = await drill([{ kind: 'vmNotRunning', vm: drillVmName(runId, 'iris-a', night) }]);
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'boot' });
    expect(alertCodes(world(), 'iris-a')).toContain('DrillFailed');
    expect(calls.started.filter((c) => c.vmId === run.drill?.vmId)).toEqual([]);
    expect(calls.deleted).toContainEqual(
      expect.objectContaining({ kind: 'vm', id: run.drill?.vmId, result: 'deleted' }),
    );
    expect(await drillRecords(world())).toHaveLength(1);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 180_000);

  // vm/drill-verify.sh verifies every instance qlist lists: a corrupt second instance fails the drill.
  it('two IRIS instances, integrity errors in the second one only: failed at integrity, naming its database', async () => {
    const scenario = drillScenario([], {
      faults: [{ kind: 'restoredIntegrityErrors', vm: 'iris-a', instance: 'IRIS2' }],
    });
    scenario.vms = [
      protectionVm('iris-a', {
        irisInstances: [
          { name: 'IRIS', product: 'IRIS', status: 'running' },
          { name: 'IRIS2', product: 'IRIS', status: 'running', installDir: '/opt/iris2' },
        ],
      }),
    ];
    w = await startDrillWorld(scenario, {}, azurite);
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const run = await untilEnded(w, night, 'iris-a', { stepMs: 10 * MINUTE });
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'integrity' });
    expect(run.drill?.outcome?.reason).toContain('/opt/iris2/');
    expect(run.drill?.outcome?.reason).not.toContain('/usr/irissys/');
    const dbs = run.drill?.integrity?.databases.map((d) => d.directory) ?? [];
    expect(dbs.some((d) => d.startsWith('/usr/irissys/'))).toBe(true);
    expect(dbs.some((d) => d.startsWith('/opt/iris2/'))).toBe(true);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);

  it('an older point sampled (IBG_DRILL_OLDER_POINT_EVERY=1): a vault-tier point restored, recorded as sampled', async () => {
    const scenario = drillScenario([]);
    scenario.vms = [
      protectionVm('iris-a', {
        existingRecoveryPoints: [{ ageHours: 30, type: 'AppConsistent', tiers: ['HardenedRP'] }],
      }),
    ];
    w = await startDrillWorld(scenario, { IBG_DRILL_OLDER_POINT_EVERY: '1' }, azurite);
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const run = await untilEnded(w, night, 'iris-a', { stepMs: 10 * MINUTE });
    expect(run.drill?.point).toMatchObject({ sampled: true, tier: 'vault' });
    expect(Date.parse(run.drill?.point?.time ?? '')).toBeLessThan(Date.parse(run.recoveryPoint?.time ?? ''));
    expect(run.drill?.outcome?.verdict).toBe('passed');
    const [record] = await drillRecords(world());
    expect(record?.recoveryPoint).toMatchObject({ sampled: true, tier: 'vault' });
    expect(record?.recoveryPoint?.ageHoursAtRestore).toBeGreaterThan(24);
    expect(await drillGroupNames(world())).toEqual([]);
  }, 120_000);
});
