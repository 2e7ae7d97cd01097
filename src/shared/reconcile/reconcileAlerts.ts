/**
 * Each reconcile finding as an alert that says what to do. Pure. Text from the logs (job ids, failure codes, error
 * messages) is untrusted: it goes into the alert as data, and each renderer escapes it (alert.ts).
 */
import type { Alert, AlertSeverity } from '../alerts/alert';
import { dedupKey } from '../alerts/alertDedup';
import type { ReconcileFinding } from './reconcileFinding';
import { ITEMS_TABLE, JOBS_TABLE } from './reconcileQueries';

const vaultName = (vaultId: string): string => vaultId.split('/').filter(Boolean).pop() ?? vaultId;

/** How to make a vault send what the reconcile reads. */
export const DIAGNOSTICS_FIX =
  `On the Recovery Services vault, add a diagnostic setting that sends the categories ${ITEMS_TABLE} and ` +
  `${JOBS_TABLE} to the Log Analytics workspace in resource-specific mode ("Resource specific" destination table, ` +
  'not AzureDiagnostics), e.g. az monitor diagnostic-settings create --resource <vault id> --name ibg-backup-reports ' +
  '--workspace <workspace resource id> --export-to-resource-specific true --logs ' +
  `'[{"category":"${ITEMS_TABLE}","enabled":true},{"category":"${JOBS_TABLE}","enabled":true}]'. ` +
  'Data arrives within hours; until then the reconcile cannot tell failures from silence.';

const severityOf = (f: ReconcileFinding): AlertSeverity => {
  switch (f.code) {
    case 'ScheduledBackupFailed':
      return f.status.toLowerCase() === 'failed' ? 'error' : 'warning';
    case 'BackupNotSeenByApp':
      return 'warning';
    case 'RpoTargetMissed':
    case 'DiagnosticsMissing':
      return 'error';
    case 'ReconcileQueryFailed':
      // A refusal lasts until someone grants the role; throttling and outages pass by themselves.
      return f.httpStatus === 401 || f.httpStatus === 403 ? 'error' : 'warning';
    case 'LogRowsUnreadable':
      return f.wholeTable ? 'error' : 'warning';
  }
};

function messageOf(f: ReconcileFinding): { message: string; fix: string } {
  switch (f.code) {
    case 'ScheduledBackupFailed':
      return {
        message:
          `${f.vmName}: the scheduled (policy) backup job ${f.jobId} ended ${f.status}` +
          `${f.failureCode === undefined ? '' : ` (${f.failureCode})`}; the app did not start it and has not checked it`,
        fix:
          f.status.toLowerCase() === 'failed'
            ? `Open the job in vault ${vaultName(f.vaultId)} (Backup jobs) for its error and recommendation, fix the cause, then run iris-backup-guard check --vm ${f.vmId} and take an on-demand backup.`
            : `The job fell back (typically the pre- or post-script failed and the backup is only file-system consistent). Run iris-backup-guard check --vm ${f.vmId} to find the script problem, then take an on-demand backup.`,
      };
    case 'BackupNotSeenByApp':
      return {
        message: `${f.vmName}: backup job ${f.jobId} (${f.trigger}, ${f.status}) is in the vault's logs but no run of the app knows it; its IRIS consistency was not checked`,
        fix:
          f.trigger.toLowerCase() === 'scheduled'
            ? `The VM's backup policy schedules backups besides the app's nightly one. Keep only one schedule (the app's on-demand backups, or the policy with the app's checks), or accept that policy backups are not checked.`
            : `Someone started an on-demand backup outside the app. Check that the app's Event Grid subscription delivers Microsoft.RecoveryServices backup events, and look at the job in vault ${vaultName(f.vaultId)}.`,
      };
    case 'RpoTargetMissed':
      return {
        message:
          f.latestRecoveryPointTime === undefined
            ? `${f.vmName}: vault ${vaultName(f.vaultId)} reports no recovery point at all (RPO target ${f.targetHours} h)`
            : `${f.vmName}: the vault's newest recovery point is ${f.ageHours ?? '?'} h old (${f.latestRecoveryPointTime}), over the RPO target of ${f.targetHours} h`,
        fix: `Look at the VM's last backup jobs in vault ${vaultName(f.vaultId)} and at the app's runs for it (iris-backup-guard status); take an on-demand backup once the cause is fixed.`,
      };
    case 'DiagnosticsMissing':
      return {
        message:
          f.reason === 'table-missing'
            ? `The Log Analytics workspace has no ${f.table} table: vault ${vaultName(f.vaultId)} sends no resource-specific backup diagnostics there, so its backups could not be cross-checked (this is not "no failures")`
            : `The ${f.table} table has no rows for vault ${vaultName(f.vaultId)}, which protects enrolled VMs: its diagnostics are not sent to this workspace, so its backups could not be cross-checked (this is not "no failures")`,
        fix: DIAGNOSTICS_FIX,
      };
    case 'ReconcileQueryFailed':
      return {
        message: `The ${f.table} query for vault ${vaultName(f.vaultId)} failed${f.httpStatus === undefined ? '' : ` (HTTP ${f.httpStatus}${f.serviceCode === undefined ? '' : ` ${f.serviceCode}`})`}: ${f.message}; nothing in it was checked today`,
        fix:
          f.httpStatus === 401 || f.httpStatus === 403
            ? "Grant the Function app's managed identity the Log Analytics Reader role on the workspace (IBG_LOG_ANALYTICS_WORKSPACE_ID)."
            : 'Throttling and outages pass: the next daily run checks again. If it keeps failing, check IBG_LOG_ANALYTICS_WORKSPACE_ID and AZURE_LOGS_ENDPOINT.',
      };
    case 'LogRowsUnreadable':
      return {
        message: `${f.wholeTable ? 'None' : 'Some'} of the ${f.table} rows for vault ${vaultName(f.vaultId)} could be read: ${f.problems.join('; ')}`,
        fix: `The table's schema differs from the one the app reads (reference: the Azure Backup data model, resource-specific tables). Check that the diagnostic setting uses resource-specific mode, and report the problem with the rows above.`,
      };
  }
}

export function reconcileAlertOf(f: ReconcileFinding, at: string): Alert {
  const { message, fix } = messageOf(f);
  const scope: Alert['scope'] = 'vmId' in f ? { kind: 'vm', vmId: f.vmId } : { kind: 'vault', vaultId: f.vaultId };
  return {
    severity: severityOf(f),
    code: f.code,
    message,
    fix,
    scope,
    at,
    ...('vmName' in f ? { vmName: f.vmName } : {}),
    ...(f.code === 'ScheduledBackupFailed' && f.failureCode !== undefined ? { evidence: [f.failureCode] } : {}),
  };
}

/** One record per job and day for job findings (a VM can have two), one per scope and code for the others. */
export const reconcileAlertId = (f: ReconcileFinding, alert: Alert, day: string): string =>
  'jobId' in f ? `reconcile/${day}/${f.code}/${f.jobId.toLowerCase()}` : `reconcile/${day}/${dedupKey(alert)}`;
