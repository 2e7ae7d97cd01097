/**
 * The largest run runLimits lets through (every outside text and list at its worst) is written to and read back
 * from Azurite through the real TableRunStore, with the store's run decoder: the bound is one the store can carry.
 */
import { startAzurite } from '../../sandbox/azurite';
import { createTableGateway } from '../../src/shared/gateways/sdkTableGateway';
import { decodeRun } from '../../src/shared/runs/decodeRun';
import type { Run } from '../../src/shared/runs/run';
import { boundRun, RUN_MAX_JSON_CHARS, runJsonChars } from '../../src/shared/runs/runLimits';
import { TableRunStore } from '../../src/shared/store/tableRunStore';
import { worstCaseRun } from '../runs/runSamples';

describe('a bounded run in the Table store (Azurite)', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());

  it('the worst case is written and read back unchanged', async () => {
    const table = createTableGateway(
      { kind: 'connectionString', connectionString: azurite.connectionString, tableName: `ibgbound${Date.now()}` },
      () => {
        throw new Error('a connection string needs no credential');
      },
    );
    const store = new TableRunStore<Run, 'stage'>(table, { indexOf: (r) => ({ stage: r.stage }), decode: decodeRun });
    const run = boundRun(worstCaseRun());
    // Near the bound, so this proves the store carries it, not just a small run.
    expect(runJsonChars(run)).toBeGreaterThan(RUN_MAX_JSON_CHARS / 2);
    const etag = await store.create(run.night, 'worst', run);
    expect(await store.get(run.night, 'worst')).toEqual({ value: run, etag });
  });
});
