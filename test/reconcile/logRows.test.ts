import { readLoggedBackupItems } from '../../src/shared/reconcile/loggedBackupItem';
import { readLoggedBackupJobs } from '../../src/shared/reconcile/loggedBackupJob';
import { MAX_ROW_PROBLEMS, readRows } from '../../src/shared/reconcile/logRows';
import type { LogTable } from '../../src/shared/azure/logQueryGateway';

const JOB_COLUMNS = [
  'TimeGenerated',
  'JobUniqueId',
  'JobOperation',
  'JobStatus',
  'JobFailureCode',
  'AdHocOrScheduledJob',
  'JobStartDateTime',
  'BackupManagementType',
  'BackupItemUniqueId',
  'BackupItemFriendlyName',
  'DatasourceResourceId',
  'ResourceId',
];

/** A jobs table with `columns` in the given order; each row is written by column name. */
const jobsTable = (rows: Record<string, unknown>[], columns = JOB_COLUMNS): LogTable => ({
  name: 'PrimaryResult',
  columns: columns.map((name) => ({
    name,
    type: name.endsWith('Time') || name.endsWith('DateTime') ? 'datetime' : 'string',
  })),
  rows: rows.map((r) => columns.map((c) => r[c] ?? null)),
});

const VAULT = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1';
const job = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  TimeGenerated: new Date('2026-03-02T02:00:00Z'),
  JobUniqueId: 'job-1',
  JobOperation: 'Backup',
  JobStatus: 'Completed',
  JobFailureCode: 'Success',
  AdHocOrScheduledJob: 'Scheduled',
  JobStartDateTime: '2026-03-02T01:00:00Z',
  BackupManagementType: 'IaaSVM',
  BackupItemUniqueId: 'item-1',
  BackupItemFriendlyName: 'iris-a',
  ResourceId: VAULT,
  ...over,
});

describe('readRows', () => {
  it('reads by column name, whatever the order of the columns', () => {
    const reversed = jobsTable([job()], [...JOB_COLUMNS].reverse());
    const read = readLoggedBackupJobs(reversed);
    expect(read.kind === 'rows' && read.rows).toEqual([
      {
        jobId: 'job-1',
        recordedAt: '2026-03-02T02:00:00.000Z',
        status: 'Completed',
        failureCode: 'Success',
        trigger: 'Scheduled',
        startTime: '2026-03-02T01:00:00.000Z',
        itemId: 'item-1',
        itemName: 'iris-a',
        vaultResourceId: VAULT,
      },
    ]);
  });

  it('a missing required column: the whole table is unreadable, and the column is named', () => {
    const read = readLoggedBackupJobs(
      jobsTable(
        [job()],
        JOB_COLUMNS.filter((c) => c !== 'AdHocOrScheduledJob'),
      ),
    );
    expect(read).toEqual({
      kind: 'unreadable',
      problems: ['AddonAzureBackupJobs has no column AdHocOrScheduledJob; none of its rows can be read'],
    });
  });

  it('a missing optional column reads as absent', () => {
    const read = readLoggedBackupJobs(
      jobsTable(
        [job()],
        JOB_COLUMNS.filter((c) => c !== 'DatasourceResourceId'),
      ),
    );
    expect(read.kind === 'rows' && read.rows.length).toBe(1);
  });

  it.each([
    ['a number for a string', { JobStatus: 3 }, 'AddonAzureBackupJobs row 1: JobStatus is a number; row skipped'],
    [
      'an object for a string',
      { JobUniqueId: { id: 'x' } },
      'AddonAzureBackupJobs row 1: JobUniqueId is a object; row skipped',
    ],
    [
      'a date that is not one',
      { TimeGenerated: 'yesterday' },
      'AddonAzureBackupJobs row 1: TimeGenerated is not a date (string); row skipped',
    ],
    ['an empty required cell', { JobUniqueId: '' }, 'AddonAzureBackupJobs row 1: JobUniqueId is empty; row skipped'],
  ])('%s: that row is skipped with a problem, the others are read', (_name, bad, problem) => {
    const read = readLoggedBackupJobs(jobsTable([job(bad), job({ JobUniqueId: 'job-2' })]));
    expect(read).toEqual({ kind: 'rows', rows: [expect.objectContaining({ jobId: 'job-2' })], problems: [problem] });
  });

  it('a row that is not a list of cells is skipped', () => {
    const table = jobsTable([job()]);
    const read = readRows(
      { ...table, rows: [null as unknown as unknown[]] },
      { id: { column: 'JobUniqueId', kind: 'string', required: true } },
      'T',
    );
    expect(read).toEqual({ kind: 'rows', rows: [], problems: ['T row 1 is not a list of cells; skipped'] });
  });

  it('caps the problems it lists and counts the rest', () => {
    const rows = Array.from({ length: MAX_ROW_PROBLEMS + 3 }, () => job({ JobStatus: 1 }));
    const read = readLoggedBackupJobs(jobsTable(rows));
    expect(read.problems).toHaveLength(MAX_ROW_PROBLEMS + 1);
    expect(read.problems[MAX_ROW_PROBLEMS]).toBe(
      'AddonAzureBackupJobs: 3 more rows skipped for the same kinds of reasons',
    );
  });
});

