/**
 * Restore drills end to end in the sandbox, through the real SDK clients: the nightly backup, its verdict at the
 * snapshot, the restore into the drill group, the verifier on the restored VM, the evidence blob, the drill record,
 * and the cleanup.
 */
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { tonight } from '../protection/cycleHelpers';
import { drillGroupNames, drillRecords, untilEnded } from './drillHarness';
import type { ProtectionWorld } from '../protection/protectionWorld';
import { drillScenario, startDrillWorld } from './drillWorld';

describe('restore drill, end to end', () => {
  let w: ProtectionWorld | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('passes: restored, verified, recorded with its RTO by phase, and every drill resource deleted', async () => {
    w = await startDrillWorld(drillScenario(['iris-a']));
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const run = await untilEnded(w, night, 'iris-a');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'passed' });
    expect(run.stage).toBe('done');
    const [record] = await drillRecords(w);
    expect(record).toMatchObject({ verdict: 'passed', vmName: 'iris-a', freeze: 'frozen' });
    expect(record?.rtoMs).toBeGreaterThan(0);
    expect(record?.integrity?.status).toBe('clean');
    expect(record?.integrity?.source).toBe('evidence');
    // Nothing is left in the drill group, as Azure lists it.
    expect(await drillGroupNames(w)).toEqual([]);
  }, 300_000);

  it('alerts a VM with no passed drill for IBG_DRILL_STALE_DAYS, once a night', async () => {
    w = await startDrillWorld(drillScenario(['iris-a']), {
      IBG_DRILL_STALE_DAYS: '7',
      IBG_DRILL_SCHEDULE: 'every-nth:30',
    });
    const now = w.sandbox.clock.now();
    const tenDaysAgo = new Date(now.getTime() - 10 * 86_400_000).toISOString();
    await w.deps.drillRecords?.add({
      schema: 'iris-backup-guard/drill@1',
      runId: `${tenDaysAgo.slice(0, 10)}/old`,
      night: tenDaysAgo.slice(0, 10),
      vmId: w.vmId('iris-a'),
      vmName: 'iris-a',
      verdict: 'failed',
      failedStage: 'integrity',
      reason: 'integrity errors',
      notes: [],
      drillVmName: 'ibg-drill-iris-a-old',
      startedAt: tenDaysAgo,
      finishedAt: tenDaysAgo,
      phasesMs: {},
      evidence: [],
    });
    const result = await runNightlyProtection(w.deps, tonight(w));
    const overdue = result.alerts.filter((a) => a.code === 'DrillOverdue');
    expect(overdue).toEqual([
      expect.objectContaining({ severity: 'error', scope: { kind: 'vm', vmId: w.vmId('iris-a') } }),
    ]);
    expect(overdue[0]?.message).toMatch(/no restore drill has passed in 7 days \(none ever passed\)/);
    expect(w.scopeAlerts.map((a) => a.code)).toContain('DrillOverdue');
  }, 120_000);
});
