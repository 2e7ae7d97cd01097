/**
 * Azure Monitor alerts in the common alert schema (azure-apis.md §5, item 3) for a failed backup job, as an action
 * group would post them to the app's intake: Azure Backup's built-in alert, or a Log Alerts V2 rule over
 * AddonAzureBackupJobs (§6.2). Shapes follow learn.microsoft.com/azure/azure-monitor/alerts/alerts-payload-samples.
 */
import { randomUUID } from 'node:crypto';

export interface FailedJobFacts {
  jobId: string;
  vaultId: string;
  vmId: string;
  vmName: string;
  /** ISO 8601. */
  startTime: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface MonitorAlertOptions {
  /** 'azure-backup' (default): the built-in alert; 'log-alert': a log search alert on AddonAzureBackupJobs. */
  style?: 'azure-backup' | 'log-alert';
  condition?: 'Fired' | 'Resolved';
  /** ISO 8601 (default: the job's start). */
  firedAt?: string;
  /** Reuse an alert id (a redelivery, or the Resolved of a Fired). */
  alertId?: string;
}

export function monitorAlertPayload(job: FailedJobFacts, options: MonitorAlertOptions = {}): Record<string, unknown> {
  const style = options.style ?? 'azure-backup';
  const condition = options.condition ?? 'Fired';
  const fired = options.firedAt ?? job.startTime;
  const sub = /^\/subscriptions\/([^/]+)/i.exec(job.vaultId)?.[1] ?? '';
  const alertId =
    options.alertId ?? `/subscriptions/${sub}/providers/Microsoft.AlertsManagement/alerts/${randomUUID()}`;
  const code = job.errorCode ?? 'UserErrorVmProvisioningStateFailed';
  const message = job.errorMessage ?? 'The backup job failed.';
  const essentials =
    style === 'azure-backup'
      ? {
          alertId,
          alertRule: 'Backup Failure',
          severity: 'Sev1',
          signalType: 'Activity Log',
          monitorCondition: condition,
          monitoringService: 'Azure Backup',
          alertTargetIDs: [job.vaultId.toLowerCase()],
          configurationItems: [job.vmName],
          originAlertId: randomUUID(),
          firedDateTime: fired,
          ...(condition === 'Resolved' ? { resolvedDateTime: fired } : {}),
          description: `Backup failed for ${job.vmName}: ${code}`,
          essentialsVersion: '1.0',
          alertContextVersion: '1.0',
        }
      : {
          alertId,
          alertRule: 'ibg-backup-job-failed',
          severity: 'Sev2',
          signalType: 'Log',
          monitorCondition: condition,
          monitoringService: 'Log Alerts V2',
          alertTargetIDs: [
            `/subscriptions/${sub}/resourcegroups/rg-monitor/providers/microsoft.operationalinsights/workspaces/ibg-logs`,
          ],
          configurationItems: [
            `/subscriptions/${sub}/resourcegroups/rg-monitor/providers/microsoft.operationalinsights/workspaces/ibg-logs`,
          ],
          originAlertId: randomUUID(),
          firedDateTime: fired,
          ...(condition === 'Resolved' ? { resolvedDateTime: fired } : {}),
          description: 'A backup job failed (AddonAzureBackupJobs)',
          essentialsVersion: '1.0',
          alertContextVersion: '1.0',
        };
  const alertContext =
    style === 'azure-backup'
      ? {
          properties: {
            // Azure Backup's alerts name the data source and the job.
            DatasourceResourceId: job.vmId,
            DatasourceName: job.vmName,
            DatasourceType: 'Microsoft.Compute/virtualMachines',
            JobId: job.jobId,
            ErrorCode: code,
            ErrorMessage: message,
            VaultId: job.vaultId,
          },
          status: 'Active',
          eventTimestamp: fired,
        }
      : {
          properties: {},
          conditionType: 'LogQueryCriteria',
          condition: {
            windowSize: 'PT15M',
            allOf: [
              {
                searchQuery:
                  'AddonAzureBackupJobs | where JobOperation == "Backup" | summarize arg_max(TimeGenerated, *) by JobUniqueId | where JobStatus == "Failed"',
                metricMeasureColumn: null,
                targetResourceTypes: "['Microsoft.OperationalInsights/workspaces']",
                operator: 'GreaterThan',
                threshold: '0',
                timeAggregation: 'Count',
                dimensions: [
                  { name: 'DatasourceResourceId', value: job.vmId },
                  { name: 'JobFailureCode', value: code },
                ],
                metricValue: 1,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              },
            ],
            windowStartTime: fired,
            windowEndTime: fired,
          },
        };
  return { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials, alertContext, customProperties: null } };
}
