/**
 * TableAlertStore against Azurite: ids with characters Table keys refuse, ETag-guarded updates, pending records
 * found by a server-side filter, dedup states in their own partition.
 */
import { startAzurite } from '../../sandbox/azurite';
import type { AlertRecord, AlertState } from '../../src/shared/alerts/alertRecord';
import type { TableGateway, TableQuery } from '../../src/shared/azure/tableGateway';
import { isAppError } from '../../src/shared/errors/appError';
import { createTableGateway } from '../../src/shared/gateways/sdkTableGateway';
import { alertsTableName, TableAlertStore, tableKey } from '../../src/shared/store/tableAlertStore';
import { frozenAlert, recordOf, VM_ID } from '../alerts/alertFixtures';

const noCredential = (): never => {
  throw new Error('a connection string needs no credential');
};

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (e) {
    return isAppError(e) ? e.code : `not an AppError: ${String(e)}`;
  }
  return 'no error';
};

describe('TableAlertStore (Azurite)', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  let store: TableAlertStore;
  const queries: TableQuery[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    const table = createTableGateway(
      {
        kind: 'connectionString',
        connectionString: azurite.connectionString,
        tableName: alertsTableName(`ibgruns${Date.now()}`),
      },
      noCredential,
    );
    // Records the queries, to see that listPending filters on the server.
    const spy: TableGateway = {
      ensureTable: () => table.ensureTable(),
      getEntity: (p, k) => table.getEntity(p, k),
      createEntity: (p, k, props) => table.createEntity(p, k, props),
      replaceEntity: (p, k, props, e) => table.replaceEntity(p, k, props, e),
      listEntities: (q) => {
        queries.push(q ?? {});
        return table.listEntities(q);
      },
    };
    store = new TableAlertStore(spy);
  });

  afterAll(async () => {
    await azurite?.stop();
  });

  it('names its table after the runs table', () => {
    expect(alertsTableName('ibgruns')).toBe('ibgrunsalerts');
    expect(alertsTableName('a'.repeat(63))).toHaveLength(63);
  });

  it('encodes ids so no Table-forbidden character remains, one key per id', () => {
    for (const id of ['2026-12-03/iris#1', 'a\\b?c', 'tab\there', VM_ID]) {
      // eslint-disable-next-line no-control-regex -- checking that none remain
      expect(tableKey(id)).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
    }
    expect(tableKey('a/b')).not.toBe(tableKey('a|b'));
    expect(tableKey('x'.repeat(1000))).toMatch(/^sha256-[0-9a-f]{64}$/);
  });

  it('inserts once, refuses the same id again, and updates only with the current ETag', async () => {
    const record = recordOf(frozenAlert(), '2026-12-03/iris-prod-04#1');
    await expect(store.insert(record)).resolves.toBe(true);
    await expect(store.insert({ ...record, suppressed: true })).resolves.toBe(false);
    const stored = await store.get(record.id);
    expect(stored?.value).toEqual(record);
    const sent: AlertRecord = {
      ...record,
      deliveries: { webhook: { state: 'sent', attempts: 1, sentAt: '2026-12-03T01:05:00.000Z' } },
    };
    await store.update(sent, stored?.etag ?? '');
    expect(await codeOf(store.update(sent, stored?.etag ?? ''))).toBe('PRECONDITION_FAILED');
  });

  it('lists pending records with a server-side filter on ix_pending, and every record since a time in order', async () => {
    const pending = recordOf(frozenAlert(), 'pending#1', { decidedAt: '2026-12-03T02:00:00.000Z' });
    const done = recordOf(frozenAlert(), 'done#1', {
      decidedAt: '2026-12-03T01:30:00.000Z',
      deliveries: { teams: { state: 'failed', attempts: 12, lastError: 'teams: HTTP 500' } },
    });
    await store.insert(pending);
    await store.insert(done);
    queries.length = 0;
    const listed = await store.listPending();
    expect(listed.map((r) => r.value.id)).toEqual(['pending#1']);
    expect(queries).toEqual([{ partitionKey: 'record', equals: { ix_pending: 'true' } }]);
    const since = await store.listSince('2026-12-03T01:20:00.000Z');
    expect(since.map((r) => r.id)).toEqual(['done#1', 'pending#1']);
  });

  it('creates a state once and replaces it only with its ETag', async () => {
    const state: AlertState = {
      dedupKey: `run:${VM_ID.toLowerCase()}|IrisStillFrozen`,
      open: true,
      firstAt: '2026-12-03T01:04:13.000Z',
      lastAt: '2026-12-03T01:04:13.000Z',
      lastNotifiedAt: '2026-12-03T01:04:13.000Z',
    };
    const etag = await store.putState(state);
    expect(await codeOf(store.putState(state))).toBe('CONFLICT');
    await store.putState({ ...state, suppressedSince: 1 }, etag);
    expect(await codeOf(store.putState({ ...state, suppressedSince: 2 }, etag))).toBe('PRECONDITION_FAILED');
    expect((await store.getState(state.dedupKey))?.value.suppressedSince).toBe(1);
  });
});
