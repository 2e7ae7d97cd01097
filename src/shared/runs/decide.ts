/**
 * The run state machine: `decide(run, event, policy) → { run, commands }`. Pure: no clock, no I/O, no env; time
 * arrives in the events. Events that do not apply to the run's stage leave it unchanged, and terminal stages absorb
 * everything, so duplicate, late or replayed observations are harmless.
 */
import type { BackupJob, JobStatus } from '../azure/backupGateway';
import { evidenceFromProbeLogs } from './backupEvidence';
import { backupVerdict, type BackupVerdict } from './backupVerdict';
import { isTerminalStage, type CompactFinding, type Run, type RunStage } from './run';
import type { RunCommand } from './runCommand';
import { EVENT_STAGES, type RunEvent } from './runEvent';
import type { RunPolicy } from './runPolicy';
import { boundRun, capText } from './runLimits';

export interface Decision {
  run: Run;
  commands: RunCommand[];
}

const DAY_MS = 86_400_000;
/** VM clocks drift, and a log line may be written just before the job start Azure records. */
export const LOG_SINCE_MARGIN_MS = 10 * 60_000;
/**
 * How long after a backup request the vault's job list must still show no job for the VM before the run may ask
 * once more. A job appears in the list within seconds of an accepted POST; ten minutes leaves a wide margin, so a
 * list that is empty after it means the POST never reached Azure (the instance died between writing the request
 * and sending it). Not a setting: it guards the one-job-per-night invariant and has no business value to tune.
 */
export const RETRIGGER_GRACE_MS = 10 * 60_000;

/** An alert quotes reasons that may carry Azure's or a VM's text; a log line or a message needs no more. */
const ALERT_MESSAGE_CHARS = 4_000;

const COMPLETED: readonly JobStatus[] = ['Completed', 'CompletedWithWarnings'];
const UNSUCCESSFUL: readonly JobStatus[] = ['Failed', 'Cancelled'];
const OPERATION_FAILED = ['Failed', 'Canceled', 'Invalid'];

const ms = (iso: string): number => Date.parse(iso);
const minutes = (n: number): string => `${Math.round(n / 60_000)} min`;

/** Findings that make the next backup useless or harmful: no snapshot at all, or IRIS left frozen afterwards. */
export const blockingCodes = (findings: readonly CompactFinding[]): string[] =>
  findings.filter((f) => f.impact === 'no-snapshot' || f.impact === 'iris-left-frozen').map((f) => f.code);

/** What the shell does right after creating a run. */
export const initialCommands = (run: Run): RunCommand[] => [
  { type: 'RunPreflight', runId: run.id, vmId: run.target.vmId },
];

export function decide(run: Run, event: RunEvent, policy: RunPolicy): Decision {
  if (isTerminalStage(run.stage) || !EVENT_STAGES[event.type].includes(run.stage)) return { run, commands: [] };
  const c = new Commands(run);
  const next = step(run, event, policy, c);
  // Every run this returns can be written: what it keeps from outside (Azure errors, VM text) is capped.
  return { run: next === run ? run : boundRun(next), commands: c.list };
}

