import { protectedItemOf, vaultRefOf } from '../protectedItemOf';
import { CLOCK_SKEW_MS } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** Backup jobs older than this are past any snapshot phase (Azure ends a job within a day). */
const LOOKBACK_MS = 24 * 3_600_000;

/**
 * Whether a backup of the VM is in its snapshot phase: a job in progress whose recovery point is not listed yet.
 * The job list carries no tasks; the point appears when the snapshot task completes (backup-running relies on the
 * same signal), so "in progress and no point since its start" is the snapshot phase, or the pre-script's freeze.
 */
export const findSnapshotInProgress: CommandHandler<'FindSnapshotInProgress'> = async ({ deps, run, now, at }) => {
  const vault = vaultRefOf(deps.settings, run.target.vaultId);
  const name = run.target.vmName.toLowerCase();
  const filter = { startTime: new Date(now.getTime() - LOOKBACK_MS), endTime: now, operation: 'Backup' as const };
  for await (const job of deps.gateways.backup.listJobs(vault, filter)) {
    if (job.status !== 'InProgress' || job.entityName.toLowerCase() !== name || job.startTime === undefined) continue;
    // Only a point taken since the job started is its snapshot. No allowance for skew here, unlike findRecoveryPoint:
    // an older point counted by mistake would let a thaw run during a snapshot; a missed one only delays the thaw.
    const after = Date.parse(job.startTime);
    let pointListed = false;
    const points = deps.gateways.backup.listRecoveryPoints(protectedItemOf(deps.settings, run), {
      startDate: new Date(after - CLOCK_SKEW_MS),
      endDate: new Date(now.getTime() + CLOCK_SKEW_MS),
    });
    for await (const p of points) if (Date.parse(p.time) >= after) pointListed = true;
    if (!pointListed) {
      return [
        { type: 'SnapshotPhaseObserved', at, inSnapshot: true, detail: `job ${job.jobId}, started ${job.startTime}` },
      ];
    }
  }
  return [{ type: 'SnapshotPhaseObserved', at, inSnapshot: false }];
};
