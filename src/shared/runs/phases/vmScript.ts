/**
 * A script on the run's VM as a managed Run Command that no invocation waits for: queued until the subscription's
 * Run Command budget has a slot, started with asyncExecution, read once per tick, deleted when done. The phases
 * that run a script (preflight, assessing) hand its events here and act on the end it reports.
 *
 * The name is written into the run before the PUT (the shell executes commands only after the state that asked for
 * them is stored), so an instance that dies after the PUT leaves a name that the next tick reads: a script is never
 * started twice because its result was lost, and never left behind unnamed.
 */
import type { RunScriptResult } from '../../azure/vmCommandGateway';
import { newRunScript, type Run, type RunScript, type ScriptPurpose } from '../run';
import type { RunEvent, ScriptCleanupEvent } from '../runEvent';
import type { CommandBuilder } from './commandBuilder';
import { ms } from './isoTime';
import type { PhaseContext } from './phase';
import type { RunPolicy } from '../runPolicy';

/** How a script ended: it ran (whatever its exit code), or it could not give a result. */
export type ScriptEnd =
  | { ran: true; result: RunScriptResult; /** The Run Command's name. */ name: string }
  | { ran: false; reason: string; vmNotRunning?: boolean };

export type ScriptEvent = Extract<RunEvent, { type: 'ScriptSlotGranted' | 'ScriptStartFailed' | 'ScriptObserved' }>;

/**
 * Beyond its own time-out, a Run Command gets this long before the run gives up on it: the handler's installation
 * on a VM's first Run Command (up to a minute), its reporting, and one tick of lateness.
 */
export const SCRIPT_OVERRUN_MS = 3 * 60_000;
/** Failed deletes of one Run Command before the run stops trying and leaves it to the nightly sweep. */
export const MAX_DELETE_FAILURES = 5;

/** The run with a new script queued; it starts when the shell grants it a slot (ScriptSlotGranted). */
export const queueScript = (
  run: Run,
  purpose: ScriptPurpose,
  at: string,
  since?: string,
  attempt = 1,
  vmId?: string,
): Run => ({
  ...run,
  script: newRunScript(purpose, run.night, at, attempt, since, vmId),
  updatedAt: at,
});

/** The VM a script command goes to, when not the run's own. */
const onVm = (vmId: string | undefined): { vmId?: string } => (vmId === undefined ? {} : { vmId });

/** What a stage that waits for a script (preflight, assessing) supplies to the two functions below. */
export interface ScriptStage {
  /** The stage's time limit. */
  limitMs: number;
  /** Why the script is given up past the limit; `started`: whether it ever got a slot. */
  overdueReason: (started: boolean) => string;
  /** Queues the stage's script, for a run written before scripts were asynchronous. */
  queue: (run: Run, at: string) => Run;
  /** What the stage makes of the script's end. */
  onEnd: (run: Run, end: ScriptEnd, at: string) => Run;
}

/** A script event in a stage that waits for it: the stage acts once the script is over. */
export function onScriptStageEvent(run: Run, event: ScriptEvent, ctx: PhaseContext, stage: ScriptStage): Run {
  const [next, end] = onScriptEvent(run, event, ctx);
  return end === undefined ? next : stage.onEnd(next, end, event.at);
}

/** A tick in a stage that waits for a script: one read of it, or, past the stage's limit, giving it up. */
export function onScriptStageTick(run: Run, at: string, ctx: PhaseContext, stage: ScriptStage): Run {
  if (ms(at) - ms(run.stageStartedAt) > stage.limitMs) {
    const [next, end] = overdueScript(run, at, stage.overdueReason(run.script?.startedAt !== undefined), ctx);
    return end === undefined ? next : stage.onEnd(next, end, at);
  }
  if (run.script === undefined) return stage.queue(run, at);
  readScriptOnTick(run, ctx.commands);
  return run;
}

