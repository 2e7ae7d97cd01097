/**
 * The reconcile's two KQL queries over the vaults' resource-specific diagnostics tables (reference/azure-apis.md
 * §6.2). Records are re-emitted as a job moves on, so each query keeps the latest record per job or item
 * (`summarize arg_max(TimeGenerated, *) by …`); the rows are deduplicated again when read (loggedBackupJob.ts), so a
 * query that returns raw records reads the same. The query's first token is its table: a workspace without that
 * table answers 400 SEM0100, which tableMissing.ts recognises.
 */

export const JOBS_TABLE = 'AddonAzureBackupJobs';
export const ITEMS_TABLE = 'CoreAzureBackup';
export type ReconcileTable = typeof JOBS_TABLE | typeof ITEMS_TABLE;

/** The jobs of the last day; the API's timespan (JOBS_TIMESPAN) bounds TimeGenerated as well. */
export const JOBS_TIMESPAN = 'P1D';
/**
 * Backup items are re-emitted about once a day, so a one-day window can fall between two emissions: two days, and
 * the latest record of each item wins.
 */
export const ITEMS_TIMESPAN = 'P2D';

export const backupJobsQuery = (): string =>
  [
    JOBS_TABLE,
    '| where TimeGenerated > ago(1d)',
    '| where JobOperation == "Backup" and BackupManagementType == "IaaSVM"',
    '| summarize arg_max(TimeGenerated, *) by JobUniqueId',
    `| join kind=leftouter (${ITEMS_TABLE}`,
    '    | where OperationName == "BackupItem"',
    '    | summarize arg_max(TimeGenerated, *) by BackupItemUniqueId',
    '    | project BackupItemUniqueId, ItemFriendlyName = BackupItemFriendlyName) on BackupItemUniqueId',
    '| extend BackupItemFriendlyName = coalesce(BackupItemFriendlyName, ItemFriendlyName, DatasourceFriendlyName)',
    '| project TimeGenerated, JobUniqueId, JobOperation, JobStatus, JobFailureCode, AdHocOrScheduledJob,',
    '    JobStartDateTime, BackupManagementType, BackupItemUniqueId, BackupItemFriendlyName, DatasourceResourceId,',
    '    ResourceId',
  ].join('\n');

export const backupItemsQuery = (): string =>
  [
    ITEMS_TABLE,
    '| where OperationName == "BackupItem" and BackupManagementType == "IaaSVM"',
    '| summarize arg_max(TimeGenerated, *) by BackupItemUniqueId',
    '| where State != "Deleted"',
    '| project TimeGenerated, OperationName, BackupItemUniqueId, BackupItemFriendlyName, BackupManagementType,',
    '    LatestRecoveryPointTime, VaultName, ResourceId, State',
  ].join('\n');
