/**
 * Stage 'restore-running': the drill waits for a slot in the subscription's drill budget, then restores its point
 * as a new VM in the drill group and subnet, once: the request time is written before the POST, and the restore is
 * asked again only when, after a grace period, the vault lists no restore job for the VM (as for backups). The
 * restore job is followed from the per-vault restore job list each tick.
 */
import type { BackupJob, RecoveryPoint } from '../../azure/backupGateway';
import { olderPointIndex } from '../../drills/drillPolicy';
import type { DrillFailureStage, DrillPoint, RunDrill } from '../../drills/drillState';
import { drillPointOf, restoreRequestOf } from '../../drills/drillTarget';
import type { Run } from '../run';
import type { CommandBuilder } from './commandBuilder';
import { endDrill, onBackupJobDuringDrill } from './drillFlow';
import { minutes, ms } from './isoTime';
import { COMPLETED, OPERATION_FAILED, UNSUCCESSFUL, jobErrorLines } from './jobStatus';
import type { PhaseContext, PhaseHandler, RunIn } from './phase';
import { onCommandFailed } from './retry';
import { RETRIGGER_GRACE_MS } from './backup';
import { moveTo, settled } from './transitions';
import { timedOut } from './timeLimit';

export const restoreRunning: PhaseHandler<'restore-running'> = (run, event, ctx) => {
  const c = ctx.commands;
  const drill = run.drill;
  // A run stored in a drill stage without its drill (written by an older version): it ends at its time limit.
  if (drill === undefined) return event.type === 'Tick' ? (timedOut(run, event.at, ctx) ?? run) : run;
  switch (event.type) {
    case 'Tick':
      return onRestoreTick(run, drill, event.at, ctx);
    case 'DrillSlotGranted': {
      if (drill.startedAt !== undefined) return run;
      const started: Run = { ...run, updatedAt: event.at, drill: { ...drill, startedAt: event.at } };
      const policy = ctx.policy.drill;
      // Every Nth drill night restores a random older point: list them first (an operator's drill keeps its own).
      if (
        policy !== undefined &&
        drill.onDemand !== true &&
        olderPointIndex(policy, run.vmKey, run.id, run.night, 1) !== undefined
      ) {
        c.add({ type: 'ListDrillPoints' });
        return { ...started, pendingSince: event.at, drill: { ...drill, startedAt: event.at, listingPoints: true } };
      }
      return requestRestore(started, event.at, ctx);
    }
    case 'DrillPointsListed': {
      if (!drill.listingPoints) return run;
      const point = olderPoint(run, drill, event.points, ctx) ?? drill.point;
      const next: RunDrill = { ...drill, listingPoints: false };
      if (point !== undefined) next.point = point;
      return requestRestore({ ...settled(run, event.at), drill: next }, event.at, ctx);
    }
    case 'RestoreTriggered': {
      if (drill.operationId !== undefined || drill.restoreJobId !== undefined) return settled(run, event.at);
      // The per-vault restore job list finds the job within a tick; the operation is read only if it does not.
      return {
        ...run,
        updatedAt: event.at,
        pendingSince: event.at,
        drill: {
          ...drill,
          operationId: event.operationId,
          ...(event.productionAddresses === undefined ? {} : { productionAddresses: event.productionAddresses }),
          ...(event.region === undefined ? {} : { region: event.region }),
        },
      };
    }
    case 'RestoreTriggerFailed':
      if (event.refusedBy === 'checks')
        return endDrill(
          refused(run, drill),
          { verdict: 'inconclusive', stage: 'target', reason: event.reason, notes: [], at: event.at },
          c,
        );
      if (event.refusedBy === 'azure')
        return endDrill(refused(run, drill), failedRestore(`Azure refused the restore: ${event.reason}`, event.at), c);
      // Transient: the request may have reached Azure; the job list decides (see the tick).
      return { ...run, updatedAt: event.at, reason: `TriggerRestore failed: ${event.reason}` };
    case 'OperationObserved': {
      const next = settled(run, event.at);
      if (event.jobId !== undefined && drill.restoreJobId === undefined)
        return { ...next, drill: { ...drill, restoreJobId: event.jobId } };
      if (drill.restoreJobId === undefined && OPERATION_FAILED.includes(event.status))
        return endDrill(
          refused(next, drill),
          failedRestore(
            `the restore operation ended ${event.status} without a job${event.error ? `: ${event.error}` : ''}`,
            event.at,
          ),
          c,
        );
      return next;
    }
    case 'RestoreJobObserved':
      return onRestoreJob(run, drill, event.job, event.at, c);
    case 'NoRestoreJobSinceRequest': {
      const requested = drill.restoreRequestedAt;
      // The list must cover the latest request: after a second one, a list since the first proves nothing new.
      const last = drill.retriggeredAt ?? requested;
      if (requested === undefined || last === undefined || !mayRerequest(drill, event.at) || ms(event.since) > ms(last))
        return settled(run, event.at);
      if (drill.retriggeredAt !== undefined)
        return endDrill(
          settled(run, event.at),
          {
            verdict: 'inconclusive',
            stage: 'restore',
            reason: `the restore was requested twice and the vault lists no restore job for ${run.target.vmName} either time`,
            notes: [],
            at: event.at,
          },
          c,
        );
      c.alert(
        'warning',
        'RestoreRetriggered',
        `the drill's restore requested at ${requested} never reached Azure (no restore job after ${minutes(RETRIGGER_GRACE_MS)}); asking once more`,
      );
      const again: Run = { ...settled(run, event.at), drill: { ...drill, retriggeredAt: event.at } };
      return requestRestore(again, event.at, ctx, true);
    }
    case 'JobObserved':
      return onBackupJobDuringDrill(run, event.job, event.at, c);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** The restore request created nothing: cleanup need not wait for a restore job to show up. */
const refused = (run: Run, drill: RunDrill): Run => ({ ...run, drill: { ...drill, restoreRefused: true } });

const failedRestore = (reason: string, at: string) => ({
  verdict: 'failed' as const,
  stage: 'restore' as DrillFailureStage,
  reason,
  notes: [],
  at,
});

/** The next restore request may go only after the grace period since the last one (RETRIGGER_GRACE_MS). */
const mayRerequest = (drill: RunDrill, at: string): boolean => {
  const last = drill.retriggeredAt ?? drill.restoreRequestedAt;
  return last !== undefined && ms(at) - ms(last) >= RETRIGGER_GRACE_MS;
};

/** Writes the request time, then asks the shell to check the target and POST the restore. */
function requestRestore(run: Run, at: string, ctx: PhaseContext, again = false): Run {
  const drill = run.drill;
  const policy = ctx.policy.drill;
  if (drill === undefined || drill.point === undefined || policy === undefined) {
    return drill === undefined
      ? run
      : endDrill(
          run,
          {
            verdict: 'inconclusive',
            stage: 'target',
            reason: 'drills are switched off or the point is unknown',
            notes: [],
            at,
          },
          ctx.commands,
        );
  }
  // Safety: the first request is written once; a second one only by the re-request path above.
  if (drill.restoreRequestedAt !== undefined && !again) return run;
  const { region: _region, ...request } = restoreRequestOf(
    policy.target,
    run.target.vmId,
    drill.point.name,
    drill.vmName,
    '',
  );
  ctx.commands.add({ type: 'TriggerRestore', request });
  return {
    ...run,
    updatedAt: at,
    pendingSince: at,
    drill: { ...drill, restoreRequestedAt: drill.restoreRequestedAt ?? at },
  };
}

/** A sampled older point: one of the VM's points older than tonight's, chosen by the run id (deterministic). */
function olderPoint(run: Run, drill: RunDrill, points: RecoveryPoint[], ctx: PhaseContext): DrillPoint | undefined {
  const policy = ctx.policy.drill;
  const tonight = drill.point?.time;
  if (policy === undefined || tonight === undefined) return undefined;
  const older = points.filter((p) => ms(p.time) < ms(tonight)).sort((a, b) => ms(a.time) - ms(b.time));
  const i = olderPointIndex(policy, run.vmKey, run.id, run.night, older.length);
  const p = i === undefined ? undefined : older[i];
  if (p === undefined) return undefined;
  return { ...drillPointOf(p), sampled: true };
}

function onRestoreTick(run: RunIn<'restore-running'>, drill: RunDrill, at: string, ctx: PhaseContext): Run {
  const limit = ctx.policy.stageLimitsMs['restore-running'];
  if (ms(at) - ms(run.stageStartedAt) > limit) {
    const reason =
      drill.startedAt === undefined
        ? `the drill waited ${minutes(limit)} for a slot in the subscription's drill budget (IBG_DRILL_MAX_CONCURRENT)`
        : `the restore did not finish within ${minutes(limit)} (IBG_LIMIT_RESTORE_MINUTES)${drill.restoreJobStatus ? `; its job is ${drill.restoreJobStatus}` : ''}`;
    // Cleanup waits for a restore job still running, so the VM it creates is claimed and deleted.
    return endDrill(run, { verdict: 'inconclusive', stage: 'restore', reason, notes: [], at }, ctx.commands);
  }
  if (drill.startedAt === undefined) return run;
  if (run.pendingSince !== undefined && ms(at) - ms(run.pendingSince) < ctx.policy.retryAfterMs) return run;
  const c = ctx.commands;
  if (drill.listingPoints) {
    c.add({ type: 'ListDrillPoints' });
    return { ...run, updatedAt: at, pendingSince: at };
  }
  if (drill.restoreJobId !== undefined) return run;
  if (drill.operationId !== undefined) {
    c.add({ type: 'ReadOperation', operationId: drill.operationId });
    return { ...run, updatedAt: at, pendingSince: at };
  }
  if (drill.restoreRequestedAt === undefined) return requestRestore(run, at, ctx);
  if (!mayRerequest(drill, at)) return run;
  c.add({ type: 'FindRestoreJob', since: drill.retriggeredAt ?? drill.restoreRequestedAt });
  return { ...run, updatedAt: at, pendingSince: at };
}

/** The restore job's state: completed → the drill VM exists, verify it; failed → the drill failed at restore. */
function onRestoreJob(run: Run, drill: RunDrill, job: BackupJob, at: string, c: CommandBuilder): Run {
  if (drill.restoreJobId !== undefined && job.jobId !== drill.restoreJobId) return run;
  const next: RunDrill = {
    ...drill,
    restoreJobId: job.jobId,
    restoreJobStatus: job.status,
    ...(job.startTime === undefined ? {} : { restoreJobStart: job.startTime }),
  };
  if (COMPLETED.includes(job.status)) {
    return moveTo({ ...settled(run, at), drill: { ...next, restoreJobEnd: job.endTime ?? at } }, 'verifying', at);
  }
  if (UNSUCCESSFUL.includes(job.status)) {
    const details = jobErrorLines(job);
    const failed: Run = {
      ...settled(run, at),
      drill: { ...next, restoreJobEnd: job.endTime ?? at, restoreErrors: job.errorDetails },
    };
    return endDrill(
      failed,
      failedRestore(`the restore job ended ${job.status}${details.length > 0 ? `: ${details.join('; ')}` : ''}`, at),
      c,
    );
  }
  if (drill.restoreJobId === job.jobId && drill.restoreJobStatus === job.status) return run;
  return { ...settled(run, at), drill: next };
}