/** The tick's one read of a started script. */
function readScriptOnTick(run: Run, commands: CommandBuilder): void {
  if (run.script?.startedAt !== undefined)
    commands.add({ type: 'ReadScript', name: run.script.name, ...onVm(run.script.vmId) });
}

/**
 * Past the stage's limit. A queued script is given up at once (it never started). A started one is read once more
 * first, since it may well have ended (its own time-out decides, see onRead); it is given up only when a tick
 * `retryAfterMs` later still has no result, i.e. its reads keep failing. Returns the end, or the run waiting.
 */
function overdueScript(run: Run, at: string, reason: string, ctx: PhaseContext): [Run, ScriptEnd?] {
  const script = run.script;
  if (
    script?.startedAt !== undefined &&
    (script.overdueAt === undefined || ms(at) - ms(script.overdueAt) < ctx.policy.retryAfterMs)
  ) {
    readScriptOnTick(run, ctx.commands);
    return script.overdueAt === undefined ? [{ ...run, script: { ...script, overdueAt: at }, updatedAt: at }] : [run];
  }
  return abandonScript(run, at, reason, ctx.commands);
}

/** Gives up on the run's script (its stage ran out of time): it is deleted, which also stops it. */
export function abandonScript(run: Run, at: string, reason: string, commands: CommandBuilder): [Run, ScriptEnd] {
  const script = run.script;
  if (script === undefined) return [run, { ran: false, reason }];
  return [
    clearScript(run, at, script.startedAt === undefined ? undefined : script.name, commands, script.vmId),
    { ran: false, reason },
  ];
}

/**
 * Applies a script event. Returns the next run and, when the script is over, how it ended; an event about another
 * (older) script, or a read that shows it still running, changes nothing.
 */
export function onScriptEvent(run: Run, event: ScriptEvent, ctx: PhaseContext): [Run, ScriptEnd?] {
  const script = run.script;
  const c = ctx.commands;
  if (script === undefined) return [run];
  switch (event.type) {
    case 'ScriptSlotGranted': {
      if (script.startedAt !== undefined) return [run];
      c.add({
        type: 'StartScript',
        name: script.name,
        purpose: script.purpose,
        ...(script.since === undefined ? {} : { since: script.since }),
        ...onVm(script.vmId),
      });
      return [{ ...run, script: { ...script, startedAt: event.at }, updatedAt: event.at }];
    }
    case 'ScriptStartFailed':
      if (event.name !== script.name) return [run];
      return [
        clearScript(run, event.at, undefined, c),
        { ran: false, reason: event.reason, ...(event.vmNotRunning ? { vmNotRunning: true } : {}) },
      ];
    case 'ScriptObserved':
      if (event.name !== script.name || script.startedAt === undefined) return [run];
      return onRead(run, { ...script, startedAt: script.startedAt }, event.at, event.result, ctx);
  }
}

function onRead(
  run: Run,
  script: RunScript & { startedAt: string },
  at: string,
  result: RunScriptResult | undefined,
  ctx: PhaseContext,
): [Run, ScriptEnd?] {
  const c = ctx.commands;
  const what = `Run Command ${script.name}`;
  if (result === undefined) {
    // The PUT never reached Azure (the instance died before it, or it failed), or someone deleted the resource.
    return retryOrEnd(run, script, at, `${what} is not on the VM (never created, or deleted by someone else)`, c, ctx);
  }
  switch (result.executionState) {
    case 'Succeeded':
    case 'Failed':
      return [clearScript(run, at, script.name, c, script.vmId), { ran: true, result, name: script.name }];
    case 'Skipped':
      return retryOrEnd(
        clearScript(run, at, script.name, c, script.vmId),
        script,
        at,
        `${what} was skipped: too many Run Commands were running on the VM at once`,
        c,
        ctx,
      );
    case 'TimedOut':
      return [
        clearScript(run, at, script.name, c, script.vmId),
        { ran: false, reason: `${what} did not finish within its time-out and was ended by Azure` },
      ];
    case 'Canceled':
      return [
        clearScript(run, at, script.name, c, script.vmId),
        { ran: false, reason: `${what} was canceled on the VM` },
      ];
    default: {
      // Pending or Running: nothing to write, unless it has run past its own time-out (the handler is stuck).
      const limit = scriptTimeoutMs(script.purpose, ctx.policy) + SCRIPT_OVERRUN_MS;
      if (ms(at) - ms(script.startedAt) <= limit) return [run];
      return [
        clearScript(run, at, script.name, c, script.vmId),
        {
          ran: false,
          reason: `${what} was still ${result.executionState} ${Math.round((ms(at) - ms(script.startedAt)) / 1000)} s after it started, past its time-out; it was deleted, which stops it`,
        },
      ];
    }
  }
}

