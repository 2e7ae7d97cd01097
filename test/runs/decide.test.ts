import { decide, RETRIGGER_GRACE_MS } from '../../src/shared/runs/decide';
import { ACTIVE_STAGES, isTerminalStage, type ActiveStage, type Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import {
  at,
  done,
  failed,
  fresh,
  inAssessing,
  inTransfer,
  inBackupRunning,
  inRestore,
  inStage,
  inTriggering,
  job,
  play,
  POLICY,
  retriggered,
  SAMPLE_RUNS,
  sampleEvents,
  TARGET,
  timedOut,
  triggerRequested,
  withPoint,
} from './runSamples';

const types = (commands: RunCommand[]): string[] => commands.map((c) => c.type);
const ms = (iso: string): number => Date.parse(iso);

/** The only event that may lead to a second request: a job list, read after the grace period, covering the request. */
function provesNoJob(run: Run, e: RunEvent): boolean {
  const requested = run.backup.triggerRequestedAt;
  return (
    e.type === 'NoJobSinceRequest' &&
    requested !== undefined &&
    run.backup.retriggeredAt === undefined &&
    run.backup.operationId === undefined &&
    run.backup.jobId === undefined &&
    ms(e.since) <= ms(requested) &&
    ms(e.at) - ms(requested) >= RETRIGGER_GRACE_MS
  );
}

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
      'triggering (requested) + no job since the request, after the grace period',
      triggerRequested,
      { type: 'NoJobSinceRequest', at: at(12), since: at(2) },
      'triggering',
      ['Alert', 'TriggerBackup'],
    ],
    [
      'triggering (requested) + no job since the request, too soon',
      triggerRequested,
      { type: 'NoJobSinceRequest', at: at(11), since: at(2) },
      'triggering',
      [],
    ],
    [
      'triggering (requested) + a list that starts after the request',
      triggerRequested,
      { type: 'NoJobSinceRequest', at: at(20), since: at(3) },
      'triggering',
      [],
    ],
    [
      'triggering (asked again) + no job since the request',
      retriggered,
      { type: 'NoJobSinceRequest', at: at(30), since: at(2) },
      'triggering',
      [],
    ],
    [
      'triggering (asked again) + triggered',
      retriggered,
      { type: 'BackupTriggered', at: at(12), operationId: 'op' },
      'backup-running',
      ['ReadOperation'],
    ],
    [
      'triggering (requested) + Azure says a backup is in progress',
      triggerRequested,
      { type: 'InProgressJobFound', at: at(2), jobId: 'j9' },
      'backup-running',
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
      // The logs' probe is queued; it starts when the subscription's Run Command budget grants it a slot.
      [],
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
    ['assessing + point', inAssessing, { type: 'RecoveryPointObserved', at: at(31), point: null }, 'assessing', []],
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

  it('asks once more with the second request time recorded, keeping the first', () => {
    const d = decide(triggerRequested(), { type: 'NoJobSinceRequest', at: at(12), since: at(2) }, POLICY);
    expect(d.run.backup).toEqual({ triggerRequestedAt: at(2), retriggeredAt: at(12) });
    expect(d.commands).toEqual([
      expect.objectContaining({ type: 'Alert', code: 'BackupRetriggered', severity: 'warning' }),
      expect.objectContaining({ type: 'TriggerBackup', expiry: '2026-04-09T01:42:00.000Z' }),
    ]);
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
    expect(d.run.script).toEqual(expect.objectContaining({ purpose: 'logs', since: at(3 - 10) }));
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
    'transfer-running': inTransfer,
    'restore-running': inRestore,
    verifying: () => inStage('verifying'),
    'cleaning-up': () => inStage('cleaning-up'),
  };
  // The preflight gives up its script at its limit and backs up anyway (decideScripts.test.ts); a drill past its
  // restore or verification limit goes on to clean up (decideDrill.test.ts).
  const DRILL_STAGES: ActiveStage[] = ['restore-running', 'verifying', 'cleaning-up'];
  it.each(ACTIVE_STAGES.filter((s) => s !== 'preflight' && !DRILL_STAGES.includes(s)).map((s) => [s]))(
    '%s ends timed-out after its limit, not before',
    (stage) => {
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
    },
  );

  it('says when a requested backup never showed up', () => {
    const r = decide(triggerRequested(), { type: 'Tick', at: at(40) }, POLICY).run;
    expect(r.reason).toMatch(/the backup was requested but no job for the VM appeared$/);
  });
});

describe('decide: retries after a crash', () => {
  it.each<[string, () => Run, string | undefined]>([
    ['triggering looks for a job again', inTriggering, 'FindInProgressJob'],
    ['triggering (requested) checks the job list since the request', triggerRequested, 'FindJobSinceRequest'],
    ['triggering (asked again) never asks a third time', retriggered, undefined],
    [
      'backup-running reads the operation',
      () => play(triggerRequested(), [{ type: 'BackupTriggered', at: at(2), operationId: 'op' }]),
      'ReadOperation',
    ],
    ['assessing looks for the point', inAssessing, 'FindRecoveryPoint'],
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
          expect(triggers).toBeLessThanOrEqual(1);
          if (triggers === 1 && run.backup.triggerRequestedAt === undefined) {
            expect(d.run.backup.triggerRequestedAt).toBe(e.at);
          } else if (triggers === 1) {
            // A second request only when a job list read after the grace period proved the first left no job.
            expect(provesNoJob(run, e)).toBe(true);
            expect(d.run.backup.retriggeredAt).toBe(e.at);
            expect(d.run.backup.triggerRequestedAt).toBe(run.backup.triggerRequestedAt);
          }
          expect(d.run.schemaVersion).toBe(1);
          expect(d.run.id).toBe(run.id);
          if (isTerminalStage(d.run.stage) && d.run !== run) expect(d.run.finishedAt).toBe(e.at);
        });
      }
    }
  }

  it('no sequence of events asks more than twice, nor twice without proof that the first request left no job', () => {
    // Breadth-first over reachable states, five events 11 minutes apart (so the grace period can pass), counting
    // TriggerBackup along each path.
    let frontier: { run: Run; triggers: number }[] = [{ run: fresh(), triggers: 0 }];
    let explored = 0;
    let askedTwice = 0;
    for (let depth = 0; depth < 4; depth += 1) {
      const next: { run: Run; triggers: number }[] = [];
      for (const { run, triggers } of frontier) {
        for (const e of sampleEvents(at(2 + depth * 11))) {
          const d = decide(run, e, POLICY);
          const now = d.commands.filter((c) => c.type === 'TriggerBackup').length;
          const total = triggers + now;
          expect(total).toBeLessThanOrEqual(2);
          if (now > 0 && triggers > 0) {
            expect(provesNoJob(run, e)).toBe(true);
            askedTwice += 1;
          }
          explored += 1;
          if (d.run !== run) next.push({ run: d.run, triggers: total });
        }
      }
      frontier = next;
    }
    expect(explored).toBeGreaterThan(1000);
    expect(askedTwice).toBeGreaterThan(0);
  });
});
