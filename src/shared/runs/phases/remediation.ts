/**
 * The remediation track of a run: check whether IRIS is frozen on the run's VM (read-only), and when it is and
 * IBG_AUTO_THAW allows, thaw it and check again. It runs beside the stages and may outlive them (a failed backup is
 * when IRIS is most likely left frozen), with its own Run Command slot, started at once: a frozen IRIS is an outage.
 *
 * Safety: the thaw runs only after a check found an instance frozen (and vm/thaw.sh thaws only the instances it
 * finds frozen itself), only when no backup of the VM is in its snapshot phase, and only under the VM's lease, so
 * two runs never remediate one VM at once. Every step is written to the run's history.
 */
import { newRunScript, type Run, type RunScript } from '../run';
import type { RunEvent, TrackEvent } from '../runEvent';
import type {
  RemediationOutcome,
  RemediationSource,
  RemediationStep,
  RunRemediation,
} from '../../remediation/remediationState';
import { isRemediating } from '../../remediation/remediationState';
import { frozenCheckOf, type FrozenCheck } from '../../remediation/frozenCheck';
import { thawReportOf } from '../../remediation/thawReport';
import type { CommandBuilder } from './commandBuilder';
import { ms } from './isoTime';
import type { PhaseContext } from './phase';
import { onScriptEvent, SCRIPT_OVERRUN_MS, scriptTimeoutMs, type ScriptEnd, type ScriptEvent } from './vmScript';

/**
 * The alert codes of a frozen IRIS, which a verified thaw or a check that finds it running resolves (a recovery of
 * a code never announced sends nothing).
 */
export const FROZEN_CODES = ['IrisLeftFrozen', 'IrisFrozen', 'AutoThawFailed', 'AutoThawRefused'] as const;

/** The runbook's commands (README "When IRIS is frozen") for these instances, in IRIS's or Caché's spelling. */
export const manualThaw = (instances: readonly string[], product: 'iris' | 'cache' = 'iris'): string => {
  const names = instances.length > 0 ? instances : ['<instance>'];
  const session = (i: string): string => (product === 'cache' ? `csession ${i}` : `iris session ${i}`);
  const stat = (i: string): string => (product === 'cache' ? `ccontrol stat ${i} -W` : `iris stat ${i} -W`);
  return [
    'On the VM, as root, for each frozen instance:',
    ...names.map(
      (i) =>
        `${session(i)} -U%SYS "##Class(Backup.General).ExternalThaw()"; echo $?   # 5 = thawed; if it fails or hangs: ${stat(i)}`,
    ),
    `Then check: ${session(names[0] ?? 'IRIS')} -U%SYS "##Class(Backup.General).IsWDSuspendedExt()"; echo $?   # 3 = running, 5 = still frozen`,
    'First make sure no backup job of the VM is still in its snapshot phase (README: "When IRIS is frozen").',
  ].join('\n');
};

/** A script of the track, started at once (outside the Run Command budget). */
function startScript(
  run: Run,
  purpose: 'frozen-check' | 'thaw',
  at: string,
  c: CommandBuilder,
  attempt = 1,
): RunScript {
  const script = { ...newRunScript(purpose, run.night, at, attempt), startedAt: at };
  c.add({ type: 'StartScript', name: script.name, purpose });
  return script;
}

/** The run with its remediation replaced, and the step noted in its history. */
function withStep(run: Run, remediation: RunRemediation, at: string, note?: string): Run {
  const next: Run = { ...run, remediation, updatedAt: at };
  if (note === undefined) return next;
  return { ...next, history: [...run.history, { from: run.stage, to: run.stage, at, reason: `Remediation: ${note}` }] };
}

function stepTo(
  run: Run,
  rem: RunRemediation,
  step: RemediationStep,
  at: string,
  note: string,
  patch: Partial<RunRemediation> = {},
): Run {
  const next: RunRemediation = { ...rem, ...patch, step, stepStartedAt: at };
  if (!('script' in patch)) delete next.script;
  delete next.waitingFor;
  return withStep(run, next, at, note);
}

function finish(
  run: Run,
  rem: RunRemediation,
  outcome: RemediationOutcome,
  at: string,
  note: string,
  c: CommandBuilder,
): Run {
  if (rem.leaseUntil !== undefined) c.add({ type: 'ReleaseRemediationLease' });
  const next: RunRemediation = { ...rem, step: 'done', stepStartedAt: at, outcome, finishedAt: at };
  delete next.script;
  delete next.leaseUntil;
  delete next.waitingFor;
  return withStep(run, next, at, note);
}

/**
 * The app could not thaw (the thaw did not take, or a snapshot or another remediation kept it from starting): its
 * lease goes back, and the track watches read-only like with auto-thaw off, so a thaw by hand is announced.
 */
