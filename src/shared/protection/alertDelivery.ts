/**
 * The alert outbox. `recordAlert` logs an alert (always: a log alert rule matches the line), decides through its
 * dedup state whether people are told, and records it with a pending delivery per routed target before anything is
 * sent; `deliverPending` sends what is due. A crash between the two loses nothing (the record stays pending) and
 * doubles nothing: the record's id is fixed when the alert is decided, and each delivery is claimed with the
 * record's ETag before it is sent, so two instances cannot both send it. A failing target is retried with backoff
 * (deliveryBackoff.ts) and never throws out of here.
 */
import { alertLine, type Alert } from '../alerts/alert';
import { decideNotify, dedupKey, type NotifyDecision } from '../alerts/alertDedup';
import { latestOf, type AlertRecord, type AlertState, type Delivery, type TargetName } from '../alerts/alertRecord';
import { targetsFor } from '../alerts/alertRouting';
import { afterFailure, afterSuccess, isDue } from '../alerts/deliveryBackoff';
import type { AlertRepository } from '../alerts/alertRepository';
import type { NotificationTarget } from '../alerts/notificationTarget';
import { terminalLine } from '../report/terminalText';
import { isAppError, isWriteRace } from '../errors/appError';
import type { ProtectionDeps, ProtectionLog } from './protectionDeps';

const STATE_WRITE_ATTEMPTS = 8;
/** How long a claimed delivery is left to the instance sending it before another may try (send time-out + margin). */
export const CLAIM_MS = 60_000;

type AlertDeps = Pick<ProtectionDeps, 'settings' | 'clock' | 'log' | 'notifications'>;

/** The log entry of an alert: the ALERT line (what the log alert rule matches) and structured fields. */
export function logAlert(log: ProtectionLog, id: string | undefined, alert: Alert): void {
  const { kind: scope, ...scopeIds } = alert.scope;
  const fields: Record<string, unknown> = {
    ...(id === undefined ? {} : { alertId: id }),
    severity: alert.severity,
    code: alert.code,
    kind: alert.kind ?? 'problem',
    scope,
    ...scopeIds,
    dedupKey: dedupKey(alert),
    ...(alert.classification === undefined ? {} : { classification: alert.classification }),
    ...(alert.vmName === undefined ? {} : { vmName: alert.vmName }),
    ...(alert.failedCall === undefined ? {} : { failedCall: alert.failedCall }),
  };
  if (alert.kind === 'recovery') {
    // Not an ALERT line: the log alert rule must not fire again for the end of a problem.
    log.info(`RESOLVED ${alert.severity} ${terminalLine(alert.code)}: ${terminalLine(alert.message)}`, fields);
    return;
  }
  const write = alert.severity === 'critical' || alert.severity === 'error' ? log.error : log.warn;
  write.call(log, alertLine(alert), fields);
}

export async function recordAlert(
  deps: AlertDeps,
  id: string,
  alert: Alert,
): Promise<'recorded' | 'duplicate' | 'suppressed'> {
  const notifications = deps.notifications;
  if (notifications === undefined) {
    logAlert(deps.log, id, alert);
    return 'recorded';
  }
  const store = notifications.store;
  if ((await store.get(id)) !== undefined) {
    deps.log.info(`Alert ${terminalLine(id)} is already recorded; nothing to do`, { alertId: id });
    return 'duplicate';
  }
  logAlert(deps.log, id, alert);
  const now = deps.clock.now();
  const key = dedupKey(alert);
  const decision = await decideWithState(deps, store, id, alert, now);
  const configured = new Set(notifications.targets.map((t) => t.name));
  const routed = decision.notify ? targetsFor(alert, deps.settings.alerts).filter((n) => configured.has(n)) : [];
  const deliveries: Partial<Record<TargetName, Delivery>> = {};
  for (const name of routed) deliveries[name] = { state: 'pending', attempts: 0 };
  const record: AlertRecord = { id, alert, decidedAt: now.toISOString(), dedupKey: key, deliveries };
  if (!decision.notify) record.suppressed = true;
  if (decision.repeats !== undefined) record.repeats = decision.repeats;
  if (!(await store.insert(record))) return 'duplicate';
  return decision.notify ? 'recorded' : 'suppressed';
}

