import { LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { type Sandbox, startSandbox } from '../../sandbox';
import { VAULT, VAULT_RG, clients, testScenario, testVm, triggerBackup } from './sandboxFixtures';

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
    // Snapshot (10 min) and transfer (60 min).
    sandbox.clock.advance(70 * 60_000);
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
    // The sandbox clock starts at the scenario's fixed start time and runs on (sandbox/clock.ts): the same instant
    // as the job's own startTime, on the scenario's day.
    const job = await clients(sandbox).backup.jobDetails.get(VAULT, VAULT_RG, jobId);
    expect(row?.[col('JobStartDateTime')]).toEqual(job.properties?.startTime);
    expect((row?.[col('JobStartDateTime')] as Date).toISOString().slice(0, 10)).toBe('2026-03-01');
    expect(row?.[col('JobDurationInSecs')]).toBe(4200);
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
