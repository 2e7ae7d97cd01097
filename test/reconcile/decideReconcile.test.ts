import { decideReconcile, type ReconcileInput } from '../../src/shared/reconcile/decideReconcile';
import type { LoggedBackupItem } from '../../src/shared/reconcile/loggedBackupItem';
import type { LoggedBackupJob } from '../../src/shared/reconcile/loggedBackupJob';
import { reconcileAlertId, reconcileAlertOf } from '../../src/shared/reconcile/reconcileAlerts';
import {
  RECONCILE_SCHEMA,
  reconcileSummaryLine,
  type ReconcileReport,
} from '../../src/shared/reconcile/reconcileReport';

const SUB = '/subscriptions/00000000-0000-0000-0000-0000000000aa';
const V1 = `${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`;
const V2 = `${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-2`;
const vmId = (name: string): string =>
  `${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/${name}`;
const NOW = '2026-03-02T09:00:00.000Z';

const job = (over: Partial<LoggedBackupJob> = {}): LoggedBackupJob => ({
  jobId: 'job-1',
  recordedAt: '2026-03-02T02:00:00.000Z',
  status: 'Completed',
  trigger: 'AdHoc',
  itemId: 'item-a',
  itemName: 'iris-a',
  vaultResourceId: V1,
  ...over,
});
const item = (over: Partial<LoggedBackupItem> = {}): LoggedBackupItem => ({
  itemId: 'item-a',
  recordedAt: '2026-03-02T06:00:00.000Z',
  name: 'iris-a',
  latestRecoveryPointTime: '2026-03-02T01:30:00.000Z',
  vaultName: 'vault-1',
  vaultResourceId: V1,
  ...over,
});

const input = (over: Partial<ReconcileInput> = {}): ReconcileInput => ({
  now: NOW,
  rpoTargetHours: 26,
  enrolled: [
    { vmId: vmId('iris-a'), vmName: 'iris-a', vaultId: V1 },
    { vmId: vmId('iris-b'), vmName: 'iris-b', vaultId: V1 },
  ],
  appJobIds: ['job-1', 'job-b'],
  vaultsWithAppJobs: [V1],
  jobs: { kind: 'rows', rows: [job(), job({ jobId: 'job-b', itemId: 'item-b', itemName: 'iris-b' })], problems: [] },
  items: { kind: 'rows', rows: [item(), item({ itemId: 'item-b', name: 'iris-b' })], problems: [] },
  ...over,
});

const withJobs = (...extra: LoggedBackupJob[]): Partial<ReconcileInput> => {
  const base = input().jobs;
  return { jobs: { kind: 'rows', rows: [...(base.kind === 'rows' ? base.rows : []), ...extra], problems: [] } };
};

const codes = (i: ReconcileInput): string[] => decideReconcile(i).findings.map((f) => f.code);

