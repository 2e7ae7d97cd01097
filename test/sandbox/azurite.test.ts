import { TableClient } from '@azure/data-tables';
import { execFileSync } from 'node:child_process';
import { startAzurite } from '../../sandbox/azurite';

/** This instance's Table process: other suites (another jest worker) start and stop Azurites of their own meanwhile. */
const azuriteProcessesOn = (port: string): string[] =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('azurite/dist/src/table/main.js') && l.includes(`--tablePort ${port} `));

describe('startAzurite', () => {
  it('serves Table Storage with a random key and leaves no process behind', async () => {
    const azurite = await startAzurite();
    const port = /TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(azurite.connectionString)?.[1] ?? '?';
    try {
      expect(azuriteProcessesOn(port)).toHaveLength(1);
      expect(azurite.connectionString).toMatch(/AccountKey=[A-Za-z0-9+/]{43}=;/);
      const table = TableClient.fromConnectionString(azurite.connectionString, 'runs', {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await table.createEntity({ partitionKey: 'vm1', rowKey: '2026-03-01', verdict: 'IRIS-consistent' });
      expect((await table.getEntity<{ verdict: string }>('vm1', '2026-03-01')).verdict).toBe('IRIS-consistent');

      const wrongKey = azurite.connectionString.replace(
        /AccountKey=[^;]+/,
        `AccountKey=${Buffer.alloc(32, 1).toString('base64')}`,
      );
      const denied = TableClient.fromConnectionString(wrongKey, 'runs', { allowInsecureConnection: true });
      await expect(denied.getEntity('vm1', '2026-03-01')).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await azurite.stop();
    }
    expect(azuriteProcessesOn(port)).toEqual([]);
  });
});
