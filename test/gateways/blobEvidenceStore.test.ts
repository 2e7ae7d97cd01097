/**
 * The evidence store against Azurite's Blob service (the sandbox's account, a service SAS signed with its key): the
 * upload URL lets a writer create and append an append blob and nothing else, read streams it back, and an absent
 * blob is undefined.
 */
import { AnonymousCredential, AppendBlobClient, BlobClient } from '@azure/storage-blob';
import { type AzuriteTables, startAzurite } from '../../sandbox/azurite';
import type { EvidenceStore } from '../../src/shared/azure/drillResources';
import { consoleGatewayLogger } from '../../src/shared/azure/gatewayLogger';
import { loadSettings } from '../../src/shared/config/settings';
import { createBlobEvidenceStore } from '../../src/shared/gateways/blobEvidenceStore';

const text = async (chunks: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> => {
  if (chunks === undefined) return undefined;
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
};

describe('BlobEvidenceStore against Azurite', () => {
  let azurite: AzuriteTables;
  let store: EvidenceStore;
  const inAnHour = (): Date => new Date(Date.now() + 3600_000);

  beforeAll(async () => {
    azurite = await startAzurite();
    const settings = loadSettings({
      IBG_VAULT_IDS:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v',
      IBG_ENROLL_TAG: 'a=b',
      IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
    });
    expect(settings.evidence).toMatchObject({ kind: 'connectionString', containerName: 'ibg-evidence' });
    if (settings.evidence === undefined) throw new Error('no evidence settings');
    store = createBlobEvidenceStore(settings.evidence, () => {
      throw new Error('a connection string needs no credential');
    });
  }, 60_000);

  afterAll(async () => {
    await azurite?.stop();
  });

  it('gives an upload URL that creates and appends an append blob, and read streams it back', async () => {
    const url = await store.uploadUrl('drill-1/verify.log', inAnHour());
    expect(url).toContain(`${azurite.blobEndpoint}/ibg-evidence/drill-1/verify.log?`);
    expect([...(new URL(url).searchParams.get('sp') ?? '')].sort().join('')).toBe('acw');
    // What the Run Command handler does with outputBlobUri: create the append blob, then append to it.
    const writer = new AppendBlobClient(url, new AnonymousCredential());
    await writer.createIfNotExists();
    const first = 'integrity check of USER: no errors\n';
    const big = 'x'.repeat(300_000);
    await writer.appendBlock(first, Buffer.byteLength(first));
    await writer.appendBlock(big, big.length);
    expect(await text(await store.read('drill-1/verify.log'))).toBe(first + big);
  });

  it('does not let the upload URL read, list or delete', async () => {
    const url = await store.uploadUrl('drill-2/verify.log', inAnHour());
    const writer = new AppendBlobClient(url, new AnonymousCredential());
    await writer.createIfNotExists();
    await expect(new BlobClient(url).download()).rejects.toMatchObject({ statusCode: 403 });
    await expect(new BlobClient(url).delete()).rejects.toMatchObject({ statusCode: 403 });
  });

  it('reads an absent blob as undefined', async () => {
    expect(await store.read('drill-none/verify.log')).toBeUndefined();
  });

  it('refuses an expiry in the past or beyond a user delegation key', async () => {
    await expect(store.uploadUrl('x.log', new Date(Date.now() - 1000))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(store.uploadUrl('x.log', new Date(Date.now() + 8 * 24 * 3600_000))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('never logs a SAS signature through the gateway logger', async () => {
    const url = await store.uploadUrl('drill-3/verify.log', inAnHour());
    const sig = new URL(url).searchParams.get('sig') ?? '';
    expect(sig).not.toBe('');
    const logged: unknown[][] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      consoleGatewayLogger.warn(`upload to ${url} failed`, { url });
    } finally {
      warn.mockRestore();
    }
    const output = JSON.stringify(logged);
    expect(output).not.toContain(sig);
    expect(output).not.toContain(encodeURIComponent(sig));
    expect(output).toContain('sig=[redacted]');
  });
});