describe('decideReconcile', () => {
  it("the app's own ad-hoc backups, all completed and recent: nothing to say", () => {
    const d = decideReconcile(input());
    expect(d).toEqual({ findings: [], jobs: 'checked', items: 'checked', enrolledJobs: 2, rpoUnknown: [] });
  });

  it('a failed scheduled backup of an enrolled VM', () => {
    const failed = job({
      jobId: 'sched-1',
      trigger: 'Scheduled',
      status: 'Failed',
      failureCode: 'UserErrorVmNotFound',
      startTime: '2026-03-02T03:00:00.000Z',
    });
    expect(decideReconcile(input(withJobs(failed))).findings).toEqual([
      {
        code: 'ScheduledBackupFailed',
        vmId: vmId('iris-a'),
        vmName: 'iris-a',
        vaultId: V1,
        jobId: 'sched-1',
        status: 'Failed',
        failureCode: 'UserErrorVmNotFound',
        startTime: '2026-03-02T03:00:00.000Z',
      },
    ]);
  });

  it('a scheduled backup that fell back (CompletedWithWarnings) is one too, as a warning', () => {
    const warned = job({
      jobId: 'sched-2',
      trigger: 'Scheduled',
      status: 'CompletedWithWarnings',
      failureCode: 'Success',
    });
    const [f] = decideReconcile(input(withJobs(warned))).findings;
    expect(f).toMatchObject({ code: 'ScheduledBackupFailed', status: 'CompletedWithWarnings' });
    expect(f && 'failureCode' in f).toBe(false);
    expect(f && reconcileAlertOf(f, NOW).severity).toBe('warning');
  });

  it('a backup the app did not start: a scheduled one, and an ad-hoc one with a job id no run has', () => {
    const scheduled = job({ jobId: 'sched-ok', trigger: 'Scheduled', status: 'Completed' });
    const foreign = job({
      jobId: 'someone-else',
      trigger: 'AdHoc',
      status: 'InProgress',
      itemId: 'item-b',
      itemName: 'iris-b',
    });
    expect(decideReconcile(input(withJobs(scheduled, foreign))).findings).toEqual([
      expect.objectContaining({
        code: 'BackupNotSeenByApp',
        jobId: 'sched-ok',
        trigger: 'Scheduled',
        vmName: 'iris-a',
      }),
      expect.objectContaining({
        code: 'BackupNotSeenByApp',
        jobId: 'someone-else',
        trigger: 'AdHoc',
        vmName: 'iris-b',
      }),
    ]);
  });

  it("compares job ids without regard to case (the app's job id is the same GUID)", () => {
    expect(codes(input({ appJobIds: ['JOB-1', 'JOB-B'] }))).toEqual([]);
  });

  it('jobs of VMs that are not enrolled are not looked at', () => {
    const other = job({ jobId: 'x', trigger: 'Scheduled', status: 'Failed', itemName: 'web-1', itemId: 'item-w' });
    expect(codes(input(withJobs(other)))).toEqual([]);
    expect(decideReconcile(input(withJobs(other))).enrolledJobs).toBe(2);
  });

  it("a job is the VM's by its resource id when the record has one, even under another item name", () => {
    const byId = job({
      jobId: 'x',
      trigger: 'Scheduled',
      status: 'Failed',
      itemName: 'renamed',
      vmResourceId: vmId('IRIS-B').toUpperCase(),
    });
    expect(decideReconcile(input(withJobs(byId))).findings).toEqual([
      expect.objectContaining({ code: 'ScheduledBackupFailed', vmId: vmId('iris-b') }),
    ]);
  });

  it('the same VM name in another vault is another VM', () => {
    const elsewhere = job({ jobId: 'x', trigger: 'Scheduled', status: 'Failed', vaultResourceId: V2 });
    expect(codes(input(withJobs(elsewhere)))).toEqual([]);
  });

  it('without the app runs, no job is called unseen', () => {
    const { appJobIds: _none, ...rest } = input(withJobs(job({ jobId: 'sched-ok', trigger: 'Scheduled' })));
    expect(codes(rest)).toEqual([]);
  });

  it('RPO missed: a point older than the target, and no point at all', () => {
    const d = decideReconcile(
      input({
        items: {
          kind: 'rows',
          rows: [
            item({ latestRecoveryPointTime: '2026-03-01T05:00:00.000Z' }),
            item({ itemId: 'item-b', name: 'iris-b', latestRecoveryPointTime: undefined }),
          ],
          problems: [],
        },
      }),
    );
    expect(d.findings).toEqual([
      expect.objectContaining({
        code: 'RpoTargetMissed',
        vmName: 'iris-a',
        ageHours: 28,
        targetHours: 26,
        latestRecoveryPointTime: '2026-03-01T05:00:00.000Z',
      }),
      { code: 'RpoTargetMissed', vmId: vmId('iris-b'), vmName: 'iris-b', vaultId: V1, targetHours: 26 },
    ]);
  });

  it('a point exactly at the target is not a miss', () => {
    const at = new Date(Date.parse(NOW) - 26 * 3_600_000).toISOString();
    const d = decideReconcile(
      input({
        items: {
          kind: 'rows',
          rows: [item({ latestRecoveryPointTime: at }), item({ itemId: 'b', name: 'iris-b' })],
          problems: [],
        },
      }),
    );
    expect(d.findings).toEqual([]);
  });

  it('an enrolled VM the items do not name: its RPO is unknown, not missed', () => {
    const d = decideReconcile(input({ items: { kind: 'rows', rows: [item()], problems: [] } }));
    expect(d.findings).toEqual([]);
    expect(d.rpoUnknown).toEqual([vmId('iris-b')]);
  });

  it('a workspace without the jobs table: DiagnosticsMissing per vault, never zero failures', () => {
    const d = decideReconcile(
      input({ jobs: { kind: 'query-failed', failure: { kind: 'table-missing', table: 'AddonAzureBackupJobs' } } }),
    );
    expect(d.findings).toEqual([
      { code: 'DiagnosticsMissing', vaultId: V1, table: 'AddonAzureBackupJobs', reason: 'table-missing' },
    ]);
    expect(d.jobs).toBe('missing');
    const alert = reconcileAlertOf(d.findings[0]!, NOW);
    expect(alert).toMatchObject({
      severity: 'error',
      code: 'DiagnosticsMissing',
      scope: { kind: 'vault', vaultId: V1 },
    });
    expect(alert.fix).toContain('resource-specific');
    expect(alert.fix).toContain('CoreAzureBackup');
    expect(alert.fix).toContain('AddonAzureBackupJobs');
  });

  it('a workspace with neither table: the items table is said missing once, whichever query named it', () => {
    const missingItems = {
      kind: 'query-failed' as const,
      failure: { kind: 'table-missing' as const, table: 'CoreAzureBackup' as const },
    };
    const d = decideReconcile(input({ jobs: missingItems, items: missingItems }));
    expect(d.findings).toEqual([
      { code: 'DiagnosticsMissing', vaultId: V1, table: 'CoreAzureBackup', reason: 'table-missing' },
    ]);
    expect([d.jobs, d.items]).toEqual(['missing', 'missing']);
  });

  it('no item rows for a vault with enrolled VMs: DiagnosticsMissing (no-rows), and no RPO verdicts for it', () => {
    const d = decideReconcile(
      input({ items: { kind: 'rows', rows: [item({ vaultResourceId: V2, vaultName: 'vault-2' })], problems: [] } }),
    );
    expect(d.findings).toEqual([
      { code: 'DiagnosticsMissing', vaultId: V1, table: 'CoreAzureBackup', reason: 'no-rows' },
    ]);
    expect(d.rpoUnknown).toEqual([vmId('iris-a'), vmId('iris-b')]);
  });

  it('no job rows for a vault in which the app backed up VMs: DiagnosticsMissing for the jobs', () => {
    const d = decideReconcile(input({ jobs: { kind: 'rows', rows: [], problems: [] } }));
    expect(d.findings).toEqual([
      { code: 'DiagnosticsMissing', vaultId: V1, table: 'AddonAzureBackupJobs', reason: 'no-rows' },
    ]);
  });

  it('a query that failed otherwise: ReconcileQueryFailed, a warning when it passes by itself', () => {
    const d = decideReconcile(
      input({
        items: {
          kind: 'query-failed',
          failure: { kind: 'failed', message: 'throttled', httpStatus: 429, serviceCode: 'TooManyRequests' },
        },
      }),
    );
    expect(d.findings).toEqual([
      {
        code: 'ReconcileQueryFailed',
        vaultId: V1,
        table: 'CoreAzureBackup',
        message: 'throttled',
        httpStatus: 429,
        serviceCode: 'TooManyRequests',
      },
    ]);
    expect(d.items).toBe('failed');
    expect(reconcileAlertOf(d.findings[0]!, NOW).severity).toBe('warning');
  });

  it('a refusal (403) is an error that names the role to grant', () => {
    const d = decideReconcile(
      input({ jobs: { kind: 'query-failed', failure: { kind: 'failed', message: 'no', httpStatus: 403 } } }),
    );
    const alert = reconcileAlertOf(d.findings[0]!, NOW);
    expect(alert.severity).toBe('error');
    expect(alert.fix).toContain('Log Analytics Reader');
  });

  it('unreadable rows are said, never counted as zero', () => {
    const d = decideReconcile(
      input({ jobs: { kind: 'unreadable', problems: ['AddonAzureBackupJobs has no column JobStatus'] } }),
    );
    expect(d.findings).toEqual([
      {
        code: 'LogRowsUnreadable',
        vaultId: V1,
        table: 'AddonAzureBackupJobs',
        problems: ['AddonAzureBackupJobs has no column JobStatus'],
        wholeTable: true,
      },
    ]);
    expect(d.jobs).toBe('unreadable');
  });
});

