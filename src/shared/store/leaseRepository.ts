/**
 * Leases: one holder at a time per key, until a time, in the store (ETag-guarded), so two instances or two runs
 * never remediate one VM at once. A lease past its `until` can be taken over (its holder died).
 */
export interface Lease {
  key: string;
  holder: string;
  /** ISO 8601. */
  until: string;
}

export type LeaseOutcome = { acquired: true; lease: Lease } | { acquired: false; heldBy: Lease };

export interface LeaseRepository {
  /** Takes the lease, or extends it when `holder` holds it already. */
  acquire(key: string, holder: string, until: string, now: string): Promise<LeaseOutcome>;
  /** Gives it up; a lease held by someone else is left alone. */
  release(key: string, holder: string): Promise<void>;
}
