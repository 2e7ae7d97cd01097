/**
 * The drill budget: at most `perSubscription` drills under way at once per subscription (a restored VM costs money
 * and quota while it lives), from the restore to the end of cleanup. Queued drills start oldest first as slots
 * free up, on each tick.
 */
import { parseVmId } from '../azure/armResourceId';
import type { Run } from './run';

const DRILL_STAGES: readonly string[] = ['restore-running', 'verifying', 'cleaning-up'];
const subscriptionOf = (run: Run): string => (parseVmId(run.target.vmId)?.subscriptionId ?? '').toLowerCase();

/** The ids of the runs whose queued drill may start now. */
export function grantDrillSlots(runs: readonly Run[], perSubscription: number): Set<string> {
  const inFlight = new Map<string, number>();
  for (const run of runs) {
    if (run.drill?.startedAt === undefined || !DRILL_STAGES.includes(run.stage)) continue;
    const sub = subscriptionOf(run);
    inFlight.set(sub, (inFlight.get(sub) ?? 0) + 1);
  }
  const queued = runs
    .filter((r) => r.stage === 'restore-running' && r.drill !== undefined && r.drill.startedAt === undefined)
    .sort((a, b) => (a.drill?.queuedAt ?? '').localeCompare(b.drill?.queuedAt ?? '') || a.id.localeCompare(b.id));
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
