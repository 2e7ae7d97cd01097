/**
 * A nightly call cut short is made again by a later advance tick (nightLedger.ts, resumeNight.ts), in the sandbox:
 * the VMs after the cut still get their run and exactly one backup job; a call that finished is never made again;
 * a vault that could not be listed is listed again once it answers.
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import type { Scenario } from '../../sandbox/index';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import {
  MAX_NIGHTLY_ATTEMPTS,
  nightToResume,
  RESUME_AFTER_MS,
  type NightRecord,
} from '../../src/shared/protection/nightLedger';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import type { RunRepository } from '../../src/shared/protection/runRepository';
import { awayFromMidnight, backupJobsOf, MINUTE, settle, tick, tonight } from './cycleHelpers';
import { protectionVm, SUB, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const VMS = ['iris-a', 'iris-b', 'iris-c'];

const scenario = (faults: Scenario['faults'] = []): Scenario => ({
  name: 'resume-night',
  vaults: [{ subscriptionId: SUB, resourceGroup: 'rg-backup', name: 'vault-1', location: 'westeurope' }],
  vms: VMS.map((n) => protectionVm(n)),
  backup: { durationMinutes: 20 },
  faults,
});

/** An instance whose process dies at its second run creation: nothing it does after that counts. */
function dyingAtSecondCreate(deps: ProtectionDeps): ProtectionDeps {
  const s = deps.store;
  let creates = 0;
  let dead = false;
  const alive = <T>(call: () => Promise<T>): Promise<T> =>
    dead ? Promise.reject(new Error('instance is dead')) : call();
  const store: RunRepository = {
    get: (id) => alive(() => s.get(id)),
    create: (run) => {
      creates += 1;
      if (creates === 2) dead = true;
      return alive(() => s.create(run));
    },
    update: (run, etag) => alive(() => s.update(run, etag)),
    listActive: () => alive(() => s.listActive()),
    list: (night) => alive(() => s.list(night)),
    listSummaries: (night) => alive(() => s.listSummaries(night)),
  };
  return { ...deps, store };
}

const runNames = async (w: ProtectionWorld, night: string): Promise<string[]> =>
  (await w.deps.store.list(night)).map((s) => s.run.target.vmName).sort();

const resumedLines = (w: ProtectionWorld): string[] =>
  w.log.lines.filter((l) => /did not finish; calling it again/.test(l.message)).map((l) => l.message);

describe('a nightly call cut short (sandbox)', () => {
  let azurite: AzuriteTables;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());

  it('is made again after the function time-out: every VM gets its run and exactly one backup job', async () => {
    const w = await startProtectionWorld(scenario(), azurite);
    try {
      awayFromMidnight(w);
      const night = tonight(w);
      const start = w.sandbox.clock.now();
      await runNightlyProtection(dyingAtSecondCreate(w.newInstance()), night).catch(() => undefined);
      expect(await runNames(w, night)).toEqual(['iris-a']);
      expect(await w.deps.nights?.get(night)).toMatchObject({ attempts: 1 });
      expect((await w.deps.nights?.get(night))?.finishedAt).toBeUndefined();

      // Before the time-out the call may still be running elsewhere: nothing is resumed.
      await tick(w, w.newInstance(), RESUME_AFTER_MS - MINUTE);
      expect(await runNames(w, night)).toEqual(['iris-a']);
      await tick(w, w.newInstance(), MINUTE);
      expect(await runNames(w, night)).toEqual(VMS);
      expect(resumedLines(w)).toHaveLength(1);
      expect(await w.deps.nights?.get(night)).toMatchObject({ attempts: 2, finishedAt: expect.any(String) });

      const runs = await settle(w, w.newInstance(), night, VMS);
      expect(runs.map((r) => r.stage)).toEqual(['done', 'done', 'done']);
      for (const vm of VMS) expect([vm, (await backupJobsOf(w, vm, start)).length]).toEqual([vm, 1]);
      // Finished: later ticks call nothing again.
      await tick(w, w.newInstance(), 30 * MINUTE);
      expect(resumedLines(w)).toHaveLength(1);
    } finally {
      await w.stop();
    }
  }, 120_000);

  it('a vault that could not be listed is listed again once it answers', async () => {
    // Four 503s in a row: the SDK's three retries are spent and the nightly call cannot read the vault.
    const w = await startProtectionWorld(
      scenario([{ kind: 'serverError', pathPattern: '/backupProtectedItems$', nth: 1, count: 4 }]),
      azurite,
    );
    try {
      awayFromMidnight(w);
      const night = tonight(w);
      await runNightlyProtection(w.newInstance(), night);
      expect(await runNames(w, night)).toEqual([]);
      await tick(w, w.newInstance(), RESUME_AFTER_MS);
      expect(await runNames(w, night)).toEqual(VMS);
      expect(await w.deps.nights?.get(night)).toMatchObject({ attempts: 2, finishedAt: expect.any(String) });
    } finally {
      await w.stop();
    }
  }, 120_000);
});

describe('nightToResume', () => {
  const now = new Date('2026-12-04T03:00:00Z');
  const record = (minutesAgo: number, extra: Partial<NightRecord> = {}): NightRecord => ({
    night: '2026-12-04',
    startedAt: new Date(now.getTime() - minutesAgo * MINUTE).toISOString(),
    attempts: 1,
    ...extra,
  });

  it('resumes an unfinished call once the time-out has passed, within half a day, a few times at most', () => {
    expect(nightToResume([record(10)], now)?.night).toBe('2026-12-04');
    expect(nightToResume([record(9)], now)).toBeUndefined();
    expect(nightToResume([record(10, { finishedAt: now.toISOString() })], now)).toBeUndefined();
    expect(nightToResume([record(10, { attempts: MAX_NIGHTLY_ATTEMPTS })], now)).toBeUndefined();
    expect(nightToResume([record(10, { attempts: MAX_NIGHTLY_ATTEMPTS - 1 })], now)).toBeDefined();
    expect(nightToResume([record(12 * 60)], now)).toBeUndefined();
    expect(nightToResume([undefined, undefined], now)).toBeUndefined();
  });

  it('takes last night before tonight', () => {
    const last = record(300, { night: '2026-12-03' });
    expect(nightToResume([last, record(20)], now)).toBe(last);
  });
});
