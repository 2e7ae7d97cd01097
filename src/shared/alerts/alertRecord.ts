/**
 * An alert as recorded before anything is sent (the outbox): its delivery state per target, so a crash between
 * "decided" and "sent" neither loses it (pending deliveries are retried) nor doubles the record (its id is fixed
 * when it is decided: `<runId>#<n>` for a run's alert). Receivers get the id to drop a repeated delivery.
 */
import type { Alert } from './alert';

/** Where notifications go besides the log, which always gets every alert. */
export const TARGET_NAMES = ['webhook', 'teams', 'slack', 'eventgrid'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Delivery {
  /** pending: due at `nextAttemptAt` (or now); failed: retries used up; sent: the target accepted it. */
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt?: string;
  sentAt?: string;
  /** Without secrets: the target's name and status, never its URL. */
  lastError?: string;
}

export interface AlertRecord {
  id: string;
  alert: Alert;
  decidedAt: string;
  /** `<scope key>|<code>`: the same problem on the same VM (alertDedup.ts). */
  dedupKey: string;
  /** Targets this alert is routed to; none when it was deduplicated away (`suppressed`). */
  deliveries: Partial<Record<TargetName, Delivery>>;
  /** A repeat of an open problem inside the re-notify interval: recorded, not sent. */
  suppressed?: boolean;
  /** A problem told again after the re-notify interval: how many alerts about it were held back meanwhile. */
  repeats?: number;
}

/** One problem on one scope across alerts: whether it is open, and when people were last told. */
export interface AlertState {
  dedupKey: string;
  open: boolean;
  firstAt: string;
  lastAt: string;
  /** When a notification about it was last sent (decided to be sent). */
  lastNotifiedAt?: string;
  /** Repeats since then that were not sent. */
  suppressedSince?: number;
  /**
   * The last alert folded into this state and what was decided for it: a retry of recordAlert after a crash between
   * writing the state and inserting the record takes this decision again instead of reading its own alert as a
   * repeat (which would suppress it and lose it).
   */
  lastDecision?: { alertId: string; notify: boolean; repeats?: number };
  /** The last alert folded in, shortened: what the dashboard shows of an open problem without reading records. */
  latest?: AlertStateLatest;
}

export interface AlertStateLatest {
  alertId: string;
  severity: Alert['severity'];
  code: string;
  /** Capped (MAX_LATEST_MESSAGE_CHARS); untrusted, escaped where shown. */
  message: string;
  at: string;
  vmName?: string;
  /** The VM (or vault, subscription) the problem is about, from the alert's scope. */
  scopeId: string;
  runId?: string;
  fix?: string;
}

export const MAX_LATEST_MESSAGE_CHARS = 400;

const cap = (text: string): string =>
  text.length > MAX_LATEST_MESSAGE_CHARS ? `${text.slice(0, MAX_LATEST_MESSAGE_CHARS - 1)}…` : text;

/** The state's `latest` for an alert. */
export function latestOf(alertId: string, alert: Alert): AlertStateLatest {
  const s = alert.scope;
  const scopeId =
    s.kind === 'run' ? s.vmId : s.kind === 'vm' ? s.vmId : s.kind === 'vault' ? s.vaultId : s.subscriptionId;
  const latest: AlertStateLatest = {
    alertId,
    severity: alert.severity,
    code: alert.code,
    message: cap(alert.message),
    at: alert.at,
    scopeId,
  };
  if (alert.vmName !== undefined) latest.vmName = alert.vmName;
  if (s.kind === 'run') latest.runId = s.runId;
  if (alert.fix !== undefined) latest.fix = cap(alert.fix);
  return latest;
}
