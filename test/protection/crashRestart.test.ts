/**
 * Crash and restart: an instance dies at each store or gateway call of a nightly cycle (before the call, or after it
 * went through but before its result was used); a fresh instance then runs nightly again and advances. Every VM must
 * end with one finished ('done') run and exactly one backup job, at every crash point. When the instance died
 * between writing "backup requested" and the POST, the run asks once more after the job list stayed empty for the
 * grace period (RETRIGGER_GRACE_MS), which keeps one job per VM and night (DESIGN.md safety invariant 5).
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { CrashPlan, countingPlan, crashing } from './crashingDeps';
import { backupJobsOf, settle, tonight } from './cycleHelpers';
import { singleVmScenario, startProtectionWorld } from './protectionWorld';

/** A nightly call and then ticks, as the timers would run them, until the instance dies. */
async function cycle(
  w: Awaited<ReturnType<typeof startProtectionWorld>>,
  deps: ReturnType<typeof crashing>,
  plan: CrashPlan,
  night: string,
): Promise<void> {
  await runNightlyProtection(deps, night).catch(() => undefined);
  for (let i = 0; i < 3 && !plan.dead; i += 1) {
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
    expect(calls.slice(0, 8)).toEqual([
      'listProtectedVms',
      'listVms',
      // The vault's jobs in progress, once per night rather than once per VM.
      'listJobs',
      'store.create',
      'runScript:check',
      'store.update',
      'store.update',
      'triggerBackup',
    ]);
    expect(calls).toContain('runScript:logs');
  });

  // A crash after a pure read is the same as one before it; after a write or an action it is a different case.
  const READS = new Set([
    'listProtectedVms',
    'listVms',
    'listJobs',
    'getJob',
    'getBackupOperation',
    'listRecoveryPoints',
    'store.get',
    'store.listActive',
  ]);
  const cases = (): [number, 'before' | 'after', string][] =>
    calls.flatMap((name, i) =>
      (READS.has(name) ? (['before'] as const) : (['before', 'after'] as const)).map(
        (when) => [i + 1, when, name] as [number, 'before' | 'after', string],
      ),
    );

  it('every crash point ends with one finished run and exactly one backup job', async () => {
    const outcomes: string[] = [];
    for (const [n, when, name] of cases()) {
      const w = await startProtectionWorld(singleVmScenario(), azurite);
      try {
        const night = tonight(w);
        const start = w.sandbox.clock.now();
        const plan = new CrashPlan(n, when);
        await cycle(w, crashing(w.newInstance(), plan), plan, night);
        await runNightlyProtection(w.newInstance(), night);
        const [run] = await settle(w, w.newInstance(), night, ['iris-a']);
        const jobs = await backupJobsOf(w, 'iris-a', start);
        const label = `crash ${when} call ${n} (${name})`;
        expect([label, jobs.length, run?.stage]).toEqual([label, 1, 'done']);
        expect(run?.backup.jobId).toBe(jobs[0]?.jobId);
        // Only the window between the request and the POST leaves no trace in Azure, so only it asks again.
        const trigger = calls.indexOf('triggerBackup') + 1;
        const lostRequest = (n === trigger && when === 'before') || (n === trigger - 1 && when === 'after');
        expect([label, run?.backup.retriggeredAt !== undefined]).toEqual([label, lostRequest]);
        outcomes.push(`${label}: ${run?.stage}`);
      } finally {
        await w.stop();
      }
    }
    expect(outcomes.length).toBe(cases().length);
    expect(outcomes.length).toBeGreaterThan(15);
  }, 600_000); // 30+ crash points in sequence: ≈80 s on a quiet 2-core machine, far longer when it is shared
});
