/**
 * The tags a drill puts on what its restore created. `ibg-expires` is the deadline by which the drill is over:
 * the rest of its stage limits, or, for a drill kept for investigation, the end of that keep; the daily sweep
 * deletes tagged resources past it (safety invariant 6), whatever happened to the run.
 */
import { drillTags } from '../../drills/drillTarget';
import type { DrillCleanup } from '../../drills/drillState';
import type { Run } from '../run';
import type { RunPolicy } from '../runPolicy';

export function drillTagsFor(run: Run, at: string, policy: RunPolicy, keptUntil?: string): Record<string, string> {
  const l = policy.stageLimitsMs;
  const deadline = keptUntil ?? new Date(Date.parse(at) + l.verifying + l['cleaning-up']).toISOString();
  return drillTags(run.id, run.target.vmId, deadline);
}

/** The cleanup state once a claim answered: its ids added to those already claimed (ARM ids compare without case). */
export function withClaimed(cleanup: DrillCleanup, ids: readonly string[], at: string): DrillCleanup {
  const claimed = [...cleanup.claimed];
  for (const id of ids) if (!claimed.some((x) => x.toLowerCase() === id.toLowerCase())) claimed.push(id);
  return { ...cleanup, claimed, claimedAt: at };
}
