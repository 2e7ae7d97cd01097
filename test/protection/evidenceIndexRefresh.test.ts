/**
 * The nightly repair of the evidence index: a run whose index write never happened (written straight to the runs
 * table, as by an instance that died between the two writes, or before the index existed) is in the fleet index and
 * its VM's history after the next night's call.
 */
import { createRunRepository } from '../../src/composition/composition';
import { previousNight } from '../../src/shared/protection/night';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { targetOf } from '../../src/shared/protection/protectedItemOf';
import { newRun } from '../../src/shared/runs/run';
import { tonight } from './cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from './protectionWorld';

describe('evidence index refresh (sandbox)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    w = await startProtectionWorld();
  });
  afterAll(async () => w?.stop());

  it('folds in the night before, including a run the index never saw', async () => {
    const night = tonight(w);
    const yesterday = previousNight(night);
    const items = [];
    for await (const i of w.deps.gateways.backup.listProtectedVms(w.deps.settings.vaults[0]!)) items.push(i);
    const item = items.find((i) => i.vmName === 'iris-a');
    if (item === undefined) throw new Error('iris-a is not protected in the scenario');
    // Straight to the runs table: no index write.
    const bare = createRunRepository(w.deps.settings, { credential: w.sandbox.credential, warn: () => undefined });
    const lost = newRun(yesterday, targetOf(item), `${yesterday}T01:00:00.000Z`);
    await bare.create(lost);
    expect(await w.deps.evidenceIndex?.vmIndex()).toEqual([]);

    await runNightlyProtection(w.deps, night);

    const entries = (await w.deps.evidenceIndex?.vmIndex()) ?? [];
    const a = entries.find((e) => e.vmName === 'iris-a');
    // Tonight's run is the latest; yesterday's is in the VM's history beside it.
    expect(a?.latest?.night).toBe(night);
    const history = (await w.deps.evidenceIndex?.vmHistory(lost.vmKey, 10)) ?? [];
    expect(history.map((s) => s.runId)).toEqual([`${night}/${lost.vmKey}`, lost.id]);
  });

  it('previousNight counts calendar days across month, year and leap day', () => {
    expect(previousNight('2026-03-01')).toBe('2026-02-28');
    expect(previousNight('2024-03-01')).toBe('2024-02-29');
    expect(previousNight('2027-01-01')).toBe('2026-12-31');
  });
});
