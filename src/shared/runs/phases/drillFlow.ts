/**
 * How a run enters and leaves its drill: chosen at the verdict (tonight's point, by the drill schedule), ended with
 * an outcome (alerted, recorded, then cleaned up), and finished by the backup job's final status and the drill's
 * verdict. The backup job may still transfer to the vault while its snapshot is drilled; its end is recorded from
 * any drill stage.
 */
import type { BackupJob } from '../../azure/backupGateway';
import { isDrillNight } from '../../drills/drillPolicy';
import type { DrillOutcome } from '../../drills/drillState';
import { drillPointOf, drillVmName, newRunDrill } from '../../drills/drillTarget';
import { drillRecordOf } from '../../drills/drillRecord';
import type { Run } from '../run';
import type { RunPolicy } from '../runPolicy';
import type { CommandBuilder } from './commandBuilder';
import { COMPLETED, UNSUCCESSFUL, jobErrorLines, withJobEnd } from './jobStatus';
import { moveTo, settled } from './transitions';

/** Whether the run drills its point: drills on, tonight is the VM's drill night, a usable point, no drill yet. */
export function wantsDrill(run: Run, policy: RunPolicy): boolean {
  return (
    policy.drill !== undefined &&
    run.drill === undefined &&
    run.recoveryPoint !== undefined &&
    run.recoveryPoint !== null &&
    run.verdict?.consistency !== 'failed' &&
    isDrillNight(policy.drill.schedule, run.vmKey, run.night)
  );
}

/** The run, queued for a drill slot in 'restore-running', its point and drill VM chosen. */
export function startDrill(run: Run, at: string, policy: RunPolicy): Run {
  const drill = policy.drill;
  const rp = run.recoveryPoint;
  if (drill === undefined || rp === undefined || rp === null) return run;
  const name = drillVmName(run.id, run.target.vmName, run.night);
  return moveTo(
    { ...settled(run, at), drill: newRunDrill(drill.target, name, drillPointOf(rp), at) },
    'restore-running',
    at,
  );
}

/** The drill has its outcome: alerted, its record asked for, and the run moves to 'cleaning-up'. */
export function endDrill(run: Run, outcome: DrillOutcome, c: CommandBuilder): Run {
  const drill = run.drill;
  if (drill === undefined) return run;
  const at = outcome.at;
  const next: Run = { ...settled(run, at), drill: { ...drill, outcome } };
  const where = outcome.stage === undefined ? '' : ` at ${outcome.stage}`;
  if (outcome.verdict === 'failed')
    c.alert('error', 'DrillFailed', `the restore drill failed${where}: ${outcome.reason}`);
  if (outcome.verdict === 'inconclusive') {
    const code = outcome.stage === 'target' ? 'DrillTargetRefused' : 'DrillInconclusive';
    c.alert(
      outcome.stage === 'target' ? 'error' : 'warning',
      code,
      `the restore drill was inconclusive${where}: ${outcome.reason}`,
    );
  }
  if (drill.verifier?.isolation === 'breached')
    c.alert('critical', 'DrillNotIsolated', `the drill VM ${drill.vmName} could reach production: ${outcome.reason}`);
  const record = drillRecordOf(next);
  if (record !== undefined) c.add({ type: 'RecordDrill', record });
  return { ...moveTo(next, 'cleaning-up', at), pendingSince: at };
}

/**
 * The backup job's end, observed while its snapshot is drilled: recorded (a transfer that failed after a good
 * snapshot is alerted as in 'transfer-running'); the stage does not change.
 */
export function onBackupJobDuringDrill(run: Run, job: BackupJob, at: string, c: CommandBuilder): Run {
  if (job.jobId !== run.backup.jobId || run.backup.jobStatus !== 'InProgress') return run;
  if (!(COMPLETED.includes(job.status) || UNSUCCESSFUL.includes(job.status))) return run;
  const backup = withJobEnd(run.backup, job);
  if (UNSUCCESSFUL.includes(job.status)) {
    const details = jobErrorLines(job);
    c.alert(
      'error',
      'BackupTransferFailed',
      `The backup job ended ${job.status} in its transfer to the vault, after the snapshot being drilled${details.length > 0 ? `: ${details.join('; ')}` : ''}`,
    );
    return { ...run, updatedAt: at, backup: { ...backup, transferFailed: true } };
  }
  return { ...run, updatedAt: at, backup };
}

/** After the drill's cleanup: wait for a transfer still running, else end by the backup's and the drill's result. */
export function finishAfterDrill(run: Run, at: string): Run {
  const outcome = run.drill?.outcome;
  const drillText =
    outcome === undefined
      ? ''
      : outcome.verdict === 'passed'
        ? 'The restore drill passed'
        : `The restore drill ${outcome.verdict === 'failed' ? 'failed' : 'was inconclusive'}${outcome.stage === undefined ? '' : ` at ${outcome.stage}`}: ${outcome.reason}`;
  const cleanup = run.drill?.cleanup;
  const kept = cleanup !== undefined && cleanup.claimed.length > 0 ? cleanup.keptUntil : undefined;
  const keptText = kept === undefined ? '' : `; its resources are kept for investigation until ${kept}`;
  if (run.backup.transferFailed)
    return moveTo(run, 'failed', at, `The backup job failed in its transfer to the vault. ${drillText}${keptText}`);
  if (run.backup.jobStatus === 'InProgress') return moveTo(run, 'transfer-running', at);
  if (outcome?.verdict === 'failed') return moveTo(run, 'failed', at, `${drillText}${keptText}`);
  if (outcome?.verdict === 'inconclusive') return moveTo(run, 'done', at, `${drillText}${keptText}`);
  return moveTo(run, 'done', at);
}
