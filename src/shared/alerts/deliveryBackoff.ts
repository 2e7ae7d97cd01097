/**
 * When a failed delivery is tried again: 30 s, 2 min, 10 min, 30 min, then hourly, then further apart, so that
 * MAX_ATTEMPTS attempts cover about a day (a target down overnight still gets the alert); after that the delivery
 * is given up as failed. Pure.
 */
import type { Delivery } from './alertRecord';

export const MAX_ATTEMPTS = 12;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DELAYS_MS = [
  0.5 * MINUTE,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  HOUR,
  HOUR,
  2 * HOUR,
  2 * HOUR,
  4 * HOUR,
  6 * HOUR,
];
const LAST_DELAY_MS = 8 * HOUR;

/** The wait after the `attempts`-th failed attempt (1-based). */
export const retryDelayMs = (attempts: number): number => DELAYS_MS[attempts - 1] ?? LAST_DELAY_MS;

/** The delivery after one more failed attempt at `now`. */
export const afterFailure = (delivery: Delivery, now: Date, error: string): Delivery => {
  const attempts = delivery.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) return { state: 'failed', attempts, lastError: error };
  return {
    state: 'pending',
    attempts,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
    lastError: error,
  };
};

export const afterSuccess = (delivery: Delivery, now: Date): Delivery => ({
  state: 'sent',
  attempts: delivery.attempts + 1,
  sentAt: now.toISOString(),
});

/** Pending and due: never tried, or its next attempt time has come. */
export const isDue = (delivery: Delivery, now: Date): boolean =>
  delivery.state === 'pending' &&
  (delivery.nextAttemptAt === undefined || Date.parse(delivery.nextAttemptAt) <= now.getTime());
