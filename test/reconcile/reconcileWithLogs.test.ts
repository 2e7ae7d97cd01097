/**
 * The daily reconcile end to end: the real LogsQueryClient (built by the composition root) against the sandbox's
 * Log Analytics, after a real nightly cycle (ARM emulator, Azurite, VM scripts), so the app's own backup jobs are
 * in the logs with the job ids its runs recorded.
 */
import { createLogQueryGateway } from '../../src/composition/composition';
import { nightOf } from '../../src/shared/protection/night';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { reconcileWithLogs, type ReconcileDeps } from '../../src/shared/protection/reconcileWithLogs';
import type { ReconcileFinding } from '../../src/shared/reconcile/reconcileFinding';
import { RECONCILE_SCHEMA } from '../../src/shared/reconcile/reconcileReport';
import { MINUTE, settle, tick } from '../protection/cycleHelpers';
import { smallScenario, startProtectionWorld, SUB, type ProtectionWorld } from '../protection/protectionWorld';

const WS = '11111111-2222-3333-4444-555555555555';
const WS_NO_TABLES = '22222222-2222-3333-4444-555555555555';
const WS_THROTTLED = '33333333-2222-3333-4444-555555555555';
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`;
const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

const byCode = (findings: readonly ReconcileFinding[], code: ReconcileFinding['code']): ReconcileFinding[] =>
  findings.filter((f) => f.code === code);

describe('daily reconcile through the real LogsQueryClient against the sandbox', () => {
  let w: ProtectionWorld;
  let deps: ReconcileDeps;
  let appJobIds: string[];
  let failedScheduled: string;
  let unseenScheduled: string;

  beforeAll(async () => {
    w = await startProtectionWorld({
      ...smallScenario(),
      workspaces: [
        { id: WS },
        { id: WS_NO_TABLES, missingTables: ['AddonAzureBackupJobs', 'CoreAzureBackup'] },
        { id: WS_THROTTLED },
      ],
      faults: [
        // Every query of this workspace is throttled, more often than the client retries.
        {
          kind: 'throttle',
          pathPattern: `^/v1/workspaces/${WS_THROTTLED}/query$`,
          nth: 1,
          count: 1000,
          retryAfterSeconds: 0,
        },
      ],
    });
    const night = nightOf(w.sandbox.clock.now(), 'UTC');
    await runNightlyProtection(w.deps, night);
    await tick(w, w.deps);
    await settle(w, w.deps, night, ENROLLED, 30 * MINUTE);
    appJobIds = (await w.deps.store.listSummaries(night)).flatMap((s) => (s.backup.jobId ? [s.backup.jobId] : []));
    // Policy backups the app did not start: one failed, one completed.
    failedScheduled = w.sandbox.addScheduledJob({
      vm: 'iris-a',
      status: 'Failed',
      startedMinutesAgo: 200,
      errorTitle: 'UserErrorGuestAgentStatusUnavailable',
    });
    unseenScheduled = w.sandbox.addScheduledJob({ vm: 'iris-b', status: 'Completed', startedMinutesAgo: 300 });
    deps = { ...w.deps, logs: createLogQueryGateway(w.deps.settings, w.sandbox.credential) };
  }, 300_000);

  afterAll(async () => w?.stop());

  it('finds the failed scheduled backup and the job the app did not start, and not its own jobs', async () => {
    expect(appJobIds).toHaveLength(ENROLLED.length);
    const before = w.scopeAlerts.length;
    const report = await reconcileWithLogs(deps, WS);

    expect(report).toMatchObject({ schema: RECONCILE_SCHEMA, workspaceId: WS, jobs: 'checked', items: 'checked' });
    expect(report.enrolledVms).toBe(ENROLLED.length);
    // The app's three jobs and the two scheduled ones, each once although the sandbox re-emits their records.
    expect(report.enrolledJobs).toBe(ENROLLED.length + 2);
    expect(byCode(report.findings, 'ScheduledBackupFailed')).toEqual([
      expect.objectContaining({
        vmId: w.vmId('iris-a'),
        vaultId: VAULT,
        jobId: failedScheduled,
        status: 'Failed',
        failureCode: 'UserErrorGuestAgentStatusUnavailable',
      }),
    ]);
    expect(byCode(report.findings, 'BackupNotSeenByApp')).toEqual([
      expect.objectContaining({ vmId: w.vmId('iris-b'), jobId: unseenScheduled, trigger: 'Scheduled' }),
    ]);
    const flaggedJobs = report.findings.flatMap((f) => ('jobId' in f ? [f.jobId.toLowerCase()] : []));
    for (const id of appJobIds) expect(flaggedJobs).not.toContain(id.toLowerCase());
    // The vault's CoreAzureBackup names every enrolled VM with tonight's point: no RPO miss, none unknown.
    expect(byCode(report.findings, 'RpoTargetMissed')).toEqual([]);
    expect(report.rpoUnknown).toEqual([]);
    expect(byCode(report.findings, 'DiagnosticsMissing')).toEqual([]);

    const raised = w.scopeAlerts.slice(before);
    expect(raised.map((a) => [a.code, a.severity, a.scope])).toEqual([
      ['ScheduledBackupFailed', 'error', { kind: 'vm', vmId: w.vmId('iris-a') }],
      ['BackupNotSeenByApp', 'warning', { kind: 'vm', vmId: w.vmId('iris-b') }],
    ]);
    expect(raised.every((a) => (a.fix ?? '').length > 0)).toBe(true);
    const summary = w.log.lines.find((l) => l.message.startsWith('dailyReconcile '));
    expect(summary?.message).toContain('scheduled failed 1, not seen by the app 1, RPO missed 0');
  });

  it('a workspace without the tables: diagnostics missing, said as such, never zero failures', async () => {
    const before = w.scopeAlerts.length;
    const lines = w.log.lines.length;
    const report = await reconcileWithLogs(deps, WS_NO_TABLES);

    expect([report.jobs, report.items]).toEqual(['missing', 'missing']);
    expect(report.findings).toEqual([
      { code: 'DiagnosticsMissing', vaultId: VAULT, table: 'AddonAzureBackupJobs', reason: 'table-missing' },
      { code: 'DiagnosticsMissing', vaultId: VAULT, table: 'CoreAzureBackup', reason: 'table-missing' },
    ]);
    const raised = w.scopeAlerts.slice(before);
    expect(raised.map((a) => [a.code, a.severity])).toEqual([
      ['DiagnosticsMissing', 'error'],
      ['DiagnosticsMissing', 'error'],
    ]);
    expect(raised[0]?.fix).toContain('resource-specific');
    const summary = w.log.lines.slice(lines).find((l) => l.message.startsWith('dailyReconcile '));
    expect(summary?.level).toBe('warn');
    expect(summary?.message).toContain('scheduled failed unknown (missing)');
    expect(summary?.message).not.toMatch(/scheduled failed 0/);
  });

  it('a query that keeps failing (throttled past the retries): ReconcileQueryFailed for each table', async () => {
    const report = await reconcileWithLogs(deps, WS_THROTTLED);
    expect([report.jobs, report.items]).toEqual(['failed', 'failed']);
    expect(
      report.findings.map((f) => [f.code, 'table' in f ? f.table : '', 'httpStatus' in f ? f.httpStatus : 0]),
    ).toEqual([
      ['ReconcileQueryFailed', 'AddonAzureBackupJobs', 429],
      ['ReconcileQueryFailed', 'CoreAzureBackup', 429],
    ]);
  });

  it("the RPO target missed, from the vault's own newest recovery points", async () => {
    w.sandbox.clock.advance(3 * 60 * MINUTE);
    const strict = {
      ...deps,
      settings: { ...deps.settings, reporting: { ...deps.settings.reporting, rpoTargetHours: 2 } },
    };
    const report = await reconcileWithLogs(strict, WS);
    expect(
      byCode(report.findings, 'RpoTargetMissed')
        .map((f) => 'vmId' in f && f.vmId)
        .sort(),
    ).toEqual(ENROLLED.map((n) => w.vmId(n)).sort());
    for (const f of byCode(report.findings, 'RpoTargetMissed')) {
      expect(f).toMatchObject({ targetHours: 2 });
      expect('ageHours' in f && f.ageHours).toBeGreaterThan(2);
    }
  });
});
