/**
 * Stage 'assessing': the backup's recovery point and the probe's logs decide its verdict. A run enters it from
 * backup-running (the snapshot completed, or the job ended) and leaves it for transfer-running, done, failed or
 * restore-running.
 */
import { evidenceFromProbeLogs } from '../backupEvidence';
import { backupVerdict, type BackupVerdict } from '../backupVerdict';
import type { Run } from '../run';
import type { RunEvent } from '../runEvent';
import type { CommandBuilder } from './commandBuilder';
import { ms } from './isoTime';
import { UNSUCCESSFUL } from './jobStatus';
import type { PhaseContext, PhaseHandler } from './phase';
import { recoveryPointSince, runPointOf } from './recoveryPoint';
import { onCommandFailed, onTick } from './retry';
import { moveTo, settled } from './transitions';

/** VM clocks drift, and a log line may be written just before the job start Azure records. */
export const LOG_SINCE_MARGIN_MS = 10 * 60_000;

export const assessing: PhaseHandler<'assessing'> = (run, event, ctx) => {
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, ctx, (r) =>
        r.recoveryPoint === undefined
          ? { type: 'FindRecoveryPoint', after: recoveryPointSince(r) }
          : { type: 'CollectLogs', since: logsSince(r) },
      );
    case 'RecoveryPointObserved':
      return collectLogs({ ...run, recoveryPoint: runPointOf(event.point) }, event.at, ctx.commands);
    case 'LogsCollected':
      return conclude(run, event, ctx);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

function logsSince(run: Run): string {
  const from = run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt;
  return new Date(ms(from) - LOG_SINCE_MARGIN_MS).toISOString();
}

/** Asks for the probe's logs since the job started; the run waits for them in 'assessing'. */
export function collectLogs(run: Run, at: string, commands: CommandBuilder): Run {
  commands.add({ type: 'CollectLogs', since: logsSince(run) });
  return { ...run, updatedAt: at, pendingSince: at };
}

function conclude(run: Run, event: Extract<RunEvent, { type: 'LogsCollected' }>, ctx: PhaseContext): Run {
  const verdict = backupVerdict({
    job:
      run.backup.jobStatus === undefined
        ? undefined
        : { status: run.backup.jobStatus, errorDetails: run.backup.errorDetails ?? [] },
    recoveryPoint: run.recoveryPoint,
    evidence: evidenceFromProbeLogs(event.facts, event.problems, logsSince(run)),
  });
  alertsFor(verdict, ctx.commands);
  const next: Run = { ...settled(run, event.at), verdict };
  // Assessed at the snapshot: the job still transfers data to the vault; wait for its final status.
  if (run.backup.jobStatus === 'InProgress') {
    return moveTo(next, 'transfer-running', event.at);
  }
  if (verdict.consistency === 'failed' || UNSUCCESSFUL.includes(run.backup.jobStatus ?? '')) {
    return moveTo(next, 'failed', event.at, `The backup failed: ${verdict.reasons.join('; ')}`);
  }
  // Drills are not driven yet; with them enabled the run waits in 'restore-running' until its time limit.
  return moveTo(next, ctx.policy.drillsEnabled ? 'restore-running' : 'done', event.at);
}

function alertsFor(verdict: BackupVerdict, c: CommandBuilder): void {
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
