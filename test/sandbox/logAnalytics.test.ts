import { LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { type Sandbox, startSandbox } from '../../sandbox';
import { clients, testScenario, testVm, triggerBackup } from './sandboxFixtures';

const WORKSPACE = '11111111-2222-3333-4444-555555555555';

describe('sandbox Log Analytics query through the real LogsQueryClient', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([testVm('vm1', [])], {
        workspaces: [
          {
            id: WORKSPACE,
            tables: [
              {
                name: 'CoreAzureBackup',
                columns: [{ name: 'BackupItemUniqueId', type: 'string' }],
                rows: [['item-1']],
              },
            ],
          },
        ],
      }),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('returns AddonAzureBackupJobs rows derived from the sandbox jobs, typed by column', async () => {
    const { jobId } = await triggerBackup(sandbox, 'vm1');
    await sandbox.idle();
    sandbox.clock.advance(10 * 60_000);
    const { logs } = clients(sandbox);
    const result = await logs.queryWorkspace(WORKSPACE, 'AddonAzureBackupJobs | where JobOperation == "Backup"', {
      duration: 'P1D',
    });
    expect(result.status).toBe(LogsQueryResultStatus.Success);
    if (result.status !== LogsQueryResultStatus.Success) return;
    const table = result.tables[0];
    const col = (name: string): number => table?.columnDescriptors.findIndex((c) => c.name === name) ?? -1;
    const row = table?.rows[0];
    expect(row?.[col('JobUniqueId')]).toBe(jobId);
    expect(row?.[col('JobStatus')]).toBe('Completed');
    expect(row?.[col('JobStartDateTime')]).toEqual(new Date('2026-03-01T01:00:00.000Z'));
    expect(row?.[col('JobDurationInSecs')]).toBe(600);
  });

  it('returns a scenario table by the query leading table name', async () => {
    const { logs } = clients(sandbox);
    const result = await logs.queryWorkspace(WORKSPACE, 'CoreAzureBackup | take 5', { duration: 'P1D' });
    expect(result.status === LogsQueryResultStatus.Success && result.tables[0]?.rows).toEqual([['item-1']]);
  });

  it('answers an unknown workspace with a 404 ARM error', async () => {
    const { logs } = clients(sandbox);
    await expect(logs.queryWorkspace('nope', 'AddonAzureBackupJobs', { duration: 'P1D' })).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
