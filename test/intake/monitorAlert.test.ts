import { monitorAlertPayload } from '../../sandbox/monitorAlerts';
import { alertVmIds, isBackupFailureAlert, parseMonitorAlert } from '../../src/shared/intake/monitorAlert';

const SUB = '00000000-0000-0000-0000-0000000000aa';
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`;
const VM = `/subscriptions/${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/iris-a`;
const JOB = { jobId: 'job-1', vaultId: VAULT, vmId: VM, vmName: 'iris-a', startTime: '2026-03-10T01:30:00Z' };

const parsed = (payload: unknown) => {
  const p = parseMonitorAlert(JSON.stringify(payload));
  if (!p.ok) throw new Error(p.problem);
  return p.alert;
};

describe('parseMonitorAlert', () => {
  it('Azure Backup’s built-in alert', () => {
    const alert = parsed(monitorAlertPayload(JOB));
    expect(alert).toMatchObject({
      alertRule: 'Backup Failure',
      severity: 'Sev1',
      monitorCondition: 'Fired',
      monitoringService: 'Azure Backup',
      alertTargetIds: [VAULT.toLowerCase()],
      firedDateTime: '2026-03-10T01:30:00Z',
    });
    expect(isBackupFailureAlert(alert)).toBe(true);
    // The vault is the target; the VM comes from the context's DatasourceResourceId.
    expect(alertVmIds(alert)).toEqual([VM]);
  });

  it('a Log Alerts V2 rule on AddonAzureBackupJobs: the VM from its dimensions', () => {
    const alert = parsed(monitorAlertPayload(JOB, { style: 'log-alert' }));
    expect(alert.monitoringService).toBe('Log Alerts V2');
    expect(isBackupFailureAlert(alert)).toBe(true);
    expect(alertVmIds(alert)).toEqual([VM]);
  });

  it('ARM ids are case-insensitive: the same VM twice in different case is one', () => {
    const payload = monitorAlertPayload(JOB) as { data: { essentials: Record<string, unknown> } };
    payload.data.essentials.alertTargetIDs = [VM.toLowerCase()];
    expect(alertVmIds(parsed(payload))).toEqual([VM.toLowerCase()]);
  });

  it('a metric alert on a VM is not a backup failure', () => {
    const alert = parsed({
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: {
          alertId: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1',
          alertRule: 'cpu-high',
          severity: 'Sev3',
          signalType: 'Metric',
          monitorCondition: 'Fired',
          monitoringService: 'Platform',
          alertTargetIDs: [VM],
          firedDateTime: '2026-03-10T01:30:00Z',
        },
        alertContext: {},
      },
    });
    expect(isBackupFailureAlert(alert)).toBe(false);
    expect(alertVmIds(alert)).toEqual([VM]);
  });

  it('a log alert on another table is not a backup failure', () => {
    const payload = monitorAlertPayload(JOB, { style: 'log-alert' }) as {
      data: { essentials: Record<string, unknown>; alertContext: { condition: { allOf: { searchQuery: string }[] } } };
    };
    payload.data.essentials.description = 'A VM stopped sending heartbeats';
    const first = payload.data.alertContext.condition.allOf[0];
    if (first) first.searchQuery = 'Heartbeat | where TimeGenerated < ago(5m)';
    expect(isBackupFailureAlert(parsed(payload))).toBe(false);
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"schemaId": ', /^The body is not valid JSON .*Enable the common alert schema/],
    ['JSON but not an object', '[1,2]', /^The body is JSON but not an object/],
    [
      'the original (non-common) schema',
      JSON.stringify({ schemaId: 'AzureMonitorMetricAlert', data: { context: {} } }),
      /^schemaId is 'AzureMonitorMetricAlert', not 'azureMonitorCommonAlertSchema'\. Enable the common alert schema/,
    ],
    ['no schemaId', JSON.stringify({ data: {} }), /^schemaId is missing/],
    [
      'no essentials',
      JSON.stringify({ schemaId: 'azureMonitorCommonAlertSchema', data: { alertContext: {} } }),
      /^data\.essentials is missing/,
    ],
    [
      'bad essentials',
      JSON.stringify({
        schemaId: 'azureMonitorCommonAlertSchema',
        data: { essentials: { alertId: 7, severity: 'Sev9', monitorCondition: 'Maybe', alertTargetIDs: 'x' } },
      }),
      /data\.essentials\.alertId is not a string; data\.essentials\.alertTargetIDs is not an array; data\.essentials\.severity 'Sev9' is not one of Sev0-Sev4; data\.essentials\.monitorCondition 'Maybe' is not Fired or Resolved/,
    ],
  ])('refused: %s', (_name, text, problem) => {
    const p = parseMonitorAlert(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.problem).toMatch(problem);
  });

  it('a deep or huge alert context costs a bounded walk', () => {
    let deep: unknown = VM;
    for (let i = 0; i < 50; i += 1) deep = { nested: deep };
    const alert = parsed({
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: { alertId: 'a', severity: 'Sev1', monitorCondition: 'Fired', monitoringService: 'Azure Backup' },
        alertContext: { deep, many: Array.from({ length: 20_000 }, (_, i) => `row ${i}`) },
      },
    });
    // The VM at depth 50 is beyond the walk's depth: nothing is found, and nothing hangs.
    expect(alertVmIds(alert)).toEqual([]);
  });
});