function toWatching(run: Run, rem: RunRemediation, at: string, note: string, c: CommandBuilder): Run {
  if (rem.leaseUntil !== undefined) c.add({ type: 'ReleaseRemediationLease' });
  const watching: RunRemediation = { ...rem };
  delete watching.leaseUntil;
  return stepTo(run, watching, 'watching', at, `${note}; watching for a thaw by hand`, { lastCheckAt: at });
}

/**
 * Asks for the frozen check of the run's VM. A remediation under way absorbs the request (it is the same question);
 * a finished one is started afresh.
 */
export function startRemediation(
  run: Run,
  at: string,
  source: RemediationSource,
  reason: string,
  c: CommandBuilder,
): Run {
  if (isRemediating(run.remediation)) return run;
  const rem: RunRemediation = {
    source,
    reason,
    requestedAt: at,
    step: 'checking',
    stepStartedAt: at,
    script: startScript(run, 'frozen-check', at, c),
  };
  return withStep(run, rem, at, `checking whether IRIS is frozen (${source}: ${reason})`);
}

/** Whether a script event is about the remediation's Run Command (its own slot, not the stage's). */
export const isRemediationScriptEvent = (run: Run, event: RunEvent): event is ScriptEvent =>
  (event.type === 'ScriptObserved' || event.type === 'ScriptStartFailed') &&
  run.remediation?.script !== undefined &&
  event.name === run.remediation.script.name;

/** The remediation's script seen through the stage machinery (vmScript.ts), which reads and clears `run.script`. */
function onTrackScript(run: Run, rem: RunRemediation, event: ScriptEvent, ctx: PhaseContext): [Run, ScriptEnd?] {
  const view: Run = { ...run };
  if (rem.script === undefined) delete view.script;
  else view.script = rem.script;
  const [after, end] = onScriptEvent(view, event, ctx);
  let script = after.script;
  // Skipped or gone: vmScript queued it again under a new name; the track starts it at once.
  if (script !== undefined && script.startedAt === undefined) {
    const purpose = script.purpose === 'thaw' ? 'thaw' : 'frozen-check';
    script = startScript(run, purpose, event.at, ctx.commands, script.attempt);
  }
  const next: Run = { ...after, remediation: { ...rem } };
  if (run.script === undefined) delete next.script;
  else next.script = run.script;
  if (script === undefined) delete next.remediation?.script;
  else if (next.remediation) next.remediation.script = script;
  return [next, end];
}

export function onRemediationScript(run: Run, event: ScriptEvent, ctx: PhaseContext): Run {
  const rem = run.remediation;
  if (!isRemediating(rem)) return run;
  const [next, end] = onTrackScript(run, rem, event, ctx);
  if (end === undefined) return next;
  const current = next.remediation ?? rem;
  return onScriptEnd(next, current, end, event.at, ctx);
}

function onScriptEnd(run: Run, rem: RunRemediation, end: ScriptEnd, at: string, ctx: PhaseContext): Run {
  const c = ctx.commands;
  switch (rem.step) {
    case 'thawing': {
      // Whatever the thaw said, an independent check decides.
      const summary = end.ran ? thawSummary(end.result) : `the thaw gave no result: ${end.reason}`;
      return stepTo(run, rem, 'verifying-thaw', at, `thaw finished (${summary}); checking again`, {
        thawSummary: summary,
        script: startScript(run, 'frozen-check', at, c),
      });
    }
    case 'checking':
    case 'verifying-thaw':
    case 'watching':
      if (!end.ran) return checkFailed(run, rem, end.reason, at, c);
      return afterCheck(run, rem, frozenCheckOf(end.result), at, ctx);
    default:
      return run;
  }
}

function thawSummary(result: Parameters<typeof thawReportOf>[0]): string {
  const report = thawReportOf(result);
  const parts = report.instances.map((i) => `${i.name}: ${i.before} → ${i.action} → ${i.after}`);
  if (report.result !== undefined) parts.push(`result ${report.result}`);
  if (parts.length === 0) parts.push(report.problems[0] ?? 'no report');
  return parts.join('; ').slice(0, 500);
}

/**
 * A check that gave no answer (its Run Command skipped, refused, timed out, or its output unreadable) is not an
 * answer either way: the alert says how to check by hand, and the track goes on checking every watchEveryMs for
 * watchForMs, so that a passing fault neither leaves IRIS frozen nor ends the track on a guess.
 */
