import { drillRecordOf, lastPassedDrill, verifiedRpoMs, type DrillRecord } from '../../src/shared/drills/drillRecord';
import type { DrillVerifierFacts } from '../../src/shared/drills/drillOutcome';
import type { RunDrill } from '../../src/shared/drills/drillState';
import type { Run } from '../../src/shared/runs/run';
import { TARGET, at, inRestore } from '../runs/runSamples';

const MIN = 60_000;
const facts = (over: Partial<DrillVerifierFacts> = {}): DrillVerifierFacts => ({
  complete: true,
  freeze: 'frozen',
  isolation: 'ok',
  iris: 'up',
  irisSeconds: 14,
  recovery: 'clean',
  integrity: 'clean',
  integritySeconds: 52,
  integrityErrors: 0,
  databases: [{ status: 'ok', directory: '/usr/irissys/mgr/' }],
  databasesMore: 0,
  stop: 'ok',
  lines: ['freeze line'],
  ...over,
});

const withDrill = (over: Partial<RunDrill>): Run => {
  const base = inRestore();
  const drill = base.drill as RunDrill;
  return { ...base, drill: { ...drill, ...over } };
};
const passed = { verdict: 'passed' as const, reason: 'ok', notes: [], at: at(70) };

describe('drillRecordOf', () => {
  it('undefined before the outcome', () => {
    expect(drillRecordOf(withDrill({}))).toBeUndefined();
  });

  it('phase times from the drill’s times, and the RTO as their sum', () => {
    const r = drillRecordOf(
      withDrill({
        startedAt: at(40),
        restoreRequestedAt: at(40),
        restoreJobEnd: at(60),
        vmRunningAt: at(63),
        agentReadyAt: at(65),
        verifier: facts(),
        outcome: passed,
        restoreJobId: 'rj',
      }),
    );
    expect(r?.phasesMs).toEqual({
      restoreJob: 20 * MIN,
      vmBoot: 3 * MIN,
      agentReady: 2 * MIN,
      irisUp: 14_000,
      integrity: 52_000,
    });
    expect(r?.rtoMs).toBe(25 * MIN + 66_000);
    expect(r).toEqual(
      expect.objectContaining({
        verdict: 'passed',
        runId: inRestore().id,
        vmId: TARGET.vmId,
        restoreJobId: 'rj',
        startedAt: at(40),
      }),
    );
    // The point's age when it was restored (taken at minute 4, restored at 40).
    expect(r?.recoveryPoint?.ageHoursAtRestore).toBe(0.6);
  });

  it('never includes a phase the drill did not reach, nor an undefined value', () => {
    const r = drillRecordOf(
      withDrill({
        restoreRequestedAt: at(40),
        restoreJobEnd: at(60),
        outcome: { verdict: 'failed', stage: 'boot', reason: 'no boot', notes: [], at: at(200) },
      }),
    );
    expect(r?.phasesMs).toEqual({ restoreJob: 20 * MIN });
    expect(Object.values(r?.phasesMs ?? {}).every((v) => typeof v === 'number')).toBe(true);
    expect(r?.failedStage).toBe('boot');
    expect(r?.rtoMs).toBeUndefined();
    // The record as stored: JSON with no undefined anywhere.
    const json = JSON.parse(JSON.stringify(r)) as DrillRecord;
    expect(json).toEqual(r);
    const walk = (v: unknown): void => {
      expect(v).not.toBeUndefined();
      if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(r);
  });

  it('IRIS not up and integrity not run leave those phases out', () => {
    const r = drillRecordOf(
      withDrill({
        verifier: facts({ iris: 'down', integrity: 'not-run' }),
        outcome: { ...passed, verdict: 'failed', stage: 'iris' },
      }),
    );
    expect(r?.phasesMs.irisUp).toBeUndefined();
    expect(r?.phasesMs.integrity).toBeUndefined();
  });
});

const record = (vmId: string, verdict: DrillRecord['verdict'], pointTime: string, finishedAt: string): DrillRecord => ({
  schema: 'iris-backup-guard/drill@1',
  runId: 'r',
  night: '2026-03-10',
  vmId,
  vmName: 'v',
  verdict,
  reason: '',
  notes: [],
  recoveryPoint: { name: 'p', time: pointTime, type: 'AppConsistent', tier: 'snapshot', ageHoursAtRestore: 0 },
  drillVmName: 'd',
  startedAt: finishedAt,
  finishedAt,
  phasesMs: {},
  evidence: [],
});

describe('verifiedRpoMs and lastPassedDrill', () => {
  const now = new Date('2026-03-12T00:00:00Z');
  it('the age of the newest passed point of that VM; failed drills and other VMs ignored', () => {
    const records = [
      record('VM-A', 'passed', '2026-03-10T00:00:00Z', '2026-03-10T02:00:00Z'),
      record('vm-a', 'passed', '2026-03-08T00:00:00Z', '2026-03-11T02:00:00Z'),
      record('vm-a', 'failed', '2026-03-11T12:00:00Z', '2026-03-11T13:00:00Z'),
      record('vm-b', 'passed', '2026-03-11T23:00:00Z', '2026-03-11T23:30:00Z'),
    ];
    expect(verifiedRpoMs(records, 'vm-a', now)).toBe(2 * 86_400_000);
    expect(verifiedRpoMs(records, 'vm-c', now)).toBeUndefined();
    expect(lastPassedDrill(records).get('vm-a')).toBe('2026-03-11T02:00:00Z');
  });
});