/** Builds commands that all name the run and its VM. */
class Commands {
  readonly list: RunCommand[] = [];
  constructor(private readonly run: Run) {}
  private get base(): { runId: string; vmId: string } {
    return { runId: this.run.id, vmId: this.run.target.vmId };
  }
  add(cmd: DistributiveOmit<RunCommand, 'runId' | 'vmId'>): void {
    this.list.push({ ...this.base, ...cmd } as RunCommand);
  }
  alert(severity: 'critical' | 'error' | 'warning' | 'info', code: string, message: string): void {
    const text = `${this.run.target.vmName} (${this.run.night}): ${message}`;
    this.add({ type: 'Alert', severity, code, message: capText(text, ALERT_MESSAGE_CHARS) });
  }
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function moveTo(run: Run, to: RunStage, at: string, reason?: string): Run {
  const terminal = isTerminalStage(to);
  const next: Run = {
    ...run,
    stage: to,
    stageStartedAt: at,
    updatedAt: at,
    history: [...run.history, reason === undefined ? { from: run.stage, to, at } : { from: run.stage, to, at, reason }],
  };
  if (reason !== undefined) next.reason = reason;
  if (terminal) {
    next.finishedAt = at;
    delete next.pendingSince;
  }
  return next;
}

const settled = (run: Run, at: string): Run => {
  const next = { ...run, updatedAt: at };
  delete next.pendingSince;
  return next;
};

function step(run: Run, event: RunEvent, policy: RunPolicy, c: Commands): Run {
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, policy, c);
    case 'PreflightCompleted': {
      const blocking = blockingCodes(event.findings);
      const preflight = { findings: event.findings, blocking };
      if (blocking.length > 0 && policy.skipBackupOnBlockingFindings) {
        const reason = `Backup skipped: the preflight found ${blocking.join(', ')}, which would leave no snapshot or IRIS frozen`;
        c.alert('error', 'BackupSkipped', reason);
        return moveTo({ ...settled(run, event.at), preflight }, 'failed', event.at, reason);
      }
      if (blocking.length > 0) {
        c.alert(
          'warning',
          'PreflightBlockingFindings',
          `the preflight found ${blocking.join(', ')}; backing up anyway`,
        );
      }
      return findJob({ ...run, preflight }, event.at, c);
    }
    case 'PreflightFailed': {
      // The preflight is advisory: a backup without it is better than none.
      c.alert('warning', 'PreflightUnavailable', `the preflight probe did not run: ${event.reason}; backing up anyway`);
      return findJob({ ...run, preflight: { findings: [], blocking: [], error: event.reason } }, event.at, c);
    }
    case 'InProgressJobFound':
      return moveTo(
        { ...settled(run, event.at), backup: { ...run.backup, jobId: event.jobId, adopted: true } },
        'backup-running',
        event.at,
      );
    case 'NoInProgressJob': {
      // Safety invariant 5: a run asks for a backup once, whatever retries or crashes happen afterwards.
      if (run.backup.triggerRequestedAt !== undefined) return settled(run, event.at);
      c.add({ type: 'TriggerBackup', expiry: new Date(ms(event.at) + policy.retentionDays * DAY_MS).toISOString() });
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
      c.add({ type: 'TriggerBackup', expiry: new Date(ms(event.at) + policy.retentionDays * DAY_MS).toISOString() });
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
      return run.stage === 'transfer-running'
        ? onTransferJob(run, event.job, event.at, policy, c)
        : onJob(run, event.job, event.at, c);
    case 'JobCollided':
      return onCollision(run, event, c);
    case 'RecoveryPointObserved': {
      const point =
        event.point === null
          ? null
          : {
              id: event.point.id,
              name: event.point.name,
              time: event.point.time,
              type: event.point.type,
              tiers: event.point.tiers,
            };
      if (run.stage === 'backup-running') {
        // The job still runs; a listed point means its snapshot task completed: assess now, not after the transfer.
        if (point === null) return settled(run, event.at);
        return collectLogs(moveTo({ ...run, recoveryPoint: point }, 'assessing', event.at), event.at, c);
      }
      if (run.stage === 'transfer-running') {
        // The point read once more after the transfer completed: record its tiers now (HardenedRP: in the vault).
        const same = point !== null && run.recoveryPoint?.name === point.name;
        return endTransfer(same ? { ...run, recoveryPoint: point } : run, event.at, policy);
      }
      return collectLogs({ ...run, recoveryPoint: point }, event.at, c);
    }
    case 'LogsCollected':
      return conclude(run, event, policy, c);
    case 'CommandFailed':
      // Keep `pendingSince`: the next tick after `retryAfterMs` retries the command.
      return { ...run, updatedAt: event.at, reason: `${event.command} failed: ${event.reason}` };
  }
}

/**
 * A requested backup may be asked for once more only when nothing came of the request (no operation id, no job),
 * it was not asked again already, and the grace period for its job to show up has passed.
 */
export function mayRetrigger(run: Run, at: string): boolean {
  const b = run.backup;
  return (
    run.stage === 'triggering' &&
    b.triggerRequestedAt !== undefined &&
    b.retriggeredAt === undefined &&
    b.operationId === undefined &&
    b.jobId === undefined &&
    ms(at) - ms(b.triggerRequestedAt) >= RETRIGGER_GRACE_MS
  );
}

function findJob(run: Run, at: string, c: Commands): Run {
  c.add({ type: 'FindInProgressJob', vmName: run.target.vmName, vaultId: run.target.vaultId });
  return { ...moveTo(run, 'triggering', at), pendingSince: at };
}

