import { decide } from '../../src/shared/runs/decide';
import { ACTIVE_STAGES, isTerminalStage, type ActiveStage, type Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import {
  at,
  done,
  failed,
  fresh,
  inAssessing,
  inBackupRunning,
  inRestore,
  inStage,
  inTriggering,
  job,
  play,
  POLICY,
  SAMPLE_RUNS,
  sampleEvents,
  TARGET,
  timedOut,
  triggerRequested,
  withPoint,
} from './runSamples';

const types = (commands: RunCommand[]): string[] => commands.map((c) => c.type);

describe('decide: transitions', () => {
  const blocking = [
    { code: 'Post-ScriptNotFound', severity: 'critical' as const, impact: 'iris-left-frozen' as const },
  ];
  it.each<[string, () => Run, RunEvent, string, string[]]>([
    [
      'preflight + clean findings',
      fresh,
      { type: 'PreflightCompleted', at: at(1), findings: [] },
      'triggering',
      ['FindInProgressJob'],
    ],
    [
      'preflight + blocking findings (not skipping)',
      fresh,
      { type: 'PreflightCompleted', at: at(1), findings: blocking },
      'triggering',
      ['Alert', 'FindInProgressJob'],
    ],
    [
      'preflight + probe failed',
      fresh,
      { type: 'PreflightFailed', at: at(1), reason: 'timeout' },
      'triggering',
      ['Alert', 'FindInProgressJob'],
    ],
    [
      'triggering + job in progress',
      inTriggering,
      { type: 'InProgressJobFound', at: at(2), jobId: 'j9' },
      'backup-running',
      [],
    ],
    ['triggering + no job', inTriggering, { type: 'NoInProgressJob', at: at(2) }, 'triggering', ['TriggerBackup']],
    [
      'triggering (requested) + no job again',
      triggerRequested,
      { type: 'NoInProgressJob', at: at(3) },
      'triggering',
      [],
    ],
    [
      'triggering + triggered',
      triggerRequested,
      { type: 'BackupTriggered', at: at(2), operationId: 'op' },
      'backup-running',
      ['ReadOperation'],
    ],
    [
      'triggering + trigger refused',
      triggerRequested,
      { type: 'BackupTriggerFailed', at: at(2), reason: '400' },
      'failed',
      ['Alert'],
    ],
    [
      'triggering (requested) + job seen (response lost)',
      triggerRequested,
      { type: 'JobObserved', at: at(5), job: job('InProgress') },
      'backup-running',
      [],
    ],
    [
      'triggering (requested) + finished job seen',
      triggerRequested,
      { type: 'JobObserved', at: at(5), job: job('Completed') },
      'assessing',
      ['FindRecoveryPoint'],
    ],
    [
      'backup-running + job in progress',
      inBackupRunning,
      { type: 'JobObserved', at: at(10), job: job('InProgress') },
      'backup-running',
      [],
    ],
    [
      'backup-running + job completed',
      inBackupRunning,
      { type: 'JobObserved', at: at(30), job: job('Completed') },
      'assessing',
      ['FindRecoveryPoint'],
    ],
    [
      'backup-running + completed with warnings',
      inBackupRunning,
      { type: 'JobObserved', at: at(30), job: job('CompletedWithWarnings') },
      'assessing',
      ['FindRecoveryPoint'],
    ],
    [
      'backup-running + job failed',
      inBackupRunning,
      { type: 'JobObserved', at: at(30), job: job('Failed') },
      'assessing',
      ['CollectLogs'],
    ],
    [
      'backup-running + another job',
      inBackupRunning,
      { type: 'JobObserved', at: at(30), job: job('Completed', { jobId: 'x' }) },
      'backup-running',
      [],
    ],
    [
      'backup-running + operation failed (no job)',
      () => play(triggerRequested(), [{ type: 'BackupTriggered', at: at(2), operationId: 'op' }]),
      { type: 'OperationObserved', at: at(3), status: 'Failed' },
      'failed',
      ['Alert'],
    ],
    [
      'assessing + point',
      inAssessing,
      { type: 'RecoveryPointObserved', at: at(31), point: null },
      'assessing',
      ['CollectLogs'],
    ],
    ['assessing + logs', withPoint, { type: 'LogsCollected', at: at(32), problems: ['x'] }, 'done', ['Alert']],
    ['assessing + tick soon after', inAssessing, { type: 'Tick', at: at(31) }, 'assessing', []],
  ])('%s', (_name, make, event, stage, commands) => {
    const d = decide(make(), event, POLICY);
    expect(d.run.stage).toBe(stage);
    expect(types(d.commands)).toEqual(commands);
  });

  it('skips the backup on blocking findings when the policy says so', () => {
    const d = decide(
      fresh(),
      { type: 'PreflightCompleted', at: at(1), findings: blocking },
      { ...POLICY, skipBackupOnBlockingFindings: true },
    );
    expect(d.run.stage).toBe('failed');
    expect(d.run.reason).toBe(
      'Backup skipped: the preflight found Post-ScriptNotFound, which would leave no snapshot or IRIS frozen',
    );
    expect(d.commands).toEqual([expect.objectContaining({ type: 'Alert', severity: 'error', code: 'BackupSkipped' })]);
  });

  it('asks for a backup that expires after the retention days', () => {
    const d = decide(inTriggering(), { type: 'NoInProgressJob', at: at(2) }, { ...POLICY, retentionDays: 7 });
    expect(d.commands[0]).toEqual(
      expect.objectContaining({ type: 'TriggerBackup', expiry: '2026-03-17T01:32:00.000Z' }),
    );
    expect(d.run.backup.triggerRequestedAt).toBe(at(2));
  });

  it('adopts a job found in progress instead of triggering', () => {
    const r = decide(inTriggering(), { type: 'InProgressJobFound', at: at(2), jobId: 'j9' }, POLICY).run;
    expect(r.backup).toEqual({ jobId: 'j9', adopted: true });
  });

  it('a failed job still collects logs and ends failed with the job error', () => {
    const failedJob = job('Failed', { errorDetails: [{ code: 400, title: 'UserErrorX', recommendations: [] }] });
    const r = play(inBackupRunning(), [
      { type: 'JobObserved', at: at(30), job: failedJob },
      { type: 'LogsCollected', at: at(31), problems: ['no output'] },
    ]);
    expect(r.stage).toBe('failed');
    expect(r.reason).toBe('The backup failed: The backup job ended Failed: 400 UserErrorX');
  });

  it('records the job facts', () => {
    const r = decide(
      inBackupRunning(),
      { type: 'JobObserved', at: at(30), job: job('Completed', { endTime: at(29), durationInMs: 1_560_000 }) },
      POLICY,
    ).run;
    expect(r.backup).toEqual(
      expect.objectContaining({
        jobId: 'job-1',
        jobStatus: 'Completed',
        jobStartTime: at(3),
        jobEndTime: at(29),
        durationInMs: 1_560_000,
      }),
    );
  });

  it('collects logs from ten minutes before the job start', () => {
    const d = decide(inAssessing(), { type: 'RecoveryPointObserved', at: at(31), point: null }, POLICY);
    expect(d.commands[0]).toEqual(expect.objectContaining({ type: 'CollectLogs', since: at(3 - 10) }));
  });

  it('goes to restore-running only when drills are enabled (not driven yet)', () => {
    expect(inRestore().stage).toBe('restore-running');
    expect(done().stage).toBe('done');
  });

  it('keeps a history of stage transitions', () => {
    expect(done().history.map((h) => `${h.from}>${h.to}`)).toEqual([
      'preflight>triggering',
      'triggering>backup-running',
      'backup-running>assessing',
      'assessing>done',
    ]);
    expect(done().finishedAt).toBe(at(32));
  });
});

describe('decide: time limits', () => {
  const stageRuns: Record<ActiveStage, () => Run> = {
    preflight: fresh,
    triggering: inTriggering,
    'backup-running': inBackupRunning,
    assessing: inAssessing,
    'restore-running': inRestore,
    verifying: () => inStage('verifying'),
    'cleaning-up': () => inStage('cleaning-up'),
  };
  it.each(ACTIVE_STAGES.map((s) => [s]))('%s ends timed-out after its limit, not before', (stage) => {
    const run = stageRuns[stage]();
    const limit = POLICY.stageLimitsMs[stage];
    const start = Date.parse(run.stageStartedAt);
    const before = decide(run, { type: 'Tick', at: new Date(start + limit).toISOString() }, POLICY);
    expect(before.run.stage).toBe(stage);
    const after = decide(run, { type: 'Tick', at: new Date(start + limit + 1).toISOString() }, POLICY);
    expect(after.run.stage).toBe('timed-out');
    expect(after.run.reason).toBe(
      `Stage '${stage}' exceeded its time limit of ${limit / 60_000} min (started ${run.stageStartedAt})`,
    );
    expect(after.commands).toEqual([
      expect.objectContaining({ type: 'Alert', code: 'RunTimedOut', severity: 'error' }),
    ]);
  });

  it('says when a requested backup never showed up', () => {
    const r = decide(triggerRequested(), { type: 'Tick', at: at(40) }, POLICY).run;
    expect(r.reason).toMatch(/the backup was requested but no job for the VM appeared$/);
  });
});

describe('decide: retries after a crash', () => {
  it.each<[string, () => Run, string | undefined]>([
    ['preflight re-runs the probe', fresh, 'RunPreflight'],
    ['triggering looks for a job again', inTriggering, 'FindInProgressJob'],
    ['triggering never asks twice', triggerRequested, undefined],
    [
      'backup-running reads the operation',
      () => play(triggerRequested(), [{ type: 'BackupTriggered', at: at(2), operationId: 'op' }]),
      'ReadOperation',
    ],
    ['assessing looks for the point', inAssessing, 'FindRecoveryPoint'],
    ['assessing with a point collects logs', withPoint, 'CollectLogs'],
  ])('%s', (_name, make, expected) => {
    const run = make();
    const soon = decide(
      run,
      { type: 'Tick', at: new Date(Date.parse(run.updatedAt) + POLICY.retryAfterMs - 1).toISOString() },
      POLICY,
    );
    expect(soon.commands).toEqual([]);
    const later = decide(
      run,
      { type: 'Tick', at: new Date(Date.parse(run.updatedAt) + POLICY.retryAfterMs).toISOString() },
      POLICY,
    );
    expect(types(later.commands)).toEqual(expected === undefined ? [] : [expected]);
    if (expected !== undefined) expect(later.run.pendingSince).not.toBe(run.pendingSince);
  });
});

describe('decide: terminal stages absorb every event', () => {
  it.each([
    ['done', done],
    ['failed', failed],
    ['timed-out', timedOut],
  ] as const)('%s', (_n, make) => {
    const run = make();
    expect(isTerminalStage(run.stage)).toBe(true);
    for (const e of sampleEvents(at(2000))) {
      const d = decide(run, e, POLICY);
      expect(d.run).toBe(run);
      expect(d.commands).toEqual([]);
    }
  });
});

describe('decide: JSON round trip', () => {
  it.each(SAMPLE_RUNS)('%s', (_name, make) => {
    const run = make();
    const copy = JSON.parse(JSON.stringify(run)) as Run;
    expect(copy).toEqual(run);
    for (const e of sampleEvents(at(45))) expect(decide(copy, e, POLICY)).toEqual(decide(run, e, POLICY));
  });
});

describe('decide: invariants over sample states × events', () => {
  const times = [at(2), at(45), at(600)];
  for (const [name, make] of SAMPLE_RUNS) {
    for (const t of times) {
      for (const e of sampleEvents(t)) {
        it(`${name} + ${e.type} at ${t}`, () => {
          const run = make();
          const d = decide(run, e, POLICY);
          for (const c of d.commands) {
            expect(c.vmId).toBe(TARGET.vmId);
            expect(c.runId).toBe(run.id);
          }
          const triggers = d.commands.filter((c) => c.type === 'TriggerBackup').length;
          expect(triggers).toBeLessThanOrEqual(run.backup.triggerRequestedAt === undefined ? 1 : 0);
          if (triggers === 1) expect(d.run.backup.triggerRequestedAt).toBe(e.at);
          expect(d.run.schemaVersion).toBe(1);
          expect(d.run.id).toBe(run.id);
          if (isTerminalStage(d.run.stage) && d.run !== run) expect(d.run.finishedAt).toBe(e.at);
        });
      }
    }
  }

  it('no sequence of events asks for a second backup', () => {
    // Breadth-first over reachable states, three events deep, counting TriggerBackup along each path.
    let frontier: { run: Run; triggers: number }[] = [{ run: fresh(), triggers: 0 }];
    let explored = 0;
    for (let depth = 0; depth < 4; depth += 1) {
      const next: { run: Run; triggers: number }[] = [];
      for (const { run, triggers } of frontier) {
        for (const e of sampleEvents(at(2 + depth))) {
          const d = decide(run, e, POLICY);
          const total = triggers + d.commands.filter((c) => c.type === 'TriggerBackup').length;
          expect(total).toBeLessThanOrEqual(1);
          explored += 1;
          if (d.run !== run) next.push({ run: d.run, triggers: total });
        }
      }
      frontier = next;
    }
    expect(explored).toBeGreaterThan(1000);
  });
});