describe('reconcile alerts and summary', () => {
  it('job findings get one alert record per job; others one per scope and code', () => {
    const d = decideReconcile(
      input(
        withJobs(
          job({ jobId: 'S-1', trigger: 'Scheduled', status: 'Failed' }),
          job({ jobId: 's-2', trigger: 'Scheduled', status: 'Failed' }),
        ),
      ),
    );
    const ids = d.findings.map((f) => reconcileAlertId(f, reconcileAlertOf(f, NOW), '2026-03-02'));
    expect(ids).toEqual([
      'reconcile/2026-03-02/ScheduledBackupFailed/s-1',
      'reconcile/2026-03-02/ScheduledBackupFailed/s-2',
    ]);
    const alert = reconcileAlertOf(d.findings[0]!, NOW);
    expect(alert).toMatchObject({ severity: 'error', scope: { kind: 'vm', vmId: vmId('iris-a') }, vmName: 'iris-a' });
    expect(alert.fix).toContain(`iris-backup-guard check --vm ${vmId('iris-a')}`);
  });

  const report = (over: Partial<ReconcileReport>): ReconcileReport => ({
    schema: RECONCILE_SCHEMA,
    workspaceId: 'ws',
    period: { from: '2026-03-01T09:00:00.000Z', to: NOW },
    nights: ['2026-02-28', '2026-03-01', '2026-03-02'],
    enrolledVms: 2,
    jobs: 'checked',
    items: 'checked',
    enrolledJobs: 2,
    rpoUnknown: [],
    findings: [],
    alertErrors: 0,
    ...over,
  });

  it('the summary line counts what was checked', () => {
    expect(reconcileSummaryLine(report({}))).toBe(
      'dailyReconcile 2026-03-01T09:00:00.000Z..2026-03-02T09:00:00.000Z: 2 enrolled VMs, 2 backup jobs in the logs; ' +
        'scheduled failed 0, not seen by the app 0, RPO missed 0, diagnostics missing 0, query failures 0, unreadable 0',
    );
  });

  it('the summary line says unknown, not 0, for a table that could not be read', () => {
    const line = reconcileSummaryLine(report({ jobs: 'missing', items: 'failed' }));
    expect(line).toContain('unknown backup jobs in the logs');
    expect(line).toContain(
      'scheduled failed unknown (missing), not seen by the app unknown (missing), RPO missed unknown (failed)',
    );
  });
});
