/**
 * Stages 'triggering' (find a running backup of the VM, or ask for one, once) and 'backup-running' (follow the
 * job until its snapshot is listed or it ends). Both end in 'assessing' unless Azure refuses the backup.
 */
import type { BackupJob } from '../../azure/backupGateway';
import type { Run } from '../run';
import type { RunEvent } from '../runEvent';
import { collectLogs } from './assess';
import type { CommandBuilder } from './commandBuilder';
import { DAY_MS, minutes, ms } from './isoTime';
import { COMPLETED, OPERATION_FAILED, UNSUCCESSFUL } from './jobStatus';
import type { PhaseHandler } from './phase';
import { runPointOf } from './recoveryPoint';
import { onCommandFailed, onTick } from './retry';
import { moveTo, settled } from './transitions';

/**
 * How long after a backup request the vault's job list must still show no job for the VM before the run may ask
 * once more. A job appears in the list within seconds of an accepted POST; ten minutes leaves a wide margin, so a
 * list that is empty after it means the POST never reached Azure (the instance died between writing the request
 * and sending it). Not a setting: it guards the one-job-per-night invariant and has no business value to tune.
 */
export const RETRIGGER_GRACE_MS = 10 * 60_000;

export const triggering: PhaseHandler<'triggering'> = (run, event, ctx) => {
  const c = ctx.commands;
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, ctx, (r, at) => {
        const { vmName, vaultId } = r.target;
        const requested = r.backup.triggerRequestedAt;
        // Someone else's request: its job comes from the vault's job list each tick; the run never asks for one.
        if (r.backup.external) return undefined;
        if (requested === undefined) return { type: 'FindInProgressJob', vmName, vaultId };
        // Once the backup was requested, an observed job moves the run on; only a job list that proves the request
        // left no job may lead to one more request (see RETRIGGER_GRACE_MS).
        return mayRetrigger(r, at) ? { type: 'FindJobSinceRequest', vmName, vaultId, since: requested } : undefined;
      });
    case 'InProgressJobFound':
      return moveTo(
        { ...settled(run, event.at), backup: { ...run.backup, jobId: event.jobId, adopted: true } },
        'backup-running',
        event.at,
      );
    case 'NoInProgressJob': {
      // Safety invariant 5: a run asks for a backup once, whatever retries or crashes happen afterwards.
      if (run.backup.triggerRequestedAt !== undefined) return settled(run, event.at);
      c.add({ type: 'TriggerBackup', expiry: expiryOf(event.at, ctx.policy.retentionDays) });
      return {
        ...run,
        updatedAt: event.at,
        pendingSince: event.at,
        backup: { ...run.backup, triggerRequestedAt: event.at },
      };
    }
    case 'NoJobSinceRequest': {
      const requested = run.backup.triggerRequestedAt;
      // Only a list read after the grace period that covers the request proves the first request left no job.
      if (!mayRetrigger(run, event.at) || requested === undefined || ms(event.since) > ms(requested)) {
        return settled(run, event.at);
      }
      c.alert(
        'warning',
        'BackupRetriggered',
        `the backup requested at ${requested} never reached Azure (no job after ${minutes(RETRIGGER_GRACE_MS)}); asking once more`,
      );
      c.add({ type: 'TriggerBackup', expiry: expiryOf(event.at, ctx.policy.retentionDays) });
      return {
        ...run,
        updatedAt: event.at,
        pendingSince: event.at,
        backup: { ...run.backup, retriggeredAt: event.at },
      };
    }
    case 'BackupTriggered': {
      c.add({ type: 'ReadOperation', operationId: event.operationId });
      const next = moveTo(
        { ...run, backup: { ...run.backup, operationId: event.operationId } },
        'backup-running',
        event.at,
      );
      return { ...next, pendingSince: event.at };
    }
    case 'BackupTriggerFailed': {
      const reason = `Azure refused the backup request: ${event.reason}`;
      c.alert('error', 'BackupTriggerFailed', reason);
      return moveTo(settled(run, event.at), 'failed', event.at, reason);
    }
    case 'JobObserved':
      return onJob(run, event.job, event.at, c);
    case 'JobCollided':
      return onCollision(run, event, c);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

