/**
 * The drill budget: at most `perSubscription` drills under way at once per subscription (a restored VM costs money
 * and quota while it lives), from the restore to the end of cleanup. Queued drills start oldest first as slots
 * free up, on each tick.
 */
import type { Run } from './run';
import { grantSlots } from './slotBudget';

const DRILL_STAGES: readonly string[] = ['restore-running', 'verifying', 'cleaning-up'];

/** The ids of the runs whose queued drill may start now. */
export const grantDrillSlots = (runs: readonly Run[], perSubscription: number): Set<string> =>
  grantSlots(runs, perSubscription, {
    holds: (run) => run.drill?.startedAt !== undefined && DRILL_STAGES.includes(run.stage),
    queuedAt: (run) =>
      run.stage === 'restore-running' && run.drill !== undefined && run.drill.startedAt === undefined
        ? run.drill.queuedAt
        : undefined,
  });