/** Folds the alert into its dedup state, retrying when another instance wrote the state first. */
async function decideWithState(
  deps: AlertDeps,
  store: AlertRepository,
  id: string,
  alert: Alert,
  now: Date,
): Promise<NotifyDecision> {
  const renotifyMs = deps.settings.alerts.renotifyMinutes * 60_000;
  for (let attempt = 1; ; attempt += 1) {
    const current = await store.getState(dedupKey(alert));
    const last = current?.value.lastDecision;
    // Already folded in before a crash: take the same decision again (see AlertState.lastDecision).
    if (current !== undefined && last?.alertId === id) {
      return {
        notify: last.notify,
        state: current.value,
        ...(last.repeats === undefined ? {} : { repeats: last.repeats }),
      };
    }
    const decision = decideNotify(current?.value, alert, now, renotifyMs);
    const state: AlertState = {
      ...decision.state,
      latest: latestOf(id, alert),
      lastDecision: {
        alertId: id,
        notify: decision.notify,
        ...(decision.repeats === undefined ? {} : { repeats: decision.repeats }),
      },
    };
    try {
      await store.putState(state, current?.etag);
      return decision;
    } catch (e) {
      if (!isWriteRace(e) || attempt >= STATE_WRITE_ATTEMPTS) throw e;
    }
  }
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'claimed-elsewhere';

export interface DeliveryResult {
  alertId: string;
  target: TargetName;
  outcome: DeliveryOutcome;
  /** Safe to show: the target's name and status, never its URL. */
  error?: string;
}

export interface DeliveryReport {
  /** Pending records read. */
  records: number;
  sent: number;
  retrying: number;
  failed: number;
  /** Deliveries another instance claimed first (it sends them). */
  skipped: number;
  byTarget: Partial<Record<TargetName, { sent: number; retrying: number; failed: number }>>;
  results: DeliveryResult[];
}

/** Two delivery passes of one invocation as one report. */
export function addDeliveryReports(a: DeliveryReport | undefined, b: DeliveryReport): DeliveryReport {
  if (a === undefined) return b;
  const byTarget: DeliveryReport['byTarget'] = { ...a.byTarget };
  for (const [name, t] of Object.entries(b.byTarget) as [
    TargetName,
    { sent: number; retrying: number; failed: number },
  ][]) {
    const prev = byTarget[name] ?? { sent: 0, retrying: 0, failed: 0 };
    byTarget[name] = { sent: prev.sent + t.sent, retrying: prev.retrying + t.retrying, failed: prev.failed + t.failed };
  }
  return {
    records: a.records + b.records,
    sent: a.sent + b.sent,
    retrying: a.retrying + b.retrying,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    byTarget,
    results: [...a.results, ...b.results],
  };
}

/** A safe message for anything a target threw: NotifierError messages are built without secrets; others are not. */
const safeError = (name: TargetName, e: unknown): string => {
  if (e instanceof Error && e.name === 'NotifierError') return terminalLine(e.message).slice(0, 300);
  return `${name}: ${e instanceof Error ? terminalLine(e.name).slice(0, 60) : 'failed'}`;
};

export async function deliverPending(deps: AlertDeps, options: { now?: Date } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { records: 0, sent: 0, retrying: 0, failed: 0, skipped: 0, byTarget: {}, results: [] };
  const notifications = deps.notifications;
  if (notifications === undefined) return report;
  const pending = await notifications.store.listPending();
  report.records = pending.length;
  const targets = new Map(notifications.targets.map((t) => [t.name, t] as const));
  const now = (): Date => options.now ?? deps.clock.now();
  await forEachBounded(pending, Math.max(1, deps.settings.maxConcurrency), async (stored) => {
    try {
      const results = await deliverRecord(deps, notifications.store, stored.value, stored.etag, targets, now);
      for (const r of results) count(report, r);
    } catch (e) {
      // A store failure on one record must not stop the others; the record stays pending for the next tick.
      deps.log.warn(
        `Delivery of alert ${terminalLine(stored.value.id)} not attempted: ${isAppError(e) ? e.code : 'error'}`,
        {
          alertId: stored.value.id,
        },
      );
    }
  });
  return report;
}

const count = (report: DeliveryReport, r: DeliveryResult): void => {
  report.results.push(r);
  if (r.outcome === 'claimed-elsewhere') {
    report.skipped += 1;
    return;
  }
  report[r.outcome] += 1;
  const t = (report.byTarget[r.target] ??= { sent: 0, retrying: 0, failed: 0 });
  t[r.outcome] += 1;
};

async function deliverRecord(
  deps: AlertDeps,
  store: AlertRepository,
  record: AlertRecord,
  etag: string,
  targets: Map<TargetName, NotificationTarget>,
  now: () => Date,
): Promise<DeliveryResult[]> {
  const claimedAt = now();
  const due = (Object.entries(record.deliveries) as [TargetName, Delivery][]).filter(([, d]) => isDue(d, claimedAt));
  if (due.length === 0) return [];
  // Claim: push the due deliveries' next attempt past the send time-out, with the ETag read. An instance that
  // lost the race gets PRECONDITION_FAILED and leaves them to the winner; a crash after the claim lets them come
  // due again once the claim runs out (at least once).
  const claim: AlertRecord = { ...record, deliveries: { ...record.deliveries } };
  const until = new Date(claimedAt.getTime() + CLAIM_MS).toISOString();
  for (const [name, d] of due) claim.deliveries[name] = { ...d, nextAttemptAt: until };
  let claimEtag: string;
  try {
    claimEtag = await store.update(claim, etag);
  } catch (e) {
    if (isWriteRace(e))
      return due.map(([name]) => ({ alertId: record.id, target: name, outcome: 'claimed-elsewhere' }));
    throw e;
  }
  const outcomes = await Promise.all(
    due.map(async ([name, d]): Promise<[TargetName, Delivery, DeliveryResult]> => {
      const target = targets.get(name);
      if (target === undefined) {
        const error = `${name}: target no longer configured`;
        return [
          name,
          { state: 'failed', attempts: d.attempts, lastError: error },
          { alertId: record.id, target: name, outcome: 'failed', error },
        ];
      }
      try {
        await target.send(record);
        return [name, afterSuccess(d, now()), { alertId: record.id, target: name, outcome: 'sent' }];
      } catch (e) {
        const error = safeError(name, e);
        const next = afterFailure(d, now(), error);
        const outcome: DeliveryOutcome = next.state === 'failed' ? 'failed' : 'retrying';
        deps.log.warn(`Alert ${terminalLine(record.id)} not delivered: ${error}`, {
          alertId: record.id,
          target: name,
          attempts: next.attempts,
          ...(next.nextAttemptAt === undefined ? {} : { nextAttemptAt: next.nextAttemptAt }),
        });
        return [name, next, { alertId: record.id, target: name, outcome, error }];
      }
    }),
  );
  const done: AlertRecord = { ...claim, deliveries: { ...claim.deliveries } };
  for (const [name, delivery] of outcomes) done.deliveries[name] = delivery;
  try {
    await store.update(done, claimEtag);
  } catch (e) {
    // Only possible when the claim ran out mid-send: the deliveries come due again and may be sent twice
    // (receivers drop a repeated id); never lost.
    deps.log.warn(`Delivery state of alert ${terminalLine(record.id)} not saved: ${isAppError(e) ? e.code : 'error'}`, {
      alertId: record.id,
    });
  }
  return outcomes.map(([, , result]) => result);
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Raises an alert: recorded and delivered through the outbox (logged either way), and handed to the embedding's own
 * sink when it has one (the demo, tests). `id` names the occurrence (a run's `<run id>#<n>`; `<what>/<day>/<subject>`
 * outside runs), so raising the same occurrence again records it once. When it cannot be recorded, the error is
 * logged and thrown for the caller to retry; the alert's own line was logged by recordAlert before the write that
 * failed (logging it here too would fire a log alert rule twice).
 */
export async function raiseAlert(
  deps: AlertDeps & Pick<ProtectionDeps, 'alerts'>,
  id: string,
  alert: Alert,
): Promise<void> {
  try {
    await recordAlert(deps, id, alert);
    await deps.alerts?.raise(alert);
  } catch (e) {
    deps.log.error('Could not record an alert', {
      alertId: id,
      code: alert.code,
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  }
}
