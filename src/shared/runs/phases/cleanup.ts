/**
 * Stage 'cleaning-up': the drill's record is written, what its restore created is claimed (tagged), then deleted —
 * only what carries the app's tags inside the drill resource group (safety invariant 1, enforced again by the
 * gateway). A failed or inconclusive drill may be kept for investigation until a deadline instead; failed deletes
 * are retried with backoff and alerted when they persist. A restore job still running (its stage ran out of time)
 * is waited for first, so the VM it creates does not escape.
 */
import type { BackupJob } from '../../azure/backupGateway';
import { drillRecordOf } from '../../drills/drillRecord';
import type { RunDrill } from '../../drills/drillState';
import type { Run } from '../run';
import type { CommandBuilder } from './commandBuilder';
import { drillTagsFor, withClaimed } from './drillClaim';
import { finishAfterDrill, onBackupJobDuringDrill } from './drillFlow';
import { minutes, ms } from './isoTime';
import { COMPLETED, UNSUCCESSFUL } from './jobStatus';
import type { PhaseContext, PhaseHandler, RunIn } from './phase';
import { onCommandFailed } from './retry';
import { moveTo, settled } from './transitions';
import { RETRIGGER_GRACE_MS } from './backup';

/** Failed delete rounds before the alert; the rounds go on (with backoff) until the stage's limit. */
export const CLEANUP_ALERT_AFTER = 3;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 30 * 60_000;

