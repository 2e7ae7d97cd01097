/**
 * A budget of slots per subscription (Run Commands under way, drills under way): runs that hold a slot count
 * against it, and queued runs get the free ones oldest first. The budgets themselves say what holds a slot.
 */
import { parseVmId } from '../azure/armResourceId';
import type { Run } from './run';

const subscriptionOf = (run: Run): string => (parseVmId(run.target.vmId)?.subscriptionId ?? '').toLowerCase();

export interface SlotBudget {
  /** The run holds a slot now. */
  holds(run: Run): boolean;
  /** When the run queued for a slot; undefined when it is not waiting for one. */
  queuedAt(run: Run): string | undefined;
}

/** The ids of the queued runs that may start now. */
export function grantSlots(runs: readonly Run[], perSubscription: number, budget: SlotBudget): Set<string> {
  const inUse = new Map<string, number>();
  for (const run of runs) {
    if (!budget.holds(run)) continue;
    const sub = subscriptionOf(run);
    inUse.set(sub, (inUse.get(sub) ?? 0) + 1);
  }
  const queued = runs
    .flatMap((run) => {
      const at = budget.queuedAt(run);
      return at === undefined ? [] : [{ run, at }];
    })
    .sort((a, b) => a.at.localeCompare(b.at) || a.run.id.localeCompare(b.run.id));
  const granted = new Set<string>();
  for (const { run } of queued) {
    const sub = subscriptionOf(run);
    const used = inUse.get(sub) ?? 0;
    if (used >= perSubscription) continue;
    inUse.set(sub, used + 1);
    granted.add(run.id);
  }
  return granted;
}
