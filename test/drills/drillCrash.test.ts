/**
 * Crash and restart during a drill, in the sandbox: the instance dies once at the first call of each drill step's
 * gateway method (before the call, or after it reached Azure but before its answer was used); a new instance then
 * ticks on. Whatever the point, the drill ends, the vault holds exactly one restore job for the run, one drill record
 * is written, nothing is left in the drill group, and no `ibg-` Run Command is left on the production VM.
 * The verifier's Run Command is not deleted from the drill VM on its own (the VM goes with it), so DeleteScript is
 * not a drill step. FindRestoreJob is reached by the crash before TriggerRestore (the request written, the POST lost).
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import type { BackupJob } from '../../src/shared/azure/backupGateway';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { isTerminalStage } from '../../src/shared/runs/run';
import { MINUTE, recordingStarts, runOf, tick, tonight } from '../protection/cycleHelpers';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { ibgRunCommandsOn } from '../protection/protectionWorld';
import {
  drillGroupNames,
  drillRecords,
  groupResources,
  ibgRunCommandsOnDrillVm,
  restoreJobs,
  untilEnded,
} from './drillHarness';
import { drillScenario, startDrillWorld } from './drillWorld';

/** Dies at the nth call of `target` (before it, or after it went through); every later call throws. */
class DrillCrash {
  dead = false;
  calls: string[] = [];
  private seen = 0;
  constructor(
    readonly target: string,
    readonly when: 'before' | 'after',
    /** Which call of `target` (1-based). */
    readonly nth = 1,
  ) {}

  async call<R>(name: string, real: () => Promise<R>): Promise<R> {
    if (this.dead) throw new Error(`instance is dead (${name})`);
    this.calls.push(name);
    if (name === this.target) this.seen += 1;
    const hit = name === this.target && this.seen === this.nth;
    if (hit && this.when === 'before') {
      this.dead = true;
      throw new Error(`injected crash before ${name}`);
    }
    const result = await real();
    if (hit) {
      this.dead = true;
      throw new Error(`injected crash after ${name}`);
    }
    return result;
  }

  async *iterate<T>(name: string, real: () => AsyncIterable<T>): AsyncIterable<T> {
    const items = await this.call(name, async () => {
      const out: T[] = [];
      for await (const i of real()) out.push(i);
      return out;
    });
    yield* items;
  }
}

// eslint-disable-next-line require-yield
async function* none<T>(): AsyncIterable<T> {
  return;
}

const isDrillVm = (id: string): boolean => /\/virtualMachines\/ibg-drill-/i.test(id);

