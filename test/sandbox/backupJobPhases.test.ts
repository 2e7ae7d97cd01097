/**
 * Backup jobs as Azure runs them: a snapshot phase whose recovery point (InstantRP) is listed at once, then hours of
 * transfer to the vault with the job still InProgress (and able to fail there); lean job lists; and both forms of a
 * second on-demand backup while one runs.
 */
import { type Sandbox, startSandbox } from '../../sandbox';
import { VAULT, VAULT_RG, clients, recoveryPointsOf, testScenario, testVm, triggerBackup } from './sandboxFixtures';

const MINUTE = 60_000;

interface JobProps {
  status?: string;
  errorDetails?: { errorCode?: number; errorTitle?: string }[];
  extendedInfo?: { tasksList?: { taskId?: string; status?: string }[] };
}

/** Type and tiers only: what these tests follow through the job's two phases. */
const pointsOf = async (sandbox: Sandbox, vm: string): Promise<{ type: string; tiers: string[] }[]> =>
  (await recoveryPointsOf(sandbox, vm)).map(({ type, tiers }) => ({ type, tiers }));

const detailsOf = async (sandbox: Sandbox, jobId: string): Promise<JobProps> =>
  (await clients(sandbox).backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties as JobProps;

const tasks = (job: JobProps): string[] =>
  (job.extendedInfo?.tasksList ?? []).map((t) => `${t.taskId ?? ''}:${t.status ?? ''}`);

describe('sandbox backup job phases', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('ten-hours', [], { backup: { transferMinutes: 600 } }),
          testVm('transfer-fails', [], {
            backup: {
              transferMinutes: 120,
              transferFailure: {
                errorCode: 400402,
                errorTitle: 'UserErrorTransferToVaultFailed',
                errorString: 'Copying the snapshot to the vault failed (simulated).',
              },
            },
          }),
          testVm('snapshot-fails', [], {
            backup: { forceFailure: { errorCode: 400230, errorString: 'Snapshot failed (simulated).' } },
          }),
        ],
        { backup: { durationMinutes: 10, transferMinutes: 60 } },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('lists the InstantRP point at the end of the snapshot task while the job transfers for ten hours, then hardens it', async () => {
    const { jobId } = await triggerBackup(sandbox, 'ten-hours');
    await sandbox.idle();
    expect(tasks(await detailsOf(sandbox, jobId))).toEqual([
      'Take Snapshot:InProgress',
      'Transfer data to vault:NotStarted',
    ]);
    expect(await pointsOf(sandbox, 'ten-hours')).toEqual([]);

    sandbox.clock.advance(10 * MINUTE);
    const transferring = await detailsOf(sandbox, jobId);
    expect(transferring.status).toBe('InProgress');
    expect(tasks(transferring)).toEqual(['Take Snapshot:Completed', 'Transfer data to vault:InProgress']);
    expect(await pointsOf(sandbox, 'ten-hours')).toEqual([
      { type: 'FileSystemConsistent', tiers: ['InstantRP:Valid'] },
    ]);

    sandbox.clock.advance(599 * MINUTE);
    expect((await detailsOf(sandbox, jobId)).status).toBe('InProgress');
    sandbox.clock.advance(MINUTE);
    const done = await detailsOf(sandbox, jobId);
    expect(done.status).toBe('Completed');
    expect(tasks(done)).toEqual(['Take Snapshot:Completed', 'Transfer data to vault:Completed']);
    expect(await pointsOf(sandbox, 'ten-hours')).toEqual([
      { type: 'FileSystemConsistent', tiers: ['InstantRP:Valid', 'HardenedRP:Valid'] },
    ]);
  });

  it('fails a job in its transfer after a good snapshot: the snapshot-tier point stays, the error is in the job details', async () => {
    const { jobId } = await triggerBackup(sandbox, 'transfer-fails');
    await sandbox.idle();
    sandbox.clock.advance(10 * MINUTE);
    expect((await detailsOf(sandbox, jobId)).status).toBe('InProgress');
    expect(await pointsOf(sandbox, 'transfer-fails')).toHaveLength(1);

    sandbox.clock.advance(120 * MINUTE);
    const failed = await detailsOf(sandbox, jobId);
    expect(failed.status).toBe('Failed');
    expect(tasks(failed)).toEqual(['Take Snapshot:Completed', 'Transfer data to vault:Failed']);
    expect(failed.errorDetails).toEqual([
      expect.objectContaining({ errorCode: 400402, errorTitle: 'UserErrorTransferToVaultFailed' }),
    ]);
    expect(await pointsOf(sandbox, 'transfer-fails')).toEqual([
      { type: 'FileSystemConsistent', tiers: ['InstantRP:Valid'] },
    ]);
  });

  it('ends a job that failed in its snapshot phase without a transfer or a recovery point', async () => {
    const { jobId } = await triggerBackup(sandbox, 'snapshot-fails');
    await sandbox.idle();
    sandbox.clock.advance(10 * MINUTE);
    const failed = await detailsOf(sandbox, jobId);
    expect(failed.status).toBe('Failed');
    expect(tasks(failed)).toEqual(['Take Snapshot:Failed', 'Transfer data to vault:NotStarted']);
    expect(await pointsOf(sandbox, 'snapshot-fails')).toEqual([]);
  });

  it('lists lean jobs: no errorDetails, extendedInfo or actionsInfo, which only jobDetails.get returns', async () => {
    const { backup } = clients(sandbox);
    const listed: Record<string, unknown>[] = [];
    for await (const j of backup.backupJobs.list(VAULT, VAULT_RG, { filter: "operation eq 'Backup'" })) {
      listed.push({ ...j.properties });
    }
    expect(listed.length).toBeGreaterThanOrEqual(3);
    for (const props of listed) {
      expect(props).toHaveProperty('status');
      expect(props).not.toHaveProperty('errorDetails');
      expect(props).not.toHaveProperty('extendedInfo');
      expect(props).not.toHaveProperty('actionsInfo');
    }
    // The failed jobs' errors are there in their details.
    const failed = listed.filter((p) => p.status === 'Failed');
    expect(failed).toHaveLength(2);
  });
});

describe('sandbox backup collision accepted, then failed as a job', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([testVm('busy', [])], {
        backup: { durationMinutes: 10, transferMinutes: 60, collision: 'failJob' },
      }),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('accepts a second backup while one runs and fails its job with UserErrorBackupOperationInProgress', async () => {
    const first = await triggerBackup(sandbox, 'busy');
    await sandbox.idle();
    sandbox.clock.advance(20 * MINUTE);
    // The first job is transferring; the second POST is still accepted (202), as Azure sometimes does.
    const second = await triggerBackup(sandbox, 'busy');
    expect(second.status).toBe(202);
    expect(second.jobId).not.toBe(first.jobId);
    sandbox.clock.advance(MINUTE);
    const refused = await detailsOf(sandbox, second.jobId);
    expect(refused.status).toBe('Failed');
    expect(refused.errorDetails?.map((e) => e.errorTitle)).toEqual(['UserErrorBackupOperationInProgress']);
    expect(typeof refused.errorDetails?.[0]?.errorCode).toBe('number');
    expect(tasks(refused)).toEqual(['Take Snapshot:Failed', 'Transfer data to vault:NotStarted']);

    // The first job is not disturbed and ends as usual.
    expect((await detailsOf(sandbox, first.jobId)).status).toBe('InProgress');
    sandbox.clock.advance(60 * MINUTE);
    expect((await detailsOf(sandbox, first.jobId)).status).toBe('Completed');
  });
});
