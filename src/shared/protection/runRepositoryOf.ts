/**
 * The use cases' RunRepository over the generic ETag store: partition = night, key = the rest of the run id (the VM
 * key; `<vmKey>~drill-<n>` for an operator's drill run, runs/drillRun.ts), `stage` and open tracks indexed.
 */
import { ACTIVE_STAGES, hasOpenTracks, type Run } from '../runs/run';
import type { RunStore } from '../store/runStore';
import { isRunSummary, type RunSummary } from '../evidence/runSummary';
import type { RunRepository, StoredRun } from './runRepository';

const keysOf = (id: string): [string, string] => {
  const at = id.indexOf('/');
  if (at <= 0) throw new TypeError(`Run id must be '<night>/<vmKey>', got '${id}'`);
  return [id.slice(0, at), id.slice(at + 1)];
};

/** The indexed properties of a run: its stage, and whether a finished run still has open tracks. */
export type RunIndex = 'stage' | 'tracks';

export const runIndexOf = (run: Run): Record<RunIndex, string> => ({
  stage: run.stage,
  tracks: hasOpenTracks(run) ? 'open' : 'closed',
});

export function runRepositoryOf(store: RunStore<Run, RunIndex>): RunRepository {
  return {
    async get(id) {
      const found = await store.get(...keysOf(id));
      return found && { run: found.value, etag: found.etag };
    },
    async create(run) {
      return { run, etag: await store.create(...keysOf(run.id), run) };
    },
    async update(run, etag) {
      return { run, etag: await store.update(...keysOf(run.id), run, etag) };
    },
    async listActive() {
      // One indexed query per active stage: cheap, and it does not grow with the history of finished runs.
      const runs: StoredRun[] = [];
      for (const stage of ACTIVE_STAGES) {
        for await (const r of store.listWhere({ stage })) runs.push({ run: r.value, etag: r.etag });
      }
      // Finished runs whose alert outbox or remediation is still open are ticked too.
      const seen = new Set(runs.map((s) => s.run.id));
      for await (const r of store.listWhere({ tracks: 'open' })) {
        if (!seen.has(r.value.id)) runs.push({ run: r.value, etag: r.etag });
      }
      return runs;
    },
    async list(night) {
      // The partition is the night, so one night's runs are one partition query.
      const runs: StoredRun[] = [];
      for await (const r of store.list(night)) runs.push({ run: r.value, etag: r.etag });
      return runs;
    },
    async listSummaries(night) {
      const summaries: RunSummary[] = [];
      for await (const { summary } of store.listSummaries(night)) if (isRunSummary(summary)) summaries.push(summary);
      return summaries;
    },
  };
}