function onJob(run: Run, job: BackupJob, at: string, c: Commands): Run {
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
    return collectLogs(moveTo({ ...next, recoveryPoint: null }, 'assessing', at), at, c);
  }
  return next;
}

/**
 * Azure accepted the backup request while another backup of the VM ran, then failed the new job with
 * UserErrorBackupOperationInProgress. The running job is tonight's backup: adopt it (one job per VM and night, and
 * no BackupFailed for a job that never tried).
 */
function onCollision(run: Run, event: Extract<RunEvent, { type: 'JobCollided' }>, c: Commands): Run {
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

/**
 * The job's final status after a verdict taken at the snapshot. A run waits here cheaply: an InProgress job changes
 * nothing (no write); the end is recorded, and a transfer that failed after a good snapshot is its own alert.
 */
function onTransferJob(run: Run, job: BackupJob, at: string, policy: RunPolicy, c: Commands): Run {
  // Already recorded as completed: the point's read is pending, and a tick retries it if it was lost.
  const recorded = COMPLETED.includes(run.backup.jobStatus ?? '');
  if (
    recorded ||
    job.jobId !== run.backup.jobId ||
    !(COMPLETED.includes(job.status) || UNSUCCESSFUL.includes(job.status))
  ) {
    return run;
  }
  const backup = {
    ...run.backup,
    jobStatus: job.status,
    errorDetails: job.errorDetails,
    ...(job.endTime === undefined ? {} : { jobEndTime: job.endTime }),
    ...(job.durationInMs === undefined ? {} : { durationInMs: job.durationInMs }),
  };
  const next: Run = { ...settled(run, at), backup };
  if (UNSUCCESSFUL.includes(job.status)) {
    const details = job.errorDetails.map((d) => [d.title, d.message].filter(Boolean).join(': ')).filter(Boolean);
    const point = run.recoveryPoint;
    const kept = point
      ? `; the snapshot recovery point of ${point.time} (${(point.tiers ?? []).join(', ') || 'snapshot tier'}) stays usable for an instant restore until it expires`
      : '';
    const reason = `The backup job ended ${job.status} in its transfer to the vault, after a good snapshot${details.length > 0 ? `: ${details.join('; ')}` : ''}${kept}`;
    c.alert('error', 'BackupTransferFailed', reason);
    return moveTo({ ...next, backup: { ...backup, transferFailed: true } }, 'failed', at, reason);
  }
  if (next.recoveryPoint) {
    // Read the point once more to record the tier the transfer gave it.
    c.add({ type: 'FindRecoveryPoint', after: recoveryPointSince(next) });
    return { ...next, pendingSince: at };
  }
  return endTransfer(next, at, policy);
}

const recoveryPointSince = (run: Run): string =>
  run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt;

/** The transfer ended Completed: the run ends by its verdict. */
function endTransfer(run: Run, at: string, policy: RunPolicy): Run {
  const next = settled(run, at);
  if (run.verdict?.consistency === 'failed') {
    return moveTo(next, 'failed', at, `The backup failed: ${run.verdict.reasons.join('; ')}`);
  }
  return moveTo(next, policy.drillsEnabled ? 'restore-running' : 'done', at);
}

function logsSince(run: Run): string {
  const from = run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt;
  return new Date(ms(from) - LOG_SINCE_MARGIN_MS).toISOString();
}

function collectLogs(run: Run, at: string, c: Commands): Run {
  c.add({ type: 'CollectLogs', since: logsSince(run) });
  return { ...run, updatedAt: at, pendingSince: at };
}

function conclude(run: Run, event: Extract<RunEvent, { type: 'LogsCollected' }>, policy: RunPolicy, c: Commands): Run {
  const verdict = backupVerdict({
    job:
      run.backup.jobStatus === undefined
        ? undefined
        : { status: run.backup.jobStatus, errorDetails: run.backup.errorDetails ?? [] },
    recoveryPoint: run.recoveryPoint,
    evidence: evidenceFromProbeLogs(event.facts, event.problems, logsSince(run)),
  });
  alertsFor(verdict, c);
  const next: Run = { ...settled(run, event.at), verdict };
  // Assessed at the snapshot: the job still transfers data to the vault; wait for its final status.
  if (run.backup.jobStatus === 'InProgress') {
    return moveTo(next, 'transfer-running', event.at);
  }
  if (verdict.consistency === 'failed' || UNSUCCESSFUL.includes(run.backup.jobStatus ?? '')) {
    return moveTo(next, 'failed', event.at, `The backup failed: ${verdict.reasons.join('; ')}`);
  }
  // Drills are not driven yet; with them enabled the run waits in 'restore-running' until its time limit.
  return moveTo(next, policy.drillsEnabled ? 'restore-running' : 'done', event.at);
}

function alertsFor(verdict: BackupVerdict, c: Commands): void {
  const why = verdict.reasons.join('; ');
  if (verdict.irisLeftFrozen)
    c.alert('critical', 'IrisLeftFrozen', `IRIS may still be frozen after the backup: ${why}`);
  switch (verdict.consistency) {
    case 'iris-consistent':
      return;
    case 'file-system-consistent':
    case 'crash-consistent':
      c.alert('error', 'BackupNotAppConsistent', `the backup is ${verdict.consistency}, not IRIS-consistent: ${why}`);
      return;
    case 'failed':
      c.alert('error', 'BackupFailed', `the backup failed: ${why}`);
      return;
    case 'unknown':
      c.alert(
        'warning',
        'VerdictUnknown',
        `the backup's consistency is unknown; missing: ${verdict.missing.join(', ')}`,
      );
      return;
  }
}

/** Time limits, and a retry of the stage's command when the instance that started it never reported back. */
function onTick(run: Run, at: string, policy: RunPolicy, c: Commands): Run {
  if (isTerminalStage(run.stage)) return run;
  const limit = policy.stageLimitsMs[run.stage];
  if (ms(at) - ms(run.stageStartedAt) > limit) {
    const waitingFor =
      run.stage === 'triggering' && run.backup.triggerRequestedAt !== undefined
        ? '; the backup was requested but no job for the VM appeared'
        : '';
    const reason = `Stage '${run.stage}' exceeded its time limit of ${minutes(limit)} (started ${run.stageStartedAt})${waitingFor}`;
    c.alert('error', 'RunTimedOut', reason);
    return moveTo(run, 'timed-out', at, reason);
  }
  if (run.pendingSince !== undefined && ms(at) - ms(run.pendingSince) < policy.retryAfterMs) return run;
  const retry = pollCommand(run, at);
  if (retry === undefined) return run;
  c.add(retry);
  return { ...run, updatedAt: at, pendingSince: at };
}

function pollCommand(run: Run, at: string): DistributiveOmit<RunCommand, 'runId' | 'vmId'> | undefined {
  const { vmName, vaultId } = run.target;
  switch (run.stage) {
    case 'preflight':
      return { type: 'RunPreflight' };
    case 'triggering': {
      const requested = run.backup.triggerRequestedAt;
      if (requested === undefined) return { type: 'FindInProgressJob', vmName, vaultId };
      // Once the backup was requested, an observed job moves the run on; only a job list that proves the request
      // left no job may lead to one more request (see RETRIGGER_GRACE_MS).
      return mayRetrigger(run, at) ? { type: 'FindJobSinceRequest', vmName, vaultId, since: requested } : undefined;
    }
    case 'backup-running':
      // Job status comes from the per-vault job list each tick; only the operation needs its own read.
      if (run.backup.jobId === undefined) {
        return run.backup.operationId !== undefined
          ? { type: 'ReadOperation', operationId: run.backup.operationId }
          : undefined;
      }
      // While the job runs, its recovery point is listed as soon as its snapshot task completes (the list of jobs
      // carries no tasks): look each tick, so the verdict comes within one tick of the snapshot.
      return run.backup.jobStatus === 'InProgress' && run.backup.jobStartTime !== undefined
        ? { type: 'FindRecoveryPoint', after: run.backup.jobStartTime }
        : undefined;
    case 'transfer-running':
      // Only the point's read after a completed transfer can be lost (the job's status comes from the job list).
      return COMPLETED.includes(run.backup.jobStatus ?? '')
        ? { type: 'FindRecoveryPoint', after: recoveryPointSince(run) }
        : undefined;
    case 'assessing':
      return run.recoveryPoint === undefined
        ? {
            type: 'FindRecoveryPoint',
            after: run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt,
          }
        : { type: 'CollectLogs', since: logsSince(run) };
    default:
      return undefined;
  }
}
