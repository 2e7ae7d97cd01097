/**
 * The storage fault proxy with a real Azurite and the real @azure/data-tables client: requests pass through intact
 * (the SharedKey signature stays valid, batches included), and the injected faults look to the SDK like Table
 * Storage's own (status, error code, body), with their effect on Azurite checked behind the proxy's back.
 */
import {
  TableClient,
  type TableServiceClientOptions as TableClientOptions,
  type TableTransaction,
} from '@azure/data-tables';
import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { type AzuriteTables, startAzurite } from '../../sandbox/azurite';
import { type StorageFaultProxy, startStorageFaultProxy } from '../../sandbox/storageFaultProxy';

const NO_RETRIES: TableClientOptions = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };
// Retries on, as the app has them (the default policy), with a short delay to keep the suite quick.
const RETRIES: TableClientOptions = { allowInsecureConnection: true, retryOptions: { retryDelayInMs: 20 } };

/** What an SDK call rejected with, as a RestError (fails the test if it resolved or threw something else). */
const restErrorOf = async (call: Promise<unknown>): Promise<RestError> => {
  const thrown = await call.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  if (!isRestError(thrown)) throw thrown;
  return thrown;
};

/**
 * The service's error code as the SDK received it. For a single-entity call @azure/data-tables leaves RestError.code
 * unset (its error mapper reads `odata.error` into parsedBody.odataError, not `error`), so read both places it lands.
 */
const serviceError = (e: RestError) => ({
  status: e.statusCode,
  header: e.response?.headers.get('x-ms-error-code'),
  body: (e.response as { parsedBody?: { odataError?: { code?: string } } } | undefined)?.parsedBody?.odataError?.code,
  contentType: e.response?.headers.get('content-type'),
});

