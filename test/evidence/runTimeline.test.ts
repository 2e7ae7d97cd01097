import { runTimelineOf, type TimelineSegment } from '../../src/shared/evidence/runTimeline';
import type { Run } from '../../src/shared/runs/run';
import { CLEAN, drillEnded, finished, withFreeze } from '../dashboard/dashboardRuns';
import { queued, requested, verifierQueued } from '../runs/drillSamples';
import { at, done, failed, fresh, inBackupRunning, inTransfer } from '../runs/runSamples';

const byName = (run: Run): Map<string, TimelineSegment> => new Map(runTimelineOf(run).map((s) => [s.name, s]));
const states = (run: Run): Record<string, string> =>
  Object.fromEntries(runTimelineOf(run).map((s) => [s.name, s.state]));

describe('runTimelineOf', () => {
  it('a passed drill, cleaned up and transferred: every phase done, in order, with its times', () => {
    const run = withFreeze(finished(drillEnded()));
    expect(run.stage).toBe('done');
    const segments = runTimelineOf(run);
    expect(segments.map((s) => s.name)).toEqual([
      'freeze window',
      'snapshot',
      'transfer',
      'restore',
      'VM boot',
      'agent ready',
      'IRIS start',
      'integrity',
      'cleanup',
    ]);
    expect(segments.every((s) => s.state === 'done')).toBe(true);
    const s = byName(run);
    expect(s.get('freeze window')).toMatchObject({ start: at(4), durationMs: 1500 });
    expect(s.get('restore')).toMatchObject({ start: run.drill?.restoreRequestedAt, end: at(39) });
    expect(s.get('VM boot')).toMatchObject({ start: at(39), end: at(43), durationMs: 4 * 60_000 });
    expect(s.get('agent ready')).toMatchObject({ start: at(43), end: at(45) });
    expect(s.get('IRIS start')?.durationMs).toBe(14_000);
    expect(s.get('IRIS start')?.start).toBeUndefined();
    expect(s.get('integrity')).toMatchObject({ durationMs: 52_000, detail: '2 databases checked, no errors' });
    expect(s.get('cleanup')).toMatchObject({ start: at(61), end: at(63) });
    expect(s.get('transfer')).toMatchObject({ start: at(4), end: at(89) });
  });

  it('a drill whose IRIS did not come up: IRIS start failed with the reason, integrity never reached', () => {
    const run = drillEnded({ iris: 'down', integrity: 'not-run', dbs: [] });
    const s = byName(run);
    expect(s.get('IRIS start')?.state).toBe('failed');
    expect(s.get('IRIS start')?.detail).toBe(run.drill?.outcome?.reason);
    expect(s.get('integrity')?.state).toBe('skipped');
    // Cleaning up has begun and not finished; the job still transfers.
    expect(s.get('cleanup')?.state).toBe('running');
    expect(s.get('transfer')?.state).toBe('running');
  });

  it('integrity errors: the integrity phase failed, the phases before it done', () => {
    const run = drillEnded(
      { integrity: 'errors', errors: 3, dbs: ['error /usr/irissys/mgr/user/'] },
      { ...CLEAN, status: 'errors', errorCount: 3 },
    );
    expect(states(run)).toMatchObject({ 'IRIS start': 'done', integrity: 'failed' });
    expect(byName(run).get('integrity')?.detail).toBe(run.drill?.outcome?.reason);
  });

  it('a drill under way: the restore requested and not ended is running, later phases skipped', () => {
    expect(states(requested())).toMatchObject({
      restore: 'running',
      'VM boot': 'skipped',
      'IRIS start': 'skipped',
      cleanup: 'skipped',
    });
    expect(states(verifierQueued())).toMatchObject({
      restore: 'done',
      'VM boot': 'done',
      'agent ready': 'done',
      'IRIS start': 'running',
    });
  });

  it('a new run: nothing has happened yet, every phase skipped', () => {
    expect(runTimelineOf(fresh()).every((s) => s.state === 'skipped')).toBe(true);
  });

  it('a run whose backup could not be asked for: the snapshot failed with the run’s reason', () => {
    const run = failed();
    const snapshot = byName(run).get('snapshot');
    expect(snapshot?.state).toBe('failed');
    expect(snapshot?.detail).toContain('HTTP 400');
  });

  it('transfer-running: snapshot done, transfer running; a backup without a drill skips the drill phases', () => {
    expect(states(inTransfer())).toMatchObject({ snapshot: 'done', transfer: 'running' });
    expect(states(done())).toMatchObject({ transfer: 'done', restore: 'skipped', cleanup: 'skipped' });
  });

  it('IRIS left frozen: the freeze window failed; a remediation adds its own segment', () => {
    const base = withFreeze(done());
    const v = base.verdict;
    if (v === undefined) throw new Error('no verdict');
    const run: Run = {
      ...base,
      verdict: { ...v, irisLeftFrozen: true, failedScript: 'post', thawedAt: undefined },
      remediation: {
        source: 'verdict',
        reason: 'the post-script failed',
        requestedAt: at(40),
        stepStartedAt: at(41),
        step: 'done',
        outcome: 'thawed',
        finishedAt: at(50),
      },
    };
    const s = byName(run);
    expect(s.get('freeze window')?.state).toBe('failed');
    expect(s.get('remediation')).toMatchObject({ state: 'done', start: at(40), end: at(50) });
    expect(s.get('remediation')?.detail).toContain('thawed');
    expect(byName(done()).has('remediation')).toBe(false);
  });

  it('waiting: the job runs without a verdict yet, a drill waits for its slot from when it was queued', () => {
    expect(byName(inBackupRunning()).get('freeze window')).toMatchObject({
      state: 'running',
      detail: 'waiting for the verdict',
    });
    expect(byName(failed()).get('freeze window')?.state).toBe('skipped');
    const q = queued();
    expect(byName(q).get('restore')).toMatchObject({ state: 'running', start: q.drill?.queuedAt });
  });
});
