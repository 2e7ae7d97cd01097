/**
 * The run state machine: `decide(run, event, policy) → { run, commands }`. Pure: no clock, no I/O, no env; time
 * arrives in the events. Events that do not apply to the run's stage leave it unchanged, and terminal stages absorb
 * everything, so duplicate, late or replayed observations are harmless.
 *
 * This file only dispatches: each stage's handler lives in phases/, one module per phase, and PHASES must name
 * every stage, so a new stage (a drill phase) does not compile until it has its handler.
 */
import { isTerminalStage, type Run, type RunStage } from './run';
import type { RunCommand } from './runCommand';
import { EVENT_STAGES, isScriptCleanupEvent, isTrackEvent, type RunEvent } from './runEvent';
import type { RunPolicy } from './runPolicy';
import { boundRun } from './runLimits';
import { assessing } from './phases/assess';
import { backupRunning, triggering } from './phases/backup';
import { CommandBuilder } from './phases/commandBuilder';
import { cleaningUp } from './phases/cleanup';
import { restoreRunning } from './phases/restore';
import { verifying } from './phases/verify';
import type { PhaseContext, PhaseTable } from './phases/phase';
import { preflight } from './phases/preflight';
import { terminal } from './phases/terminal';
import { transferRunning } from './phases/transfer';
import { onScriptCleanup, retryDeletes } from './phases/vmScript';
import { onAlertRecorded, retryAlerts, withDecidedAlerts } from './phases/alertOutbox';
import {
  isRemediationScriptEvent,
  onRemediationEvent,
  onRemediationScript,
  onRemediationTick,
} from './phases/remediation';

// The phases' constants and rules that callers and tests use keep their home here.
export { LOG_SINCE_MARGIN_MS } from './phases/assess';
export { RETRIGGER_GRACE_MS, mayRetrigger } from './phases/backup';
export { blockingCodes } from './phases/preflight';

export interface Decision {
  run: Run;
  commands: RunCommand[];
}

const PHASES: PhaseTable = {
  preflight,
  triggering,
  'backup-running': backupRunning,
  assessing,
  'transfer-running': transferRunning,
  'restore-running': restoreRunning,
  verifying,
  'cleaning-up': cleaningUp,
  done: terminal,
  failed: terminal,
  'timed-out': terminal,
};

export function decide(run: Run, event: RunEvent, policy: RunPolicy): Decision {
  const commands = new CommandBuilder(run);
  const ctx = { policy, commands };
  // Deleting the Run Commands a run is done with is the same in every stage, and may end after the run has.
  if (isScriptCleanupEvent(event)) return bounded(run, onScriptCleanup(run, event), ctx, event.at);
  // The tracks beside the stages (the alert outbox, the remediation) go on in every stage, terminal ones too.
  if (event.type === 'AlertRecorded') return bounded(run, onAlertRecorded(run, event), ctx, event.at);
  if (isTrackEvent(event)) return bounded(run, onRemediationEvent(run, event, ctx), ctx, event.at);
  if (isRemediationScriptEvent(run, event)) return bounded(run, onRemediationScript(run, event, ctx), ctx, event.at);
  if (event.type === 'Tick') {
    retryAlerts(run, commands);
    const tracked = onRemediationTick(run, event.at, ctx);
    if (isTerminalStage(tracked.stage)) return bounded(run, tracked, ctx, event.at);
    retryDeletes(tracked, commands);
    return bounded(run, handlerFor(tracked.stage)(tracked, event, ctx), ctx, event.at);
  }
  const stages: readonly RunStage[] = EVENT_STAGES[event.type];
  if (isTerminalStage(run.stage) || !stages.includes(run.stage)) return { run, commands: [] };
  return bounded(run, handlerFor(run.stage)(run, event, ctx), ctx, event.at);
}

/** The decision: the alerts decided go into the run's outbox (alertOutbox.ts), and the run is capped for writing. */
function bounded(run: Run, decided: Run, ctx: PhaseContext, at: string): Decision {
  const next = withDecidedAlerts(decided, ctx.commands.alerts, at, ctx.commands);
  // Every run this returns can be written: what it keeps from outside (Azure errors, VM text) is capped.
  return { run: next === run ? run : boundRun(next), commands: ctx.commands.list };
}

/** A handler that accepts any run and event; only `handlerFor` produces one. */
type AnyPhaseHandler = (run: Run, event: RunEvent, ctx: PhaseContext) => Run;

/**
 * The stage's handler, widened to any run and event. TypeScript cannot follow the run-time check in `decide` (the
 * event is one that EVENT_STAGES routes to the run's stage, and the run is in that stage), which is what makes the
 * handler's narrower parameter types true.
 */
const handlerFor = (stage: RunStage): AnyPhaseHandler => PHASES[stage] as AnyPhaseHandler;