/** Starts the script again under a new name while attempts are left (it waits for a slot again). */
function retryOrEnd(
  run: Run,
  script: RunScript,
  at: string,
  reason: string,
  c: CommandBuilder,
  ctx: PhaseContext,
): [Run, ScriptEnd?] {
  if (script.attempt < ctx.policy.scriptAttempts) {
    return [queueScript(run, script.purpose, at, script.since, script.attempt + 1, script.vmId)];
  }
  return [clearScript(run, at, undefined, c), { ran: false, reason: `${reason} (${script.attempt} attempts)` }];
}

/** The run without its script; `toDelete`: the Run Command to remove from the VM (`vmId`, else the run's) now. */
function clearScript(run: Run, at: string, toDelete: string | undefined, c: CommandBuilder, vmId?: string): Run {
  const next: Run = { ...run, updatedAt: at };
  delete next.script;
  // A script on another VM than the run's runs on the drill VM, whose deletion takes its Run Commands with it.
  if (vmId !== undefined) return next;
  if (toDelete === undefined || next.scriptsToDelete?.some((d) => d.name === toDelete)) return next;
  c.add({ type: 'DeleteScript', name: toDelete, ...onVm(vmId) });
  return {
    ...next,
    scriptsToDelete: [...(next.scriptsToDelete ?? []), { name: toDelete, failures: 0, ...onVm(vmId) }],
  };
}

/**
 * A script's own time-out: the verifier starts IRIS and checks every database, far longer than a probe; the thaw
 * waits for each frozen instance's thaw.
 */
export const scriptTimeoutMs = (purpose: ScriptPurpose, policy: RunPolicy): number =>
  purpose === 'verify' && policy.drill !== undefined
    ? policy.drill.verifyTimeoutMs
    : purpose === 'thaw'
      ? policy.remediation.thawTimeoutMs
      : policy.scriptTimeoutMs;

/** A delete's result, in any active stage. */
export function onScriptCleanup(run: Run, event: ScriptCleanupEvent): Run {
  const pending = run.scriptsToDelete ?? [];
  if (!pending.some((d) => d.name === event.name)) return run;
  const rest =
    event.type === 'ScriptDeleted'
      ? pending.filter((d) => d.name !== event.name)
      : pending.map((d) => (d.name === event.name ? { ...d, failures: d.failures + 1, lastError: event.reason } : d));
  const next: Run = { ...run, updatedAt: event.at, scriptsToDelete: rest };
  if (rest.length === 0) delete next.scriptsToDelete;
  return next;
}

/**
 * Each tick asks again for the deletes not yet confirmed (failed, or lost with an instance that died), until
 * MAX_DELETE_FAILURES; the nightly sweep takes the rest. A delete of a Run Command already gone succeeds.
 */
export function retryDeletes(run: Run, commands: CommandBuilder): void {
  for (const d of run.scriptsToDelete ?? []) {
    if (d.failures < MAX_DELETE_FAILURES) commands.add({ type: 'DeleteScript', name: d.name, ...onVm(d.vmId) });
  }
}
