/**
 * Crash and restart: an instance dies at each store or gateway call of a nightly cycle (before the call, or after it
 * went through but before its result was used); a fresh instance then runs nightly again and advances. Every VM must
 * end with one finished ('done') run and exactly one backup job, at every crash point. When the instance died
 * between writing "backup requested" and the POST, the run asks once more after the job list stayed empty for the
 * grace period (RETRIGGER_GRACE_MS), which keeps one job per VM and night (DESIGN.md safety invariant 5).
 *
 * The probe's scripts are asynchronous Run Commands (a PUT, reads on later ticks, a DELETE): whatever the crash
 * point, each purpose's script is PUT once (a name whose PUT went through is read, never started again; a name whose
 * PUT was lost is started under a new one), and no `ibg-` Run Command is left on the VM once the run has ended.
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { promisePool } from '../../src/shared/protection/promisePool';
import { CrashPlan, countingPlan, crashing } from './crashingDeps';
import { backupJobsOf, recordingStarts, settle, tonight } from './cycleHelpers';
import { ibgRunCommandsOn, singleVmScenario, startProtectionWorld } from './protectionWorld';

/** ibg-preflight-… → preflight, ibg-logs-… → logs. */
const purposeOf = (name: string): string => name.split('-')[1] ?? '';

/** A nightly call and then ticks, as the timers would run them, until the instance dies. */
async function cycle(
  w: Awaited<ReturnType<typeof startProtectionWorld>>,
  deps: ReturnType<typeof crashing>,
  plan: CrashPlan,
  night: string,
): Promise<void> {
  await runNightlyProtection(deps, night).catch(() => undefined);
  // Four ticks: the preflight's script read and deleted and the backup triggered, the snapshot, the logs' script
  // started, then read and deleted.
  for (let i = 0; i < 4 && !plan.dead; i += 1) {
    w.sandbox.clock.advance(10 * 60_000);
    await w.sandbox.idle();
    await advanceRuns(deps).catch(() => undefined);
  }
}

describe('crash and restart (sandbox)', () => {
  let azurite: AzuriteTables;
  let calls: string[] = [];
  beforeAll(async () => {
    azurite = await startAzurite();
    const w = await startProtectionWorld(singleVmScenario(), azurite);
    try {
      const plan = countingPlan();
      await cycle(w, crashing(w.newInstance(), plan), plan, tonight(w));
      calls = plan.calls;
    } finally {
      await w.stop();
    }
  });
  afterAll(async () => azurite?.stop());

  it('a clean cycle makes the expected calls', () => {
    expect(calls.slice(0, 18)).toEqual([
      'listProtectedVms',
      'listVms',
      // The vault's jobs in progress, once per night rather than once per VM.
      'listJobs',
      // The sweep of stale Run Commands: none awaited by an active run, none on the VM.
      'store.listActive',
      'listScripts',
      'store.create',
      // The budget counts the scripts in flight; the name is written before the PUT.
      'store.listActive',
      'store.update',
      'startScript:check',
      // Last in the nightly call: the night before is folded into the evidence index again.
      'store.listSummaries',
      // The next tick: the script's one read, its result stored, its Run Command deleted, the backup triggered.
      'store.listActive',
      'listJobs',
      'readScript',
      'store.update',
      'deleteScript',
      'store.update',
      'store.update',
      'triggerBackup',
    ]);
    // The logs' script too is started, read and deleted within the cycle.
    expect(calls.filter((c) => c === 'startScript:logs')).toHaveLength(1);
    expect(calls.filter((c) => c === 'readScript')).toHaveLength(2);
    expect(calls.filter((c) => c === 'deleteScript')).toHaveLength(2);
    expect(calls.lastIndexOf('deleteScript')).toBeGreaterThan(calls.indexOf('startScript:logs'));
  });

  // A crash after a pure read is the same as one before it; after a write or an action it is a different case.
  const READS = new Set([
    'listProtectedVms',
    'listVms',
    'listJobs',
    'getJob',
    'getBackupOperation',
    'listRecoveryPoints',
    'readScript',
    'listScripts',
    'store.get',
    'store.listActive',
  ]);
  const cases = (): [number, 'before' | 'after', string][] =>
    calls.flatMap((name, i) =>
      (READS.has(name) ? (['before'] as const) : (['before', 'after'] as const)).map(
        (when) => [i + 1, when, name] as [number, 'before' | 'after', string],
      ),
    );

  it('crashes between a PUT and its first read, and between a read and its DELETE, are among the cases', () => {
    const at = (name: string, from = 0): number => calls.indexOf(name, from) + 1;
    for (const purpose of ['check', 'logs']) {
      const put = at(`startScript:${purpose}`);
      const read = at('readScript', put);
      const del = at('deleteScript', read);
      expect(put).toBeGreaterThan(0);
      expect(read).toBeGreaterThan(put);
      expect(del).toBeGreaterThan(read);
      // After the PUT went through, before anything read it.
      expect(cases()).toContainEqual([put, 'after', `startScript:${purpose}`]);
      // Read, its result not yet stored; stored, the DELETE not yet sent; the DELETE sent, its result not stored.
      expect(cases()).toContainEqual([read + 1, 'before', 'store.update']);
      expect(cases()).toContainEqual([del, 'before', 'deleteScript']);
      expect(cases()).toContainEqual([del, 'after', 'deleteScript']);
    }
  });

  it('every crash point ends with one finished run and exactly one backup job', async () => {
    const outcomes: string[] = [];
    // Each crash point has a world of its own (its sandbox, its tables); three at a time, as they mostly wait.
    const settled = await promisePool(cases(), 3, async ([n, when, name]) => {
      const w = await startProtectionWorld(singleVmScenario(), azurite);
      try {
        const night = tonight(w);
        const start = w.sandbox.clock.now();
        const plan = new CrashPlan(n, when);
        const started: string[] = [];
        await cycle(w, crashing(recordingStarts(w.newInstance(), started), plan), plan, night);
        await runNightlyProtection(recordingStarts(w.newInstance(), started), night);
        const [run] = await settle(w, recordingStarts(w.newInstance(), started), night, ['iris-a']);
        const jobs = await backupJobsOf(w, 'iris-a', start);
        const label = `crash ${when} call ${n} (${name})`;
        expect([label, jobs.length, run?.stage]).toEqual([label, 1, 'done']);
        expect(run?.backup.jobId).toBe(jobs[0]?.jobId);
        // Only the window between the request and the POST leaves no trace in Azure, so only it asks again.
        const trigger = calls.indexOf('triggerBackup') + 1;
        const lostRequest = (n === trigger && when === 'before') || (n === trigger - 1 && when === 'after');
        expect([label, run?.backup.retriggeredAt !== undefined]).toEqual([label, lostRequest]);
        // No name PUT twice, and one PUT per purpose: a script whose PUT went through is read, not started again.
        expect([label, started.length, new Set(started).size]).toEqual([label, 2, 2]);
        expect([label, started.map(purposeOf).sort()]).toEqual([label, ['logs', 'preflight']]);
        // Every Run Command the run started was deleted from the VM (listed through the compute SDK).
        expect([label, await ibgRunCommandsOn(w, 'iris-a')]).toEqual([label, []]);
        outcomes.push(`${label}: ${run?.stage}`);
      } finally {
        await w.stop();
      }
    });
    for (const s of settled) if (!s.ok) throw s.error;
    expect(outcomes.length).toBe(cases().length);
    expect(outcomes.length).toBeGreaterThan(50);
  }, 1_800_000); // 60+ crash points, three at a time: ≈1 min on a quiet 2-core machine, far longer when it is shared
});
