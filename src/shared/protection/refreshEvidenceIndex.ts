/**
 * The nightly repair of the evidence index: the runs of the night before are folded in again, from their stored
 * summaries (one partition of small values; a run written before summaries existed is summarised as it is read).
 * An index write that failed after a run's last write (indexedRunRepository.ts logs and leaves it) is put right
 * within a day, and runs stored before the index existed get their place in it. A fold of an unchanged summary
 * writes nothing.
 */
import { toError } from '../errors/appError';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';

export async function refreshEvidenceIndex(
  deps: ProtectionDeps,
  night: string,
): Promise<{ folded: number; failed: number }> {
  const index = deps.evidenceIndex;
  if (index === undefined) return { folded: 0, failed: 0 };
  const summaries = await deps.store.listSummaries(night);
  const results = await promisePool(summaries, deps.settings.maxConcurrency, (s) => index.observe(s));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    const first = failed[0];
    deps.log.warn(`The evidence index could not be refreshed for ${failed.length} runs of ${night}`, {
      error: first !== undefined && !first.ok ? toError(first.error).message : undefined,
    });
  }
  return { folded: summaries.length - failed.length, failed: failed.length };
}
