/**
 * The run repository, keeping the evidence index (the fleet index and each VM's history) in step: after a run is
 * written, its summary is folded into the index, unless the summary did not change (most writes of a run change
 * only what the summary leaves out: a script's state, a retry count). The run's own write is what matters: an
 * index write that fails is logged and left, and the next write of the run, or the nightly re-fold of the night
 * before (refreshEvidenceIndex.ts), puts it right.
 */
import type { EvidenceIndex } from '../store/tableEvidenceIndex';
import { runSummaryOf, type RunSummary } from '../evidence/runSummary';
import type { Run } from '../runs/run';
import type { RunRepository, StoredRun } from './runRepository';

/** More than a fleet's active runs: forgetting one only costs an index read. */
export const MAX_REMEMBERED = 5000;

/** What a summary says, without when it was written: equal views need no index write. */
const viewOf = (s: RunSummary): string => JSON.stringify({ ...s, updatedAt: undefined });

export function indexedRunRepository(
  inner: RunRepository,
  index: EvidenceIndex,
  warn: (message: string, details?: Record<string, unknown>) => void,
): RunRepository {
  // The view last seen of each run this instance read or wrote. The deps live as long as the process, so the map
  // keeps only the most recent MAX_REMEMBERED runs (a Map iterates in insertion order: the first key is the oldest).
  const seen = new Map<string, string>();
  const see = (id: string, view: string): void => {
    seen.delete(id);
    seen.set(id, view);
    if (seen.size > MAX_REMEMBERED) seen.delete(seen.keys().next().value as string);
  };
  const remember = (stored: StoredRun): StoredRun => {
    see(stored.run.id, viewOf(runSummaryOf(stored.run)));
    return stored;
  };
  const observe = async (run: Run): Promise<void> => {
    const summary = runSummaryOf(run);
    const view = viewOf(summary);
    if (seen.get(run.id) === view) return;
    try {
      await index.observe(summary);
      see(run.id, view);
    } catch (e) {
      warn(`The evidence index was not updated for run ${run.id}: ${e instanceof Error ? e.message : String(e)}`, {
        runId: run.id,
      });
    }
  };
  return {
    async get(id) {
      const stored = await inner.get(id);
      return stored && remember(stored);
    },
    async create(run) {
      const stored = await inner.create(run);
      await observe(run);
      return stored;
    },
    async update(run, etag) {
      const stored = await inner.update(run, etag);
      await observe(run);
      return stored;
    },
    async listActive() {
      return (await inner.listActive()).map(remember);
    },
    list: (night) => inner.list(night),
    listSummaries: (night) => inner.listSummaries(night),
  };
}
