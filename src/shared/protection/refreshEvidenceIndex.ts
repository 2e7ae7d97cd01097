/**
 * The nightly repair of the evidence index: the runs of the night before are folded in again, from the runs
 * themselves. An index write that failed after a run's last write (indexedRunRepository.ts logs and leaves it) is
 * put right within a day, and runs stored before the index existed get their place in it. A fold of an unchanged
 * summary writes nothing.
 */
import { toError } from '../errors/appError';
import { runSummaryOf } from '../evidence/runSummary';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';

export async function refreshEvidenceIndex(
  deps: ProtectionDeps,
  night: string,
): Promise<{ folded: number; failed: number }> {
  const index = deps.evidenceIndex;
  if (index === undefined) return { folded: 0, failed: 0 };
  const runs = await deps.store.list(night);
  const results = await promisePool(runs, deps.settings.maxConcurrency, (s) => index.observe(runSummaryOf(s.run)));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    const first = failed[0];
    deps.log.warn(`The evidence index could not be refreshed for ${failed.length} runs of ${night}`, {
      error: first !== undefined && !first.ok ? toError(first.error).message : undefined,
    });
  }
  return { folded: runs.length - failed.length, failed: failed.length };
}