describe('startStorageFaultProxy', () => {
  let azurite: AzuriteTables;
  let proxy: StorageFaultProxy | undefined;
  let tableNumber = 0;

  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  /** A new table (created straight in Azurite), a client through the proxy and one that bypasses it. */
  const tableFor = async (started: StorageFaultProxy, options: TableClientOptions) => {
    tableNumber += 1;
    const name = `faults${tableNumber}`;
    const direct = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    await direct.createTable();
    return { direct, proxied: TableClient.fromConnectionString(started.connectionString, name, options) };
  };

  it('passes every kind of request through unchanged when no fault is drawn', async () => {
    proxy = await startStorageFaultProxy(azurite, { seed: 1 });
    const port = new URL(proxy.tableEndpoint).port;
    expect(port).not.toBe(new URL(azurite.tableEndpoint).port);
    expect(proxy.connectionString).toContain(`TableEndpoint=http://127.0.0.1:${port}/${azurite.accountName};`);
    expect(proxy.connectionString).toContain(`BlobEndpoint=${azurite.blobEndpoint};`);

    tableNumber += 1;
    const proxied = TableClient.fromConnectionString(proxy.connectionString, `faults${tableNumber}`, NO_RETRIES);
    const direct = TableClient.fromConnectionString(azurite.connectionString, `faults${tableNumber}`, NO_RETRIES);
    await proxied.createTable();
    await proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'pending' });
    const created = await proxied.getEntity<{ verdict: string }>('vm1', 'run1');
    expect(created.verdict).toBe('pending');
    await proxied.updateEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'done' }, 'Replace', {
      etag: created.etag,
    });
    await proxied.updateEntity({ partitionKey: 'vm1', rowKey: 'run1', note: 'merged' }, 'Merge');
    const batch: TableTransaction['actions'] = [
      ['create', { partitionKey: 'vm1', rowKey: 'run2', verdict: 'a' }],
      ['upsert', { partitionKey: 'vm1', rowKey: 'run3', verdict: 'b' }],
    ];
    await proxied.submitTransaction(batch);
    await proxied.deleteEntity('vm1', 'run3');

    const listed: string[] = [];
    for await (const e of proxied.listEntities<{ verdict: string }>({
      queryOptions: { filter: "PartitionKey eq 'vm1'" },
    }))
      listed.push(`${e.rowKey}=${e.verdict}`);
    expect(listed).toEqual(['run1=done', 'run2=a']);
    expect(await direct.getEntity('vm1', 'run1')).toMatchObject({ verdict: 'done', note: 'merged' });
    expect(proxy.counts()).toEqual({ busy: 0, lostAnswer: 0, conflict409: 0, precondition412: 0 });

    // Azurite's own race answers are counted, a failed operation inside a batch answer included.
    const conflict = await restErrorOf(proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1' }));
    expect(serviceError(conflict)).toMatchObject({ status: 409, header: 'EntityAlreadyExists' });
    const batchConflict = await restErrorOf(
      proxied.submitTransaction([
        ['create', { partitionKey: 'vm1', rowKey: 'run4' }],
        ['create', { partitionKey: 'vm1', rowKey: 'run2' }],
      ]),
    );
    expect(batchConflict.code).toBe('EntityAlreadyExists');
    const stale = await restErrorOf(
      proxied.updateEntity({ partitionKey: 'vm1', rowKey: 'run1' }, 'Replace', { etag: created.etag }),
    );
    expect(serviceError(stale)).toMatchObject({ status: 412, header: 'UpdateConditionNotSatisfied' });
    expect(proxy.counts()).toEqual({ busy: 0, lostAnswer: 0, conflict409: 2, precondition412: 1 });
  });

  it('answers 503 ServerBusy as Table Storage does, without the request reaching Azurite', async () => {
    proxy = await startStorageFaultProxy(azurite, { seed: 2, busy: 1 });
    const { direct, proxied } = await tableFor(proxy, NO_RETRIES);
    await direct.createEntity({ partitionKey: 'vm1', rowKey: 'run1' });
    const azuriteOwn = serviceError(await restErrorOf(direct.createEntity({ partitionKey: 'vm1', rowKey: 'run1' })));

    const busyRead = await restErrorOf(proxied.getEntity('vm1', 'run1'));
    expect(serviceError(busyRead)).toEqual({
      status: 503,
      header: 'ServerBusy',
      body: 'ServerBusy',
      contentType: azuriteOwn.contentType,
    });
    // The same shape as Azurite's own error, read the same way by the SDK.
    expect(azuriteOwn).toMatchObject({ status: 409, header: 'EntityAlreadyExists', body: 'EntityAlreadyExists' });

    const busyWrite = await restErrorOf(
      proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run2', big: 'x'.repeat(5000) }),
    );
    expect(busyWrite.statusCode).toBe(503);
    expect(await restErrorOf(direct.getEntity('vm1', 'run2'))).toMatchObject({ statusCode: 404 });
    expect(proxy.counts()).toMatchObject({ busy: 2, lostAnswer: 0 });

    // Settled: the same client goes through again (the connection survived the unread-body answer).
    proxy.set({ busy: 0 });
    await proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run2', big: 'x'.repeat(5000) });
    expect((await direct.getEntity<{ big: string }>('vm1', 'run2')).big).toHaveLength(5000);
    expect(proxy.counts().busy).toBe(2);
  });

  it('loses the answer of a write that happened: 500 OperationTimedOut, the entity in Azurite', async () => {
    proxy = await startStorageFaultProxy(azurite, { seed: 3, lostAnswer: 1 });
    const { direct, proxied } = await tableFor(proxy, NO_RETRIES);

    const lost = await restErrorOf(proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'pending' }));
    expect(serviceError(lost)).toMatchObject({ status: 500, header: 'OperationTimedOut', body: 'OperationTimedOut' });
    expect((await direct.getEntity<{ verdict: string }>('vm1', 'run1')).verdict).toBe('pending');
    // Reads are never lost.
    expect((await proxied.getEntity<{ verdict: string }>('vm1', 'run1')).verdict).toBe('pending');
    expect(proxy.counts()).toEqual({ busy: 0, lostAnswer: 1, conflict409: 0, precondition412: 0 });
  });

  it("turns the SDK's retry of an insert whose answer was lost into 409 EntityAlreadyExists", async () => {
    proxy = await startStorageFaultProxy(azurite, { seed: 4, lostAnswer: 1 });
    const { direct, proxied } = await tableFor(proxy, RETRIES);

    const conflict = await restErrorOf(proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'a' }));
    expect(serviceError(conflict)).toMatchObject({ status: 409, header: 'EntityAlreadyExists' });
    expect((await direct.getEntity<{ verdict: string }>('vm1', 'run1')).verdict).toBe('a');
    expect(proxy.counts().lostAnswer).toBe(1);
    expect(proxy.counts().conflict409).toBeGreaterThanOrEqual(1);
  });

  it("turns the SDK's retry of an ETag-guarded update whose answer was lost into 412", async () => {
    proxy = await startStorageFaultProxy(azurite, { seed: 5 });
    const { direct, proxied } = await tableFor(proxy, RETRIES);
    await proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'pending' });
    const { etag } = await proxied.getEntity('vm1', 'run1');

    proxy.set({ lostAnswer: 1 });
    const stale = await restErrorOf(
      proxied.updateEntity({ partitionKey: 'vm1', rowKey: 'run1', verdict: 'done' }, 'Replace', { etag }),
    );
    expect(serviceError(stale)).toMatchObject({ status: 412, header: 'UpdateConditionNotSatisfied' });
    const stored = await direct.getEntity<{ verdict: string }>('vm1', 'run1');
    expect(stored.verdict).toBe('done');
    expect(stored.etag).not.toBe(etag);
    expect(proxy.counts().lostAnswer).toBe(1);
    expect(proxy.counts().precondition412).toBeGreaterThanOrEqual(1);
  });

  it('draws the same faults from the same seed, and none once set to 0', async () => {
    const pattern = async (seed: number): Promise<string> => {
      const started = await startStorageFaultProxy(azurite, { seed, busy: 0.5 });
      try {
        const { direct, proxied } = await tableFor(started, NO_RETRIES);
        await direct.createEntity({ partitionKey: 'vm1', rowKey: 'run1' });
        let outcomes = '';
        for (let i = 0; i < 24; i += 1) {
          outcomes += await proxied.getEntity('vm1', 'run1').then(
            () => '.',
            () => 'B',
          );
        }
        expect(started.counts().busy).toBe(outcomes.split('B').length - 1);
        started.set({ busy: 0 });
        await proxied.getEntity('vm1', 'run1');
        return outcomes;
      } finally {
        await started.stop();
      }
    };
    const first = await pattern(42);
    expect(first).toMatch(/B/);
    expect(first).toMatch(/\./);
    expect(await pattern(42)).toBe(first);
    expect(await pattern(43)).not.toBe(first);
  });

  it('rejects probabilities outside 0..1', async () => {
    await expect(startStorageFaultProxy(azurite, { seed: 1, busy: 1.5 })).rejects.toThrow(RangeError);
    proxy = await startStorageFaultProxy(azurite, { seed: 1 });
    expect(() => proxy?.set({ lostAnswer: -0.1 })).toThrow('lostAnswer must be a probability between 0 and 1: -0.1');
  });

  it('stop() closes the server and the connections a client keeps open', async () => {
    const started = await startStorageFaultProxy(azurite, { seed: 6 });
    const { proxied } = await tableFor(started, NO_RETRIES);
    // The SDK keeps its connection alive: stop() must not wait for it to idle out.
    await proxied.createEntity({ partitionKey: 'vm1', rowKey: 'run1' });
    await started.stop();
    // The kept connection is gone (reset, or refused if the client saw it close first), and so is the server.
    const dropped = await restErrorOf(proxied.getEntity('vm1', 'run1'));
    expect(dropped.statusCode).toBeUndefined();
    expect(['ECONNRESET', 'ECONNREFUSED']).toContain(dropped.code);
    expect(await restErrorOf(proxied.getEntity('vm1', 'run1'))).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
