/**
 * Stage 'transfer-running': assessed at the snapshot, the run waits for the job's final status (read from the
 * per-vault job list each tick), then reads its recovery point once more for the tier the transfer gave it.
 */
import type { BackupJob } from '../../azure/backupGateway';
import type { Run } from '../run';
import { classifyTransferFailure } from '../../alerts/classification';
import { detailsOf } from './classifiedAlerts';
import type { CommandBuilder } from './commandBuilder';
import { COMPLETED, UNSUCCESSFUL, jobErrorLines, withJobEnd } from './jobStatus';
import type { PhaseHandler } from './phase';
import { recoveryPointSince, runPointOf } from './recoveryPoint';
import { onCommandFailed, onTick } from './retry';
import { finishAfterDrill, startDrill, wantsDrill } from './drillFlow';
import { moveTo, settled } from './transitions';
import type { RunPolicy } from '../runPolicy';

export const transferRunning: PhaseHandler<'transfer-running'> = (run, event, ctx) => {
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, ctx, (r) =>
        // Only the point's read after a completed transfer can be lost (the job's status comes from the job list).
        COMPLETED.includes(r.backup.jobStatus ?? '')
          ? { type: 'FindRecoveryPoint', after: recoveryPointSince(r) }
          : undefined,
      );
    case 'JobObserved':
      return onTransferJob(run, event.job, event.at, ctx.policy, ctx.commands);
    case 'RecoveryPointObserved': {
      // The point read once more after the transfer completed: record its tiers now (HardenedRP: in the vault).
      const point = runPointOf(event.point);
      const same = point !== null && run.recoveryPoint?.name === point.name;
      return endTransfer(same ? { ...run, recoveryPoint: point } : run, event.at, ctx.policy);
    }
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/**
 * The job's final status after a verdict taken at the snapshot. A run waits here cheaply: an InProgress job changes
 * nothing (no write); the end is recorded, and a transfer that failed after a good snapshot is its own alert.
 */
function onTransferJob(run: Run, job: BackupJob, at: string, policy: RunPolicy, c: CommandBuilder): Run {
  // Already recorded as completed: the point's read is pending, and a tick retries it if it was lost.
  const recorded = COMPLETED.includes(run.backup.jobStatus ?? '');
  if (
    recorded ||
    job.jobId !== run.backup.jobId ||
    !(COMPLETED.includes(job.status) || UNSUCCESSFUL.includes(job.status))
  ) {
    return run;
  }
  const backup = withJobEnd(run.backup, job);
  const next: Run = { ...settled(run, at), backup };
  if (UNSUCCESSFUL.includes(job.status)) {
    const details = jobErrorLines(job);
    const point = run.recoveryPoint;
    const kept = point
      ? `; the snapshot recovery point of ${point.time} (${(point.tiers ?? []).join(', ') || 'snapshot tier'}) stays usable for an instant restore until it expires`
      : '';
    const reason = `The backup job ended ${job.status} in its transfer to the vault, after a good snapshot${details.length > 0 ? `: ${details.join('; ')}` : ''}${kept}`;
    const classified = classifyTransferFailure(job, {
      vmId: run.target.vmId,
      ...(point ? { recoveryPoint: { type: point.type, time: point.time } } : {}),
    });
    c.alert('error', 'BackupTransferFailed', reason, detailsOf(classified));
    return moveTo({ ...next, backup: { ...backup, transferFailed: true } }, 'failed', at, reason);
  }
  if (next.recoveryPoint) {
    // Read the point once more to record the tier the transfer gave it.
    c.add({ type: 'FindRecoveryPoint', after: recoveryPointSince(next) });
    return { ...next, pendingSince: at };
  }
  return endTransfer(next, at, policy);
}

/** The transfer ended Completed: the run ends by its verdict (and its drill's, drilled at the snapshot). */
function endTransfer(run: Run, at: string, policy: RunPolicy): Run {
  const next = settled(run, at);
  if (run.verdict?.consistency === 'failed') {
    return moveTo(next, 'failed', at, `The backup failed: ${run.verdict.reasons.join('; ')}`);
  }
  if (run.drill?.outcome !== undefined) return finishAfterDrill(next, at);
  // Not drilled at the snapshot (a run from before drills were on): drill the point now, from whichever tier holds it.
  return wantsDrill(next, policy) ? startDrill(next, at, policy) : moveTo(next, 'done', at);
}
