/**
 * The Run Command budget: at most `perSubscription` scripts started and not yet read to their end, per
 * subscription, across all runs. Each script costs ARM writes (its PUT and its DELETE) from the subscription's
 * shared budget, and a 500-VM fleet started at once would spend it for every other tool there. Queued scripts start
 * oldest first as slots free up, on the nightly call and on each tick.
 */
import type { Run } from './run';
import { grantSlots } from './slotBudget';

/** The ids of the runs whose queued script may start now. */
export const grantScriptSlots = (runs: readonly Run[], perSubscription: number): Set<string> =>
  grantSlots(runs, perSubscription, {
    holds: (run) => run.script?.startedAt !== undefined,
    queuedAt: (run) =>
      run.script !== undefined && run.script.startedAt === undefined ? run.script.queuedAt : undefined,
  });