export const backupRunning: PhaseHandler<'backup-running'> = (run, event, ctx) => {
  const c = ctx.commands;
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, ctx, (r) => {
        // Job status comes from the per-vault job list each tick; only the operation needs its own read.
        if (r.backup.jobId === undefined) {
          return r.backup.operationId !== undefined
            ? { type: 'ReadOperation', operationId: r.backup.operationId }
            : undefined;
        }
        // While the job runs, its recovery point is listed as soon as its snapshot task completes (the list of jobs
        // carries no tasks): look each tick, so the verdict comes within one tick of the snapshot.
        return r.backup.jobStatus === 'InProgress' && r.backup.jobStartTime !== undefined
          ? { type: 'FindRecoveryPoint', after: r.backup.jobStartTime }
          : undefined;
      });
    case 'OperationObserved': {
      const next = settled(run, event.at);
      if (event.jobId !== undefined && run.backup.jobId === undefined) {
        return { ...next, backup: { ...run.backup, jobId: event.jobId } };
      }
      if (run.backup.jobId === undefined && OPERATION_FAILED.includes(event.status)) {
        const reason = `The backup operation ended ${event.status} without a job${event.error ? `: ${event.error}` : ''}`;
        c.alert('error', 'BackupTriggerFailed', reason);
        return moveTo(next, 'failed', event.at, reason);
      }
      return next;
    }
    case 'JobObserved':
      return onJob(run, event.job, event.at, c);
    case 'JobCollided':
      return onCollision(run, event, c);
    case 'RecoveryPointObserved': {
      // The job still runs; a listed point means its snapshot task completed: assess now, not after the transfer.
      const point = runPointOf(event.point);
      if (point === null) return settled(run, event.at);
      return collectLogs(moveTo({ ...run, recoveryPoint: point }, 'assessing', event.at), event.at);
    }
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** Recovery point expiry: the request's time plus the retention. */
const expiryOf = (at: string, retentionDays: number): string => new Date(ms(at) + retentionDays * DAY_MS).toISOString();

/**
 * A requested backup may be asked for once more only when nothing came of the request (no operation id, no job),
 * it was not asked again already, and the grace period for its job to show up has passed.
 */
export function mayRetrigger(run: Run, at: string): boolean {
  const b = run.backup;
  return (
    run.stage === 'triggering' &&
    !b.external &&
    b.triggerRequestedAt !== undefined &&
    b.retriggeredAt === undefined &&
    b.operationId === undefined &&
    b.jobId === undefined &&
    ms(at) - ms(b.triggerRequestedAt) >= RETRIGGER_GRACE_MS
  );
}

function onJob(run: Run, job: BackupJob, at: string, c: CommandBuilder): Run {
  if (run.backup.jobId !== undefined && run.backup.jobId !== job.jobId) return run;
  const backup = {
    ...run.backup,
    jobId: job.jobId,
    jobStatus: job.status,
    errorDetails: job.errorDetails,
    ...(job.startTime === undefined ? {} : { jobStartTime: job.startTime }),
    ...(job.endTime === undefined ? {} : { jobEndTime: job.endTime }),
    ...(job.durationInMs === undefined ? {} : { durationInMs: job.durationInMs }),
    ...(run.stage === 'triggering' && run.backup.triggerRequestedAt === undefined ? { adopted: true } : {}),
  };
  let next: Run = { ...run, updatedAt: at, backup };
  if (run.stage === 'triggering') next = moveTo(settled(next, at), 'backup-running', at);
  if (COMPLETED.includes(job.status)) {
    c.add({ type: 'FindRecoveryPoint', after: job.startTime ?? run.backup.triggerRequestedAt ?? run.createdAt });
    return { ...moveTo(next, 'assessing', at), pendingSince: at };
  }
  if (UNSUCCESSFUL.includes(job.status)) {
    // No recovery point to look for, but the logs still say why (and whether IRIS was left frozen).
    return collectLogs(moveTo({ ...next, recoveryPoint: null }, 'assessing', at), at);
  }
  return next;
}

/**
 * Azure accepted the backup request while another backup of the VM ran, then failed the new job with
 * UserErrorBackupOperationInProgress. The running job is tonight's backup: adopt it (one job per VM and night, and
 * no BackupFailed for a job that never tried).
 */
function onCollision(run: Run, event: Extract<RunEvent, { type: 'JobCollided' }>, c: CommandBuilder): Run {
  if (run.backup.jobId !== undefined && run.backup.jobId !== event.failedJobId) return run;
  const collidedJobIds = [...(run.backup.collidedJobIds ?? []), event.failedJobId];
  if (event.runningJobId === undefined) {
    const reason = `Azure failed the backup job ${event.failedJobId} because another backup of the VM was in progress, and the vault lists no other backup job of the VM to adopt`;
    c.alert('error', 'BackupTriggerFailed', reason);
    return moveTo({ ...settled(run, event.at), backup: { ...run.backup, collidedJobIds } }, 'failed', event.at, reason);
  }
  const backup: Run['backup'] = { ...run.backup, jobId: event.runningJobId, adopted: true, collidedJobIds };
  // What was read of the failed job is not tonight's backup's.
  delete backup.jobStatus;
  delete backup.jobStartTime;
  delete backup.jobEndTime;
  delete backup.durationInMs;
  delete backup.errorDetails;
  const next: Run = { ...settled(run, event.at), backup };
  return run.stage === 'triggering' ? moveTo(next, 'backup-running', event.at) : next;
}
