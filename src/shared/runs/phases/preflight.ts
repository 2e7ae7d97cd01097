/**
 * Stage 'preflight': the probe runs on the VM (an asynchronous Run Command, vmScript.ts) and its findings decide
 * whether the backup goes ahead. The preflight is advisory unless the policy skips backups on blocking findings:
 * when the probe cannot run (a stopped VM, no Run Command slot in time, a script that fails) the backup still goes
 * ahead, because a night without a backup is worse than a backup without a preflight.
 */
import type { CompactFinding, Run } from '../run';
import type { EventIn } from '../runEvent';
import type { CommandBuilder } from './commandBuilder';
import { startRemediation } from './remediation';
import { minutes } from './isoTime';
import type { PhaseContext, PhaseHandler } from './phase';
import { preflightEvent } from './probeResult';
import { onCommandFailed } from './retry';
import { moveTo, settled } from './transitions';
import { abandonScript, onScriptStageEvent, onScriptStageTick, queueScript, type ScriptStage } from './vmScript';

/** Findings that make the next backup useless or harmful: no snapshot at all, or IRIS left frozen afterwards. */
export const blockingCodes = (findings: readonly CompactFinding[]): string[] =>
  findings.filter((f) => f.impact === 'no-snapshot' || f.impact === 'iris-left-frozen').map((f) => f.code);

type PreflightResult = Extract<EventIn<'preflight'>, { type: 'PreflightCompleted' | 'PreflightFailed' }>;

export const preflight: PhaseHandler<'preflight'> = (run, event, ctx) => {
  switch (event.type) {
    case 'Tick':
      return onScriptStageTick(run, event.at, ctx, probeStage(ctx));
    case 'ScriptSlotGranted':
    case 'ScriptStartFailed':
    case 'ScriptObserved':
      return onScriptStageEvent(run, event, ctx, probeStage(ctx));
    case 'PreflightCompleted':
    case 'PreflightFailed':
      return onResult(run, event, ctx);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** The probe's script; past its limit the preflight gives up on the script instead of on the backup. */
const probeStage = (ctx: PhaseContext): ScriptStage => {
  const limitMs = ctx.policy.stageLimitsMs.preflight;
  return {
    limitMs,
    overdueReason: (started) =>
      `the probe ${started ? 'gave no result' : 'waited for a Run Command slot'} within the preflight's limit of ${minutes(limitMs)}`,
    queue: (run, at) => queueScript(run, 'preflight', at),
    onEnd: (run, end, at) => onResult(run, preflightEvent(end, at, run.target.vmId), ctx),
  };
};

function onResult(current: Run, event: PreflightResult, ctx: PhaseContext): Run {
  const c = ctx.commands;
  // A result that did not come from the run's own script (a test, a replay) leaves no script running behind it.
  const [run] = abandonScript(current, event.at, 'the preflight has its result', c);
  if (event.type === 'PreflightFailed') {
    if (event.vmNotRunning) {
      c.alert(
        'warning',
        'VmNotRunning',
        `the VM is not running, so no script can run on it: no preflight, and no logs for the verdict. Azure Backup still backs up a stopped VM; backing up anyway (${event.reason})`,
      );
    } else {
      c.alert('warning', 'PreflightUnavailable', `the preflight probe did not run: ${event.reason}; backing up anyway`);
    }
    const preflight = {
      findings: [],
      blocking: [],
      error: event.reason,
      ...(event.vmNotRunning ? { vmNotRunning: true } : {}),
    };
    return findJob({ ...run, preflight }, event.at, c);
  }
  const blocking = blockingCodes(event.findings);
  const preflight = { findings: event.findings, blocking };
  // An instance frozen before the backup even starts: the remediation track checks it (and thaws it if allowed).
  const checked = event.findings.some((f) => f.code === 'IrisAlreadyFrozen')
    ? startRemediation(run, event.at, 'preflight', 'the preflight found an IRIS instance frozen (IrisAlreadyFrozen)', c)
    : run;
  if (blocking.length > 0 && ctx.policy.skipBackupOnBlockingFindings) {
    const reason = `Backup skipped: the preflight found ${blocking.join(', ')}, which would leave no snapshot or IRIS frozen`;
    c.alert('error', 'BackupSkipped', reason);
    return moveTo({ ...settled(checked, event.at), preflight }, 'failed', event.at, reason);
  }
  if (blocking.length > 0) {
    c.alert('warning', 'PreflightBlockingFindings', `the preflight found ${blocking.join(', ')}; backing up anyway`);
  }
  return findJob({ ...checked, preflight }, event.at, c);
}

/** Into 'triggering': first look for a backup of the VM already in progress, which the run then adopts. */
function findJob(run: Run, at: string, c: CommandBuilder): Run {
  c.add({ type: 'FindInProgressJob', vmName: run.target.vmName, vaultId: run.target.vaultId });
  return { ...moveTo(run, 'triggering', at), pendingSince: at };
}