export const cleaningUp: PhaseHandler<'cleaning-up'> = (run, event, ctx) => {
  const drill = run.drill;
  if (drill === undefined) return finishAfterDrill(run, event.at);
  const c = ctx.commands;
  switch (event.type) {
    case 'Tick':
      return onCleanupTick(run, drill, event.at, ctx);
    case 'DrillRecorded':
      return proceed({ ...settled(run, event.at), drill: { ...drill, recordedAt: event.at } }, event.at, ctx);
    case 'DrillResourcesClaimed': {
      const cleanup = withClaimed(drill.cleanup, event.resourceIds, event.at);
      return proceed({ ...settled(run, event.at), drill: { ...drill, cleanup } }, event.at, ctx);
    }
    case 'DrillResourcesDeleted':
      return proceed(
        {
          ...settled(run, event.at),
          drill: { ...drill, cleanup: { ...drill.cleanup, claimed: [], deletedAt: event.at } },
        },
        event.at,
        ctx,
      );
    case 'DrillCleanupFailed': {
      const failures = drill.cleanup.failures + 1;
      const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
      if (failures === CLEANUP_ALERT_AFTER)
        c.alert(
          'error',
          'DrillCleanupFailing',
          `the drill VM ${drill.vmName} and its resources could not be deleted ${failures} times: ${event.reason}; still trying with backoff, and the daily sweep deletes them after their ibg-expires tag`,
        );
      const claimed = event.remaining.length > 0 ? event.remaining : drill.cleanup.claimed;
      const cleanup = {
        ...drill.cleanup,
        claimed,
        failures,
        lastError: event.reason,
        nextAttemptAt: new Date(ms(event.at) + wait).toISOString(),
      };
      return { ...settled(run, event.at), drill: { ...drill, cleanup } };
    }
    case 'RestoreJobObserved':
      return onLateRestoreJob(run, drill, event.job, event.at, ctx);
    case 'NoRestoreJobSinceRequest': {
      const last = drill.retriggeredAt ?? drill.restoreRequestedAt;
      // Only a list read a grace period after the latest request, and covering it, proves it created nothing.
      if (last === undefined || ms(event.at) - ms(last) < RETRIGGER_GRACE_MS || ms(event.since) > ms(last))
        return settled(run, event.at);
      return proceed({ ...settled(run, event.at), drill: { ...drill, restoreAbsentAt: event.at } }, event.at, ctx);
    }
    case 'JobObserved':
      return onBackupJobDuringDrill(run, event.job, event.at, c);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** A restore job still running when the drill ended: its end is what cleanup waits for. */
function onLateRestoreJob(run: Run, drill: RunDrill, job: BackupJob, at: string, ctx: PhaseContext): Run {
  if (drill.restoreJobId !== undefined && job.jobId !== drill.restoreJobId) return run;
  if (drill.restoreJobStatus === job.status && drill.restoreJobId === job.jobId) return run;
  const seen: RunDrill = {
    ...drill,
    restoreJobId: job.jobId,
    restoreJobStatus: job.status,
    ...(job.endTime === undefined ? {} : { restoreJobEnd: job.endTime }),
  };
  if (restoreStillRunning(seen)) return { ...run, updatedAt: at, drill: seen };
  // The job ended after the drill did: a claim made before it may have missed what it created, so claim again.
  const cleanup = { ...seen.cleanup };
  delete cleanup.claimedAt;
  return proceed({ ...run, updatedAt: at, drill: { ...seen, cleanup } }, at, ctx);
}

/**
 * A restore was requested but its job was never seen, nor was it refused: until a job list shows its job, or shows
 * none a grace period later, it may still create a VM that cleanup must not miss.
 */
const restoreUnaccounted = (drill: RunDrill): boolean =>
  drill.restoreRequestedAt !== undefined &&
  drill.restoreJobId === undefined &&
  drill.restoreRefused !== true &&
  drill.restoreAbsentAt === undefined;

const restoreStillRunning = (drill: RunDrill | undefined): boolean =>
  drill?.restoreJobId !== undefined &&
  !COMPLETED.includes(drill.restoreJobStatus ?? '') &&
  !UNSUCCESSFUL.includes(drill.restoreJobStatus ?? '');

function onCleanupTick(run: RunIn<'cleaning-up'>, drill: RunDrill, at: string, ctx: PhaseContext): Run {
  const limit = ctx.policy.stageLimitsMs['cleaning-up'];
  // A restore job still running creates a VM nothing would tag once the run has ended: wait for it (bounded by the
  // restore's own limit), then give the claim and the deletes the cleanup's whole limit from the job's end.
  const overdue = restoreStillRunning(drill)
    ? ms(at) - ms(run.stageStartedAt) > limit + ctx.policy.stageLimitsMs['restore-running']
    : ms(at) - Math.max(ms(run.stageStartedAt), ms(drill.restoreJobEnd ?? run.stageStartedAt)) > limit;
  if (overdue) {
    const left = drill.cleanup.claimed.length;
    const reason = `the drill's cleanup did not finish within ${minutes(limit)} (IBG_LIMIT_CLEANUP_MINUTES)${drill.recordedAt ? '' : '; its record was not written'}${left > 0 ? `; ${left} resource(s) are left to the daily sweep, which deletes them after their ibg-expires tag` : ''}`;
    ctx.commands.alert('error', 'DrillCleanupIncomplete', reason);
    return moveTo(run, 'timed-out', at, reason);
  }
  if (run.pendingSince !== undefined && ms(at) - ms(run.pendingSince) < ctx.policy.retryAfterMs) return run;
  return proceed(run, at, ctx, true);
}

/**
 * The next cleanup step: the record, the claim (once no restore job can still create anything), the keep or the
 * deletes, then the end of the run. `retry`: a tick, which re-asks a step whose answer was lost.
 */
function proceed(run: Run, at: string, ctx: PhaseContext, retry = false): Run {
  const drill = run.drill;
  if (drill === undefined) return finishAfterDrill(run, at);
  const c = ctx.commands;
  const pending = (r: Run): Run => ({ ...r, updatedAt: at, pendingSince: at });
  if (drill.recordedAt === undefined) {
    if (!retry) return run;
    return recordAgain(run, c) ? pending(run) : run;
  }
  if (restoreStillRunning(drill)) return run;
  if (restoreUnaccounted(drill)) {
    // The per-vault restore job list delivers the job each tick if it exists; this asks for the proof it does not.
    const last = drill.retriggeredAt ?? drill.restoreRequestedAt ?? at;
    if (!retry || ms(at) - ms(last) < RETRIGGER_GRACE_MS) return run;
    c.add({ type: 'FindRestoreJob', since: last });
    return pending(run);
  }
  const keepMs = ctx.policy.drill?.keepFailedMs ?? 0;
  const keep = drill.outcome !== undefined && drill.outcome.verdict !== 'passed' && keepMs > 0;
  if (drill.cleanup.claimedAt === undefined || (keep && drill.cleanup.keptUntil === undefined)) {
    const keptUntil = keep ? new Date(ms(at) + keepMs).toISOString() : undefined;
    c.add({
      type: 'ClaimDrillResources',
      drillVmId: drill.vmId,
      drillVmName: drill.vmName,
      since: drill.restoreRequestedAt ?? drill.queuedAt,
      tags: drillTagsFor(run, at, ctx.policy, keptUntil),
    });
    if (keptUntil === undefined) return pending(run);
    // Kept: claimed again with the keep's deadline in ibg-expires, so the claim is pending until it answers.
    const { claimedAt: _claimed, ...unclaimed } = drill.cleanup;
    return pending({ ...run, drill: { ...drill, cleanup: { ...unclaimed, keptUntil } } });
  }
  if (drill.cleanup.keptUntil !== undefined || drill.cleanup.claimed.length === 0)
    return finishAfterDrill(settled(run, at), at);
  if (drill.cleanup.nextAttemptAt !== undefined && ms(at) < ms(drill.cleanup.nextAttemptAt)) return run;
  c.add({ type: 'DeleteDrillResources', drillVmId: drill.vmId, resourceIds: drill.cleanup.claimed });
  return pending(run);
}

/** A lost record is sent again: the same record, and the store is insert-only, so a repeat is harmless. */
function recordAgain(run: Run, c: CommandBuilder): boolean {
  const record = drillRecordOf(run);
  if (record === undefined) return false;
  c.add({ type: 'RecordDrill', record });
  return true;
}
