/**
 * The Run Command budget: at most `perSubscription` scripts started and not yet read to their end, per
 * subscription, across all runs. Each script costs ARM writes (its PUT and its DELETE) from the subscription's
 * shared budget, and a 500-VM fleet started at once would spend it for every other tool there. Queued scripts start
 * oldest first as slots free up, on the nightly call and on each tick.
 */
import { parseVmId } from '../azure/armResourceId';
import type { Run } from './run';

const subscriptionOf = (run: Run): string => (parseVmId(run.target.vmId)?.subscriptionId ?? '').toLowerCase();

/** The ids of the runs whose queued script may start now. */
export function grantScriptSlots(runs: readonly Run[], perSubscription: number): Set<string> {
  const inFlight = new Map<string, number>();
  for (const run of runs) {
    if (run.script?.startedAt === undefined) continue;
    const sub = subscriptionOf(run);
    inFlight.set(sub, (inFlight.get(sub) ?? 0) + 1);
  }
  const queued = runs
    .filter((r) => r.script !== undefined && r.script.startedAt === undefined)
    .sort((a, b) => (a.script?.queuedAt ?? '').localeCompare(b.script?.queuedAt ?? '') || a.id.localeCompare(b.id));
  const granted = new Set<string>();
  for (const run of queued) {
    const sub = subscriptionOf(run);
    const used = inFlight.get(sub) ?? 0;
    if (used >= perSubscription) continue;
    inFlight.set(sub, used + 1);
    granted.add(run.id);
  }
  return granted;
}
