/**
 * The verdict at the snapshot, the wait for the transfer to the vault, and a job Azure failed because another
 * backup of the VM was running.
 */
import { decide } from '../../src/shared/runs/decide';
import type { Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import { at, inBackupRunning, inTransfer, job, play, POLICY } from './runSamples';

const types = (commands: RunCommand[]): string[] => commands.map((c) => c.type);
const alertCodes = (commands: RunCommand[]): string[] => commands.flatMap((c) => (c.type === 'Alert' ? [c.code] : []));

/** Backup running, its job observed InProgress (so its start time is known). */
const jobRunning = (): Run => play(inBackupRunning(), [{ type: 'JobObserved', at: at(10), job: job('InProgress') }]);

describe('decide: verdict at the snapshot', () => {
  it('looks for the recovery point on each tick while the job runs, from the job start', () => {
    const { run, commands } = decide(jobRunning(), { type: 'Tick', at: at(11) }, POLICY);
    expect(commands).toEqual([expect.objectContaining({ type: 'FindRecoveryPoint', after: at(3) })]);
    // No point yet: the run settles, so the very next tick looks again.
    const none = decide(run, { type: 'RecoveryPointObserved', at: at(11), point: null }, POLICY).run;
    expect(none.stage).toBe('backup-running');
    expect(none.pendingSince).toBeUndefined();
    expect(types(decide(none, { type: 'Tick', at: at(12) }, POLICY).commands)).toEqual(['FindRecoveryPoint']);
  });

  it('does not look for a point before the job was seen', () => {
    expect(decide(inBackupRunning(), { type: 'Tick', at: at(30) }, POLICY).commands).toEqual([]);
  });

  it('assesses as soon as the point is listed, records its tier, and then waits for the transfer', () => {
    const point = { id: 'rp-id', name: 'rp1', time: at(4), type: 'AppConsistent', tiers: ['InstantRP'] };
    const found = decide(jobRunning(), { type: 'RecoveryPointObserved', at: at(15), point }, POLICY);
    expect(found.run.stage).toBe('assessing');
    expect(found.run.recoveryPoint).toEqual(point);
    expect(types(found.commands)).toEqual([]);
    expect(found.run.script?.purpose).toBe('logs');

    const assessed = decide(found.run, { type: 'LogsCollected', at: at(16), problems: ['no output'] }, POLICY);
    expect(assessed.run.stage).toBe('transfer-running');
    expect(assessed.run.verdict).toBeDefined();
    expect(assessed.run.finishedAt).toBeUndefined();
    // The verdict's alert is raised now, not when the transfer ends.
    expect(alertCodes(assessed.commands)).toEqual(['VerdictUnknown']);
  });
});

describe('decide: transfer-running', () => {
  it('waits cheaply: an InProgress job and ticks change nothing and ask for nothing', () => {
    const run = inTransfer();
    const seen = decide(run, { type: 'JobObserved', at: at(300), job: job('InProgress') }, POLICY);
    expect(seen.run).toBe(run);
    expect(seen.commands).toEqual([]);
    const tick = decide(run, { type: 'Tick', at: at(300) }, POLICY);
    expect(tick.run).toBe(run);
    expect(tick.commands).toEqual([]);
  });

  it('does not time out during a ten-hour transfer', () => {
    expect(decide(inTransfer(), { type: 'Tick', at: at(16 + 10 * 60) }, POLICY).run.stage).toBe('transfer-running');
  });

  it("records the final status of a completed transfer, the point's new tier, and ends done without a further alert", () => {
    const end = at(16 + 10 * 60);
    const completed = job('Completed', { endTime: end, durationInMs: 600 * 60_000 });
    const { run, commands } = decide(inTransfer(), { type: 'JobObserved', at: end, job: completed }, POLICY);
    expect(run.stage).toBe('transfer-running');
    expect(run.backup).toEqual(expect.objectContaining({ jobStatus: 'Completed', jobEndTime: end }));
    expect(run.backup.transferFailed).toBeUndefined();
    expect(commands).toEqual([expect.objectContaining({ type: 'FindRecoveryPoint', after: at(3) })]);
    // The same job seen again while the read is pending asks for nothing more.
    expect(decide(run, { type: 'JobObserved', at: end, job: completed }, POLICY).run).toBe(run);

    const hardened = {
      id: 'rp-id',
      name: 'rp1',
      time: at(4),
      type: 'AppConsistent',
      tiers: ['InstantRP', 'HardenedRP'],
    };
    const ended = decide(run, { type: 'RecoveryPointObserved', at: end, point: hardened }, POLICY);
    expect(ended.run.stage).toBe('done');
    expect(ended.run.recoveryPoint?.tiers).toEqual(['InstantRP', 'HardenedRP']);
    expect(ended.commands).toEqual([]);
  });

  it('retries a lost read of the point after the transfer, and ends even when the point is gone', () => {
    const end = at(16 + 10 * 60);
    const run = decide(inTransfer(), { type: 'JobObserved', at: end, job: job('Completed') }, POLICY).run;
    expect(decide(run, { type: 'Tick', at: at(16 + 10 * 60 + 5) }, POLICY).commands).toEqual([]);
    const retry = decide(run, { type: 'Tick', at: at(16 + 10 * 60 + 11) }, POLICY);
    expect(types(retry.commands)).toEqual(['FindRecoveryPoint']);
    const ended = decide(retry.run, { type: 'RecoveryPointObserved', at: at(700), point: null }, POLICY).run;
    expect(ended.stage).toBe('done');
    expect(ended.recoveryPoint?.tiers).toEqual(['InstantRP']);
  });

  it('ignores another job', () => {
    const run = inTransfer();
    expect(decide(run, { type: 'JobObserved', at: at(60), job: job('Failed', { jobId: 'other' }) }, POLICY).run).toBe(
      run,
    );
  });

  it('makes a transfer that fails after a good snapshot its own alert and outcome, not BackupFailed', () => {
    const failedJob = job('Failed', {
      endTime: at(200),
      errorDetails: [
        { code: 400402, title: 'UserErrorTransferToVaultFailed', message: 'Copy failed', recommendations: [] },
      ],
    });
    const { run, commands } = decide(inTransfer(), { type: 'JobObserved', at: at(200), job: failedJob }, POLICY);
    expect(run.stage).toBe('failed');
    expect(run.backup).toEqual(
      expect.objectContaining({ jobStatus: 'Failed', transferFailed: true, errorDetails: failedJob.errorDetails }),
    );
    expect(alertCodes(commands)).toEqual(['BackupTransferFailed']);
    const alert = commands.find((c) => c.type === 'Alert');
    expect(alert).toEqual(expect.objectContaining({ severity: 'error' }));
    expect(alert?.type === 'Alert' ? alert.message : '').toContain('UserErrorTransferToVaultFailed: Copy failed');
    expect(alert?.type === 'Alert' ? alert.message : '').toContain('InstantRP');
  });
});

describe('decide: a job failed because another backup was running', () => {
  it('adopts the running job, remembers the failed one, and raises no alert', () => {
    const run = play(inBackupRunning(), [
      { type: 'JobObserved', at: at(5), job: job('InProgress', { jobId: 'job-1' }) },
    ]);
    const { run: next, commands } = decide(
      run,
      { type: 'JobCollided', at: at(6), failedJobId: 'job-1', runningJobId: 'job-0' },
      POLICY,
    );
    expect(next.stage).toBe('backup-running');
    expect(next.backup).toEqual(expect.objectContaining({ jobId: 'job-0', adopted: true, collidedJobIds: ['job-1'] }));
    expect(next.backup.jobStatus).toBeUndefined();
    expect(commands).toEqual([]);
  });

  it('fails with BackupTriggerFailed, not BackupFailed, when there is no other job to adopt', () => {
    const { run, commands } = decide(
      inBackupRunning(),
      { type: 'JobCollided', at: at(6), failedJobId: 'job-1' },
      POLICY,
    );
    expect(run.stage).toBe('failed');
    expect(alertCodes(commands)).toEqual(['BackupTriggerFailed']);
  });
});