function checkFailed(run: Run, rem: RunRemediation, why: string, at: string, c: CommandBuilder): Run {
  const after = rem.step === 'verifying-thaw' ? 'after the thaw ' : '';
  if (rem.step === 'watching') {
    // One failed look while watching is not an answer; the next one is due as usual.
    return withStep(run, { ...rem, lastCheckAt: at }, at, `the check ${after}gave no answer (${why}); watching on`);
  }
  c.alert('error', 'IrisFreezeCheckFailed', `the check whether IRIS is frozen ${after}gave no answer: ${why}`, {
    classification: 'IrisStillFrozen',
    fix: manualThaw(rem.frozen ?? [], rem.product),
  });
  if (rem.leaseUntil !== undefined) c.add({ type: 'ReleaseRemediationLease' });
  const watching: RunRemediation = { ...rem };
  delete watching.leaseUntil;
  return stepTo(run, watching, 'watching', at, `the check ${after}gave no answer (${why}); checking again`, {
    lastCheckAt: at,
  });
}

/** Watching after a first check that gave no answer: nothing was found frozen yet, and no thaw was tried. */
const neverAnswered = (rem: RunRemediation): boolean => rem.frozen === undefined && rem.thawSummary === undefined;

const names = (check: FrozenCheck, state: 'frozen' | 'unknown'): string[] =>
  check.instances.filter((i) => i.state === state).map((i) => i.name);

function afterCheck(run: Run, current: RunRemediation, check: FrozenCheck, at: string, ctx: PhaseContext): Run {
  const c = ctx.commands;
  const rem: RunRemediation = check.product === undefined ? current : { ...current, product: check.product };
  const frozen = names(check, 'frozen');
  const unknown = names(check, 'unknown');
  const seen = check.instances.map((i) => `${i.name} ${i.state}`).join(', ') || 'no IRIS instance';
  if (frozen.length === 0 && unknown.length === 0 && !(check.instances.length === 0 && check.problems.length > 0)) {
    const outcome: RemediationOutcome =
      rem.step === 'verifying-thaw'
        ? 'thawed'
        : rem.step === 'watching' && !neverAnswered(rem)
          ? 'thawed-elsewhere'
          : 'not-frozen';
    const said =
      outcome === 'thawed'
        ? `IRIS was thawed by the app and is running (${seen})`
        : outcome === 'thawed-elsewhere'
          ? `IRIS is no longer frozen (${seen}): thawed outside the app or by its own WDSuspendLimit`
          : `IRIS is not frozen (${seen})`;
    for (const code of FROZEN_CODES) c.recover(code, said, 'critical');
    return finish(run, rem, outcome, at, said, c);
  }
  if (frozen.length === 0) {
    const why =
      unknown.length > 0 ? `the state of ${unknown.join(', ')} is unknown` : (check.problems[0] ?? 'no answer');
    return checkFailed(run, rem, why, at, c);
  }
  const list = frozen.join(', ');
  if (rem.step === 'verifying-thaw') {
    c.alert(
      'critical',
      'AutoThawFailed',
      `IRIS is still frozen after the app's thaw: ${list} (${rem.thawSummary ?? ''})`,
      {
        classification: 'IrisStillFrozen',
        evidence: check.problems,
        fix: manualThaw(frozen, rem.product),
      },
    );
    return toWatching(run, { ...rem, frozen }, at, `still frozen after the thaw: ${list}`, c);
  }
  const autoThaw = ctx.policy.remediation.autoThaw;
  c.alert(
    'critical',
    'IrisFrozen',
    `IRIS is frozen now: ${list} (write daemon suspended; checked because ${rem.reason})${autoThaw ? '; the app thaws it (IBG_AUTO_THAW)' : ''}`,
    {
      classification: 'IrisStillFrozen',
      evidence: check.instances.map(
        (i) => `${i.name}: IsWDSuspendedExt ${i.wdRc ?? '?'}${i.health ? `, ${i.health}` : ''}`,
      ),
      fix: autoThaw
        ? 'The app thaws it now and checks again; watch for the recovery notice.'
        : manualThaw(frozen, rem.product),
    },
  );
  // Watching goes on read-only, unless this is the first answer after checks that gave none: then it is thawed as
  // the first check's answer would have been.
  if (rem.step === 'watching' && !(autoThaw && neverAnswered(rem)))
    return withStep(run, { ...rem, frozen, lastCheckAt: at }, at);
  if (!autoThaw) {
    return stepTo(run, rem, 'watching', at, `frozen: ${list}; IBG_AUTO_THAW is off, so the app only watches`, {
      frozen,
      lastCheckAt: at,
    });
  }
  c.add({ type: 'FindSnapshotInProgress' });
  return stepTo(run, rem, 'awaiting-thaw', at, `frozen: ${list}; making sure no snapshot is in progress`, { frozen });
}

