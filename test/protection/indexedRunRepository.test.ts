/**
 * The indexed repository's memory of summaries it has indexed: an unchanged summary is not indexed again, a failed
 * index write is logged and never fails the run's write, and the memory stays bounded in a long-lived process.
 */
import { indexedRunRepository, MAX_REMEMBERED } from '../../src/shared/protection/indexedRunRepository';
import type { RunRepository, StoredRun } from '../../src/shared/protection/runRepository';
import type { EvidenceIndex } from '../../src/shared/store/tableEvidenceIndex';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { newRun, type Run } from '../../src/shared/runs/run';

const SUB = '00000000-0000-0000-0000-000000000001';
const runOf = (i: number): Run =>
  newRun(
    '2026-12-02',
    {
      vmId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${i}`,
      vmName: `vm-${i}`,
      vaultId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v`,
      containerName: 'c',
      protectedItemName: 'p',
    },
    '2026-12-02T01:00:00.000Z',
  );

const memoryRepository = (): RunRepository => {
  const runs = new Map<string, StoredRun>();
  return {
    get: async (id) => runs.get(id),
    create: async (run) => {
      const s = { run, etag: '1' };
      runs.set(run.id, s);
      return s;
    },
    update: async (run) => {
      const s = { run, etag: '2' };
      runs.set(run.id, s);
      return s;
    },
    listActive: async () => [...runs.values()],
    list: async () => [...runs.values()],
    listSummaries: async () => [],
  };
};

const countingIndex = (fail = false): EvidenceIndex & { observed: string[] } => {
  const observed: string[] = [];
  return {
    observed,
    observe: async (s: RunSummary) => {
      observed.push(s.runId);
      if (fail) throw new Error('table down');
    },
    vmIndex: async () => [],
    vmHistory: async () => [],
  };
};

describe('indexedRunRepository', () => {
  it('indexes a new run, not an unchanged one, and again once the summary changes', async () => {
    const index = countingIndex();
    const repo = indexedRunRepository(memoryRepository(), index, () => undefined);
    const run = runOf(1);
    const created = await repo.create(run);
    await repo.update({ ...run, updatedAt: '2026-12-02T01:05:00.000Z' }, created.etag);
    await repo.update({ ...run, stage: 'triggering', updatedAt: '2026-12-02T01:06:00.000Z' }, created.etag);
    expect(index.observed).toEqual([run.id, run.id]);
  });

  it('a failed index write is logged and the run is still written', async () => {
    const warnings: string[] = [];
    const inner = memoryRepository();
    const repo = indexedRunRepository(inner, countingIndex(true), (m) => warnings.push(m));
    const run = runOf(2);
    await expect(repo.create(run)).resolves.toEqual(expect.objectContaining({ run }));
    expect(await inner.get(run.id)).toBeDefined();
    expect(warnings).toEqual([expect.stringContaining(`The evidence index was not updated for run ${run.id}`)]);
  });

  it(`remembers at most ${MAX_REMEMBERED} runs: the oldest is forgotten and indexed again on its next write`, async () => {
    const index = countingIndex();
    const repo = indexedRunRepository(memoryRepository(), index, () => undefined);
    const first = runOf(0);
    const created = await repo.create(first);
    for (let i = 1; i <= MAX_REMEMBERED; i += 1) await repo.create(runOf(i));
    index.observed.length = 0;
    // Same summary as before: only a forgotten run is indexed again.
    await repo.update(first, created.etag);
    await repo.update(runOf(MAX_REMEMBERED), created.etag);
    expect(index.observed).toEqual([first.id]);
  });
});