/** The drill steps' gateway calls, labelled; other calls pass through (and throw once the instance is dead). */
function crashingDrill(deps: ProtectionDeps, p: DrillCrash): ProtectionDeps {
  const b = deps.gateways.backup;
  const c = deps.gateways.compute;
  const d = deps.gateways.drills;
  const e = deps.gateways.evidence;
  const r = deps.drillRecords;
  const s = deps.store;
  if (d === undefined || e === undefined || r === undefined) throw new Error('drills are off');
  const pass = <R>(f: () => Promise<R>): Promise<R> => p.call('other', f);
  return {
    ...deps,
    gateways: {
      backup: {
        listProtectedVms: (v, o) => p.iterate('other', () => b.listProtectedVms(v, o)),
        triggerBackup: (i, o) => pass(() => b.triggerBackup(i, o)),
        // After the restore is sent, the operation read is the restore's (ReadOperation).
        getBackupOperation: (i, id, o) =>
          p.call(p.calls.includes('TriggerRestore') ? 'ReadOperation' : 'other', () => b.getBackupOperation(i, id, o)),
        triggerRestore: (i, req, o) => p.call('TriggerRestore', () => b.triggerRestore(i, req, o)),
        // For the ReadOperation case the vault lists the restore job late (as it may), so the operation is read.
        listJobs: (v, f, o) =>
          f?.operation === 'Restore'
            ? p.iterate('ListRestoreJobs', () =>
                p.target === 'ReadOperation' ? none<BackupJob>() : b.listJobs(v, f, o),
              )
            : p.iterate('other', () => b.listJobs(v, f, o)),
        getJob: (v, id, o) => pass(() => b.getJob(v, id, o)),
        listRecoveryPoints: (i, o) => p.iterate('other', () => b.listRecoveryPoints(i, o)),
      },
      compute: {
        getVm: (id, o) => pass(() => c.getVm(id, o)),
        listVms: (sub, o) => p.iterate('other', () => c.listVms(sub, o)),
        runScript: (id, sc, o) => pass(() => c.runScript(id, sc, o)),
        startScript: (id, sc, o) =>
          p.call(isDrillVm(id) ? 'StartScript:verify' : 'other', () => c.startScript(id, sc, o)),
        readScript: (id, n, o) => p.call(isDrillVm(id) ? 'ReadScript' : 'other', () => c.readScript(id, n, o)),
        deleteScript: (id, n) => p.call(isDrillVm(id) ? 'DeleteScript' : 'other', () => c.deleteScript(id, n)),
        listScripts: (id, o) => p.iterate('other', () => c.listScripts(id, o)),
      },
      drills: {
        getDrillVm: (id, o) => p.call('ReadDrillVm', () => d.getDrillVm(id, o)),
        listResources: (g, o) => p.iterate('other', () => d.listResources(g, o)),
        addTags: (k, id, t, o) => p.call('ClaimDrillResources', () => d.addTags(k, id, t, o)),
        deleteDrillResource: (k, id, sc, o) =>
          p.call('DeleteDrillResources', () => d.deleteDrillResource(k, id, sc, o)),
        getSubnet: (id, o) => pass(() => d.getSubnet(id, o)),
        getNic: (id, o) => pass(() => d.getNic(id, o)),
        getStorageAccount: (id, o) => pass(() => d.getStorageAccount(id, o)),
      },
      evidence: {
        uploadUrl: (n, x) => pass(() => e.uploadUrl(n, x)),
        read: (n, o) => p.call('ReadEvidence', () => e.read(n, o)),
      },
    },
    drillRecords: { add: (rec) => p.call('RecordDrill', () => r.add(rec)), list: (f) => r.list(f) },
    store: {
      get: (id) => pass(() => s.get(id)),
      create: (run) => pass(() => s.create(run)),
      update: (run, etag) => pass(() => s.update(run, etag)),
      listActive: () => pass(() => s.listActive()),
      list: (n) => pass(() => s.list(n)),
      listSummaries: (n) => pass(() => s.listSummaries(n)),
    },
  };
}

const STEPS = [
  'TriggerRestore',
  'ReadOperation',
  'ListRestoreJobs',
  'ClaimDrillResources',
  'ReadDrillVm',
  'StartScript:verify',
  'ReadScript',
  'ReadEvidence',
  'RecordDrill',
  'DeleteDrillResources',
];
// A crash after a pure read is the same as one before it.
const READS = new Set(['ReadOperation', 'ListRestoreJobs', 'ReadDrillVm', 'ReadScript', 'ReadEvidence']);
const CASES: [string, 'before' | 'after'][] = STEPS.flatMap((step) =>
  (READS.has(step) ? (['after'] as const) : (['before', 'after'] as const)).map(
    (when) => [step, when] as [string, 'before' | 'after'],
  ),
);