describe('readLoggedBackupJobs', () => {
  it('keeps the latest record of each job (records are re-emitted), by JobUniqueId in any letter case', () => {
    const read = readLoggedBackupJobs(
      jobsTable([
        job({ JobUniqueId: 'JOB-1', JobStatus: 'InProgress', TimeGenerated: '2026-03-02T01:00:00Z' }),
        job({ JobStatus: 'Failed', TimeGenerated: '2026-03-02T03:00:00Z' }),
        job({ JobStatus: 'InProgress', TimeGenerated: '2026-03-02T01:30:00Z' }),
      ]),
    );
    expect(read.kind === 'rows' && read.rows.map((r) => [r.jobId, r.status])).toEqual([['job-1', 'Failed']]);
  });

  it('keeps only backups of Azure VMs', () => {
    const read = readLoggedBackupJobs(
      jobsTable([
        job({ JobUniqueId: 'restore', JobOperation: 'Restore' }),
        job({ JobUniqueId: 'sql', BackupManagementType: 'AzureWorkload' }),
        job({ JobUniqueId: 'vm' }),
      ]),
    );
    expect(read.kind === 'rows' && read.rows.map((r) => r.jobId)).toEqual(['vm']);
  });
});

describe('readLoggedBackupItems', () => {
  const ITEM_COLUMNS = [
    'TimeGenerated',
    'OperationName',
    'BackupItemUniqueId',
    'BackupItemFriendlyName',
    'LatestRecoveryPointTime',
    'VaultName',
    'ResourceId',
    'State',
  ];
  const table = (rows: Record<string, unknown>[]): LogTable => ({
    name: 'PrimaryResult',
    columns: ITEM_COLUMNS.map((name) => ({ name, type: 'string' })),
    rows: rows.map((r) => ITEM_COLUMNS.map((c) => r[c] ?? null)),
  });
  const item = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    TimeGenerated: '2026-03-02T00:00:00Z',
    OperationName: 'BackupItem',
    BackupItemUniqueId: 'item-1',
    BackupItemFriendlyName: 'iris-a',
    LatestRecoveryPointTime: '2026-03-01T01:00:00Z',
    VaultName: 'v1',
    ResourceId: VAULT,
    State: 'Active',
    ...over,
  });

  it('keeps the latest record per item and drops deleted items and other operations', () => {
    const read = readLoggedBackupItems(
      table([
        item(),
        item({ TimeGenerated: '2026-03-02T06:00:00Z', LatestRecoveryPointTime: '2026-03-02T01:00:00Z' }),
        item({ BackupItemUniqueId: 'gone', State: 'Deleted' }),
        item({ BackupItemUniqueId: 'container', OperationName: 'ProtectedContainer' }),
      ]),
    );
    expect(read.kind === 'rows' && read.rows).toEqual([
      {
        itemId: 'item-1',
        recordedAt: '2026-03-02T06:00:00.000Z',
        name: 'iris-a',
        latestRecoveryPointTime: '2026-03-02T01:00:00.000Z',
        vaultName: 'v1',
        vaultResourceId: VAULT,
      },
    ]);
  });
});
