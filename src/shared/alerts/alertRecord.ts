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
}