describe('crash and restart during a drill (sandbox)', () => {
  let azurite: AzuriteTables;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());

  it.each(CASES)(
    'dies %s (%s): the drill still ends, one restore job, one record, nothing left',
    async (step, when) => {
      const w = await startDrillWorld(drillScenario(['iris-a']), {}, azurite);
      try {
        const start = w.sandbox.clock.now();
        const night = tonight(w);
        const plan = new DrillCrash(step, when);
        const dying = crashingDrill(w.newInstance(), plan);
        await runNightlyProtection(dying, night).catch(() => undefined);
        for (let i = 0; i < 40 && !plan.dead; i += 1) {
          const run = await runOf(w, night, 'iris-a');
          if (run !== undefined && isTerminalStage(run.stage)) break;
          await tick(w, dying, 5 * MINUTE).catch(() => undefined);
        }
        // The step was reached, and the instance died there.
        expect([step, when, plan.dead]).toEqual([step, when, true]);
        const fresh = w.newInstance();
        const run = await untilEnded(w, night, 'iris-a', { deps: fresh, stepMs: 5 * MINUTE, maxTicks: 80 });
        expect(run.drill?.outcome?.verdict).toBe('passed');
        expect(run.stage).toBe('done');
        expect(await restoreJobs(w, start)).toHaveLength(1);
        // Only a request lost before its POST is asked again (after FindRestoreJob showed no job for the grace period).
        const lost = step === 'TriggerRestore' && when === 'before';
        expect([step, when, run.drill?.retriggeredAt !== undefined]).toEqual([step, when, lost]);
        expect(await drillRecords(w)).toHaveLength(1);
        expect(await drillGroupNames(w)).toEqual([]);
        expect(await ibgRunCommandsOnDrillVm(w, run.drill?.vmName ?? '')).toEqual([]);
        expect(await ibgRunCommandsOn(w, 'iris-a')).toEqual([]);
      } finally {
        await w.stop();
      }
    },
    180_000,
  );

  it('two instances ticking at once: one restore job, one verifier, one record, nothing left', async () => {
    const w = await startDrillWorld(drillScenario(['iris-a']), {}, azurite);
    try {
      const start = w.sandbox.clock.now();
      const night = tonight(w);
      const started: string[] = [];
      const one = recordingStarts(w.newInstance(), started);
      const two = recordingStarts(w.newInstance(), started);
      await Promise.all([runNightlyProtection(one, night), runNightlyProtection(two, night)]);
      for (let i = 0; i < 60; i += 1) {
        const run = await runOf(w, night, 'iris-a');
        if (run !== undefined && isTerminalStage(run.stage)) break;
        w.sandbox.clock.advance(5 * MINUTE);
        await w.sandbox.idle();
        // A lost etag race is the loser's problem, not the run's: it retries on its next tick.
        await Promise.all([advanceRuns(one).catch(() => undefined), advanceRuns(two).catch(() => undefined)]);
      }
      const run = await runOf(w, night, 'iris-a');
      expect(run?.stage).toBe('done');
      expect(run?.drill?.outcome?.verdict).toBe('passed');
      expect(await restoreJobs(w, start)).toHaveLength(1);
      expect(started.filter((n) => n.startsWith('ibg-verify-'))).toHaveLength(1);
      expect(await drillRecords(w)).toHaveLength(1);
      expect(await drillGroupNames(w)).toEqual([]);
      expect(await ibgRunCommandsOn(w, 'iris-a')).toEqual([]);
    } finally {
      await w.stop();
    }
  }, 180_000);

  it.each(['before', 'after'] as const)(
    'a failed drill kept for investigation, dying %s the keep claim: tags and run agree on the deadline',
    async (when) => {
      const faults = [{ kind: 'restoredIntegrityErrors' as const, vm: 'iris-a' }];
      const w = await startDrillWorld(drillScenario(['iris-a'], { faults }), { IBG_DRILL_KEEP_HOURS: '2' }, azurite);
      try {
        const night = tonight(w);
        // The first claim (verifying) tags the VM, its disk and NIC; the second (the keep) starts with the VM again.
        const plan = new DrillCrash('ClaimDrillResources', when, 4);
        const dying = crashingDrill(w.newInstance(), plan);
        await runNightlyProtection(dying, night).catch(() => undefined);
        for (let i = 0; i < 40 && !plan.dead; i += 1) await tick(w, dying, 5 * MINUTE).catch(() => undefined);
        expect(plan.dead).toBe(true);
        const run = await untilEnded(w, night, 'iris-a', { deps: w.newInstance(), stepMs: 5 * MINUTE });
        expect(run.stage).toBe('failed');
        const keptUntil = run.drill?.cleanup.keptUntil;
        expect(keptUntil).toBeDefined();
        const left = await groupResources(w);
        expect(left.length).toBeGreaterThanOrEqual(3);
        for (const r of left) expect([r.name, r.tags['ibg-expires']]).toEqual([r.name, keptUntil]);
        expect(await drillRecords(w)).toHaveLength(1);
      } finally {
        await w.stop();
      }
    },
    180_000,
  );
});
