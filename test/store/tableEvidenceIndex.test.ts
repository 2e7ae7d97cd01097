/**
 * The evidence index against Azurite through the real @azure/data-tables client: the fleet index keeps per VM the
 * newest run, the newest drill and the passed drill with the newest point; a late (older) summary never replaces a
 * newer one; a VM's history lists newest first; run summaries are read alone with $select.
 */
import { startAzurite } from '../../sandbox/azurite';
import type { TableGateway } from '../../src/shared/azure/tableGateway';
import { createTableGateway } from '../../src/shared/gateways/sdkTableGateway';
import { runSummaryOf, type RunSummary } from '../../src/shared/evidence/runSummary';
import { newRun, type Run } from '../../src/shared/runs/run';
import { TableEvidenceIndex, invertedNight } from '../../src/shared/store/tableEvidenceIndex';
import { TableRunStore } from '../../src/shared/store/tableRunStore';
import { indexedRunRepository } from '../../src/shared/protection/indexedRunRepository';
import { runIndexOf, runRepositoryOf } from '../../src/shared/protection/runRepositoryOf';
import { decodeRun } from '../../src/shared/runs/decodeRun';

const noCredential = (): never => {
  throw new Error('a connection string needs no credential');
};

const VM =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/iris-01';
const target = {
  vmId: VM,
  vmName: 'iris-01',
  vaultId:
    '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v',
  containerName: 'c',
  protectedItemName: 'p',
};

const runOf = (night: string, patch: (r: Run) => void = () => undefined): Run => {
  const run = newRun(night, target, `${night}T01:00:00.000Z`);
  patch(run);
  return run;
};

const drilled = (night: string, verdict: 'passed' | 'failed', pointTime: string, rtoMinutes = 30): Run =>
  runOf(night, (r) => {
    r.stage = 'done';
    r.drill = {
      vmName: `ibg-drill-${night}`,
      vmId: `${VM}-drill`,
      queuedAt: `${night}T02:00:00.000Z`,
      startedAt: `${night}T02:00:00.000Z`,
      restoreRequestedAt: `${night}T02:00:00.000Z`,
      restoreJobEnd: new Date(Date.parse(`${night}T02:00:00.000Z`) + rtoMinutes * 60_000).toISOString(),
      point: { name: 'rp', time: pointTime, type: 'AppConsistent', tier: 'snapshot' },
      outcome: {
        verdict,
        reason: verdict === 'passed' ? 'IRIS came up clean' : 'integrity errors',
        notes: [],
        at: `${night}T03:00:00.000Z`,
      },
      cleanup: { claimed: [], failures: 0 },
    };
  });

