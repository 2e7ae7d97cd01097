/**
 * The run's alert outbox. An alert a phase decides is kept in the run (`alerts`) with an id fixed at once
 * (`<run id>#<n>`), written with the state that decided it; only then does the shell record it in the alert store
 * (the Alert command), which answers AlertRecorded and the alert leaves the run. An instance that dies in between
 * leaves it in the run, and every tick asks again: the store's insert by id makes the repeat harmless. So a crash
 * between "decided" and "sent" neither loses an alert nor doubles it.
 */
import type { PendingAlert, Run } from '../run';
import type { RunEvent } from '../runEvent';
import { capText } from '../runLimits';
import type { AlertSpec, CommandBuilder } from './commandBuilder';

/** Evidence kept in the run for one alert: the store and each target cap it again for their medium. */
const EVIDENCE_LINES = 20;
const EVIDENCE_LINE_CHARS = 300;
const FIX_CHARS = 1_000;

/** Pending alerts a run keeps at most; a run that cannot reach the store for longer loses the oldest (logged). */
export const MAX_PENDING_ALERTS = 20;

function pendingOf(spec: AlertSpec, id: string, at: string): PendingAlert {
  const alert: PendingAlert = { ...spec, id, at };
  if (spec.evidence !== undefined)
    alert.evidence = spec.evidence.slice(0, EVIDENCE_LINES).map((l) => capText(l, EVIDENCE_LINE_CHARS));
  if (spec.fix !== undefined) alert.fix = capText(spec.fix, FIX_CHARS);
  return alert;
}

/**
 * The run with the alerts decided into its outbox, and an Alert command for each. `at`: the decision's time.
 * Returns the run unchanged when nothing was decided.
 */
export function withDecidedAlerts(run: Run, decided: readonly AlertSpec[], at: string, commands: CommandBuilder): Run {
  if (decided.length === 0) return run;
  let seq = run.alertSeq ?? 0;
  const added = decided.map((spec) => pendingOf(spec, `${run.id}#${(seq += 1)}`, at));
  for (const a of added) addAlertCommand(a, commands);
  const alerts = [...(run.alerts ?? []), ...added].slice(-MAX_PENDING_ALERTS);
  return { ...run, alerts, alertSeq: seq, updatedAt: at };
}

const addAlertCommand = (a: PendingAlert, commands: CommandBuilder): void => commands.recordAlert(a);

/** Each tick asks again to record the alerts still in the outbox (their Alert command was lost with an instance). */
export function retryAlerts(run: Run, commands: CommandBuilder): void {
  for (const a of run.alerts ?? []) addAlertCommand(a, commands);
}

/** The store holds the alert: it leaves the outbox. */
export function onAlertRecorded(run: Run, event: Extract<RunEvent, { type: 'AlertRecorded' }>): Run {
  const pending = run.alerts ?? [];
  if (!pending.some((a) => a.id === event.id)) return run;
  const next: Run = { ...run, alerts: pending.filter((a) => a.id !== event.id), updatedAt: event.at };
  if (next.alerts?.length === 0) delete next.alerts;
  return next;
}
