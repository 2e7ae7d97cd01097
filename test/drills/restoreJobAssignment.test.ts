import type { BackupJob } from '../../src/shared/azure/backupGateway';
import { assignRestoreJobs } from '../../src/shared/protection/advanceRuns';
import type { Run } from '../../src/shared/runs/run';
import { at } from '../runs/runSamples';
import { requested } from '../runs/drillSamples';

const job = (jobId: string, minute: number): BackupJob => ({
  jobId,
  vaultId: 'v',
  entityName: 'iris-1',
  operation: 'Restore',
  status: 'InProgress',
  startTime: at(minute),
  errorDetails: [],
});

const drillRun = (id: string, requestedMinute: number, restoreJobId?: string): Run => {
  const base = requested();
  const drill = base.drill;
  if (drill === undefined) throw new Error('sample has no drill');
  return {
    ...base,
    id,
    drill: {
      ...drill,
      restoreRequestedAt: at(requestedMinute),
      ...(restoreJobId === undefined ? {} : { restoreJobId }),
    },
  };
};

describe('assignRestoreJobs: two drills of one VM waiting at once', () => {
  it('never hands a job another run holds, and gives the others in the order they asked', () => {
    const nightly = drillRun('night/iris-1', 17);
    const onDemand = drillRun('night/iris-1~drill-1', 18);
    const jobs = [job('j-cli', 18), job('j-night', 17)];
    const assigned = assignRestoreJobs([onDemand, nightly], jobs);
    expect(assigned.get('night/iris-1')?.jobId).toBe('j-night');
    expect(assigned.get('night/iris-1~drill-1')?.jobId).toBe('j-cli');
  });

  it('a run holding its job keeps it; the other does not adopt it', () => {
    const holder = drillRun('a', 18, 'j-1');
    const waiting = drillRun('b', 17);
    const assigned = assignRestoreJobs([waiting, holder], [job('j-1', 18)]);
    expect(assigned.get('a')?.jobId).toBe('j-1');
    expect(assigned.has('b')).toBe(false);
  });
});