describe('evidence index (Azurite)', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  const table = (name: string): TableGateway =>
    createTableGateway(
      { kind: 'connectionString', connectionString: azurite.connectionString, tableName: name },
      noCredential,
    );
  let n = 0;
  const fresh = (): TableEvidenceIndex => {
    n += 1;
    return new TableEvidenceIndex(table(`ibgfleet${n}x${Date.now()}`), table(`ibghist${n}x${Date.now()}`));
  };

  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('keeps the newest run, the newest drill and the passed drill with the newest point', async () => {
    const index = fresh();
    const passedOld = runSummaryOf(drilled('2026-11-28', 'passed', '2026-11-28T01:10:00.000Z'));
    const passedNew = runSummaryOf(drilled('2026-11-30', 'passed', '2026-11-30T01:10:00.000Z'));
    const failed = runSummaryOf(drilled('2026-12-01', 'failed', '2026-12-01T01:10:00.000Z'));
    const tonight = runSummaryOf(runOf('2026-12-02'));
    // Out of order on purpose: the fold decides by night and point time, not by arrival.
    for (const s of [passedNew, tonight, failed, passedOld]) await index.observe(s);
    const [entry] = await index.vmIndex();
    expect(entry?.latest?.runId).toBe(tonight.runId);
    expect(entry?.lastDrill?.runId).toBe(failed.runId);
    expect(entry?.lastPassed?.runId).toBe(passedNew.runId);
  });

  it('never lets an older summary of the same run replace a newer one', async () => {
    const index = fresh();
    const early = runSummaryOf(runOf('2026-12-02'));
    const later: RunSummary = { ...early, stage: 'done', terminal: true, updatedAt: '2026-12-02T05:00:00.000Z' };
    await index.observe(later);
    await index.observe(early);
    const [entry] = await index.vmIndex();
    expect(entry?.latest?.stage).toBe('done');
    const [history] = await index.vmHistory(early.vmKey, 10);
    expect(history?.stage).toBe('done');
  });

  it("lists a VM's history newest first and stops at the limit", async () => {
    const index = fresh();
    for (const night of ['2026-11-29', '2026-12-01', '2026-11-30', '2026-12-02'])
      await index.observe(runSummaryOf(runOf(night)));
    const history = await index.vmHistory(runSummaryOf(runOf('2026-12-01')).vmKey, 3);
    expect(history.map((s) => s.night)).toEqual(['2026-12-02', '2026-12-01', '2026-11-30']);
    expect(invertedNight('2026-12-02') < invertedNight('2026-12-01')).toBe(true);
  });

  it('an empty index (no table yet) reads as no VMs and no history', async () => {
    const index = fresh();
    expect(await index.vmIndex()).toEqual([]);
    expect(await index.vmHistory('x', 5)).toEqual([]);
  });

  it('the repository writes the index with the run, and skips the index when the summary did not change', async () => {
    const runs = new TableRunStore(table(`ibgruns${Date.now()}`), {
      indexOf: runIndexOf,
      decode: decodeRun,
      summaryOf: runSummaryOf,
    });
    const index = fresh();
    const observed: string[] = [];
    const spy = {
      ...index,
      vmIndex: () => index.vmIndex(),
      vmHistory: (k: string, l: number) => index.vmHistory(k, l),
      observe: async (s: RunSummary) => {
        observed.push(s.stage);
        await index.observe(s);
      },
    };
    const repo = indexedRunRepository(
      runOf === undefined ? runRepositoryOf(runs) : runRepositoryOf(runs),
      spy,
      () => undefined,
    );
    const run = runOf('2026-12-02');
    const created = await repo.create(run);
    // A write that changes only what the summary leaves out (a script's state) does not touch the index.
    const scriptOnly = {
      ...run,
      script: { ...run.script!, startedAt: '2026-12-02T01:00:05.000Z' },
      updatedAt: '2026-12-02T01:00:05.000Z',
    };
    const second = await repo.update(scriptOnly, created.etag);
    await repo.update({ ...scriptOnly, stage: 'triggering', updatedAt: '2026-12-02T01:01:00.000Z' }, second.etag);
    expect(observed).toEqual(['preflight', 'triggering']);
    const summaries = await repo.listSummaries('2026-12-02');
    expect(summaries.map((s) => s.stage)).toEqual(['triggering']);
    const [entry] = await index.vmIndex();
    expect(entry?.latest?.stage).toBe('triggering');
  });

  it('listSummaries summarises a run stored before runs had summaries, instead of leaving it out', async () => {
    const gateway = table(`ibgold${Date.now()}`);
    const older = new TableRunStore(gateway, { indexOf: runIndexOf, decode: decodeRun });
    const current = new TableRunStore(gateway, { indexOf: runIndexOf, decode: decodeRun, summaryOf: runSummaryOf });
    const legacy = runOf('2026-12-02');
    await older.create('2026-12-02', legacy.vmKey, legacy);
    const listed: unknown[] = [];
    for await (const s of current.listSummaries('2026-12-02')) listed.push(s.summary);
    expect(listed).toEqual([runSummaryOf(legacy)]);
  });

  it('listSummaries reads only the summary column, not the run', async () => {
    const gateway = table(`ibgsel${Date.now()}`);
    const runs = new TableRunStore(gateway, { indexOf: runIndexOf, decode: decodeRun, summaryOf: runSummaryOf });
    const run = runOf('2026-12-02', (r) => (r.reason = 'x'.repeat(50_000)));
    await runs.create('2026-12-02', run.vmKey, run);
    const rows: Record<string, unknown>[] = [];
    for await (const e of gateway.listEntities({ partitionKey: '2026-12-02', select: ['summary'] }))
      rows.push(e.properties);
    expect(Object.keys(rows[0] ?? {})).toEqual(['summary']);
    const listed = [];
    for await (const s of runs.listSummaries('2026-12-02')) listed.push(s);
    expect((listed[0]?.summary as RunSummary).reason?.length).toBeLessThanOrEqual(300);
  });
});