/** The tick's part of the track: read its script, or ask the next question of its step, or give up past a limit. */
export function onRemediationTick(run: Run, at: string, ctx: PhaseContext): Run {
  const rem = run.remediation;
  if (!isRemediating(rem)) return run;
  const c = ctx.commands;
  const p = ctx.policy.remediation;
  switch (rem.step) {
    case 'checking':
    case 'thawing':
    case 'verifying-thaw':
    case 'watching': {
      const script = rem.script;
      if (script?.startedAt !== undefined) {
        // A script that neither ends nor can be read is given up like the stages' (vmScript.ts), then decided.
        const limit = scriptTimeoutMs(script.purpose, ctx.policy) + SCRIPT_OVERRUN_MS + ctx.policy.retryAfterMs;
        if (ms(at) - ms(script.startedAt) > limit) {
          const given: RunRemediation = { ...rem };
          delete given.script;
          const reason = `Run Command ${script.name} gave no result`;
          return onScriptEnd(withStep(run, given, at), given, { ran: false, reason }, at, ctx);
        }
        c.add({ type: 'ReadScript', name: script.name });
        return run;
      }
      if (rem.step !== 'watching') return run;
      if (ms(at) - ms(rem.requestedAt) > p.watchForMs && neverAnswered(rem)) {
        // IrisFreezeCheckFailed said so when the first check failed; no check has answered since.
        return finish(run, rem, 'check-failed', at, 'stopped checking: no check gave an answer', c);
      }
      if (ms(at) - ms(rem.requestedAt) > p.watchForMs) {
        c.alert(
          'critical',
          'IrisLeftFrozen',
          `IRIS is still frozen after ${Math.round(p.watchForMs / 3_600_000)} h of watching: ${(rem.frozen ?? []).join(', ')}`,
          {
            classification: 'IrisStillFrozen',
            fix: manualThaw(rem.frozen ?? [], rem.product),
          },
        );
        return finish(run, rem, 'left-frozen', at, 'stopped watching; IRIS is still frozen', c);
      }
      if (ms(at) - ms(rem.lastCheckAt ?? rem.stepStartedAt) < p.watchEveryMs) return run;
      return withStep(run, { ...rem, script: startScript(run, 'frozen-check', at, c) }, at);
    }
    case 'awaiting-thaw': {
      if (ms(at) - ms(rem.stepStartedAt) > p.awaitThawMs) {
        const why = rem.waitingFor ?? 'no answer about the snapshot phase or the lease';
        c.alert(
          'critical',
          'AutoThawRefused',
          `IRIS is frozen (${(rem.frozen ?? []).join(', ')}) and the app did not thaw it: ${why}`,
          {
            classification: 'IrisStillFrozen',
            fix: manualThaw(rem.frozen ?? [], rem.product),
          },
        );
        return toWatching(run, rem, at, `not thawed: ${why}`, c);
      }
      c.add({ type: 'FindSnapshotInProgress' });
      return run;
    }
    case 'done':
      return run;
  }
}

/** Events of the track (TrackEvent without the outbox's). */
export function onRemediationEvent(
  run: Run,
  event: Exclude<TrackEvent, { type: 'AlertRecorded' }>,
  ctx: PhaseContext,
): Run {
  const c = ctx.commands;
  if (event.type === 'FrozenCheckRequested') return startRemediation(run, event.at, event.source, event.reason, c);
  const rem = run.remediation;
  if (!isRemediating(rem) || rem.step !== 'awaiting-thaw') {
    // A lease granted to a track that no longer needs it goes back at once.
    if (event.type === 'RemediationLeaseAcquired') c.add({ type: 'ReleaseRemediationLease' });
    return run;
  }
  switch (event.type) {
    case 'SnapshotPhaseObserved': {
      if (event.inSnapshot) {
        const waitingFor = `a backup of the VM is in its snapshot phase${event.detail ? ` (${event.detail})` : ''}: a thaw now would break its consistency`;
        if (rem.waitingFor === waitingFor) return run;
        return withStep(run, { ...rem, waitingFor }, event.at, `thaw deferred: ${waitingFor}`);
      }
      const until = new Date(ms(event.at) + leaseMs(ctx)).toISOString();
      c.add({ type: 'AcquireRemediationLease', until });
      return run;
    }
    case 'RemediationLeaseBusy': {
      const waitingFor = `another remediation of the VM holds its lease (${event.holder}, until ${event.until})`;
      if (rem.waitingFor === waitingFor) return run;
      return withStep(run, { ...rem, waitingFor }, event.at, `thaw deferred: ${waitingFor}`);
    }
    case 'RemediationLeaseAcquired':
      return stepTo(
        run,
        rem,
        'thawing',
        event.at,
        `lease held until ${event.until}; thawing ${(rem.frozen ?? []).join(', ')}`,
        {
          leaseUntil: event.until,
          script: startScript(run, 'thaw', event.at, c),
        },
      );
  }
}

/** The lease covers the thaw and the check after it, each with its Run Command's time-out and overrun. */
const leaseMs = (ctx: PhaseContext): number =>
  ctx.policy.remediation.thawTimeoutMs + ctx.policy.scriptTimeoutMs + 2 * SCRIPT_OVERRUN_MS + ctx.policy.retryAfterMs;
