import { TableClient } from '@azure/data-tables';
import { execFileSync } from 'node:child_process';
import { startAzurite } from '../../sandbox/azurite';

const azuriteProcesses = (): string[] =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('azurite/dist/src/table/main.js'));

describe('startAzurite', () => {
  it('serves Table Storage with a random key and leaves no process behind', async () => {
    const before = azuriteProcesses().length;
    const azurite = await startAzurite();
    try {
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
    expect(azuriteProcesses()).toHaveLength(before);
  });
});
