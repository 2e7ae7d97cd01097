/**
 * Stage 'assessing': the backup's recovery point and the probe's logs decide its verdict. A run enters it from
 * backup-running (the snapshot completed, or the job ended) and leaves it for transfer-running, done, failed or
 * restore-running.
 */
import { evidenceFromProbeLogs } from '../backupEvidence';
import { backupVerdict, type BackupVerdict } from '../backupVerdict';
import type { Run } from '../run';
import type { RunEvent } from '../runEvent';
import { classifyBackup } from '../../alerts/classification';
import { alertsFor } from './classifiedAlerts';
import { minutes, ms } from './isoTime';
import { UNSUCCESSFUL } from './jobStatus';
import type { PhaseContext, PhaseHandler, RunIn } from './phase';
import { logsEvent } from './probeResult';
import { recoveryPointSince, runPointOf } from './recoveryPoint';
import { onCommandFailed, onTick } from './retry';
import { startDrill, wantsDrill } from './drillFlow';
import { startRemediation } from './remediation';
import { moveTo, settled } from './transitions';
import { abandonScript, onScriptStageEvent, onScriptStageTick, queueScript, type ScriptStage } from './vmScript';

/** VM clocks drift, and a log line may be written just before the job start Azure records. */
export const LOG_SINCE_MARGIN_MS = 10 * 60_000;

export const assessing: PhaseHandler<'assessing'> = (run, event, ctx) => {
  switch (event.type) {
    case 'Tick':
      return onAssessTick(run, event.at, ctx);
    case 'RecoveryPointObserved':
      // A late duplicate once the logs' script is under way changes nothing.
      if (run.script !== undefined) return run;
      return collectLogs({ ...run, recoveryPoint: runPointOf(event.point) }, event.at);
    case 'ScriptSlotGranted':
    case 'ScriptStartFailed':
    case 'ScriptObserved':
      return onScriptStageEvent(run, event, ctx, logsStage(ctx));
    case 'LogsCollected':
      return conclude(run, event, ctx);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/**
 * Past the stage's limit while the logs' script is pending, the verdict is taken without them (it says what is
 * missing) rather than the run timing out with none.
 */
const logsStage = (ctx: PhaseContext): ScriptStage => {
  const limitMs = ctx.policy.stageLimitsMs.assessing;
  return {
    limitMs,
    overdueReason: () => `the logs' probe gave no result within the assessment's limit of ${minutes(limitMs)}`,
    queue: collectLogs,
    onEnd: (run, end, at) => conclude(run, logsEvent(end, at), ctx),
  };
};

function onAssessTick(run: RunIn<'assessing'>, at: string, ctx: PhaseContext): Run {
  // Until the recovery point is known the stage waits for it, under the usual time limit.
  if (run.recoveryPoint === undefined) {
    return onTick(run, at, ctx, (r) => ({ type: 'FindRecoveryPoint', after: recoveryPointSince(r) }));
  }
  return onScriptStageTick(run, at, ctx, logsStage(ctx));
}

function logsSince(run: Run): string {
  const from = run.backup.jobStartTime ?? run.backup.triggerRequestedAt ?? run.createdAt;
  return new Date(ms(from) - LOG_SINCE_MARGIN_MS).toISOString();
}

/** Queues the probe for the logs since the job started; the run waits for them in 'assessing'. */
export function collectLogs(run: Run, at: string): Run {
  return queueScript(settled(run, at), 'logs', at, logsSince(run));
}

function conclude(current: Run, event: Extract<RunEvent, { type: 'LogsCollected' }>, ctx: PhaseContext): Run {
  // Logs that did not come from the run's own script (a test, a replay) leave no script running behind them.
  const [run] = abandonScript(current, event.at, 'the verdict has its logs', ctx.commands);
  const job =
    run.backup.jobStatus === undefined
      ? undefined
      : { status: run.backup.jobStatus, errorDetails: run.backup.errorDetails ?? [] };
  const evidence = evidenceFromProbeLogs(event.facts, event.problems, logsSince(run));
  const judged = backupVerdict({ job, recoveryPoint: run.recoveryPoint, evidence });
  const classified = classifyBackup({
    ...(job === undefined ? {} : { job }),
    ...(run.recoveryPoint === undefined ? {} : { recoveryPoint: run.recoveryPoint }),
    evidence,
    verdict: judged,
    ...(event.facts === undefined ? {} : { facts: event.facts }),
    vmId: run.target.vmId,
    since: logsSince(run),
  });
  const verdict: BackupVerdict =
    classified.length === 0 ? judged : { ...judged, classifications: classified.map((k) => k.name) };
  alertsFor(verdict, classified, ctx.commands);
  const assessed: Run = { ...settled(run, event.at), verdict };
  // IRIS may be frozen now: the remediation track checks at once (and thaws when allowed), whatever the stage does.
  const next =
    verdict.irisLeftFrozen || classified.some((k) => k.irisMayBeFrozen)
      ? startRemediation(assessed, event.at, 'verdict', verdict.reasons[0] ?? 'the verdict', ctx.commands)
      : assessed;
  if (verdict.consistency === 'failed' || UNSUCCESSFUL.includes(run.backup.jobStatus ?? '')) {
    return moveTo(next, 'failed', event.at, `The backup failed: ${verdict.reasons.join('; ')}`);
  }
  // The snapshot is drilled at once, while the job may still transfer it to the vault (its end is recorded then).
  if (wantsDrill(next, ctx.policy)) return startDrill(next, event.at, ctx.policy);
  // Assessed at the snapshot: the job still transfers data to the vault; wait for its final status.
  if (run.backup.jobStatus === 'InProgress') {
    return moveTo(next, 'transfer-running', event.at);
  }
  return moveTo(next, 'done', event.at);
}
