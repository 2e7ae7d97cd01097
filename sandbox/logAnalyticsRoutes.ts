/**
 * Log Analytics query (`POST /v1/workspaces/{id}/query`). No KQL engine: the query's leading table name picks one of
 * the scenario's tables (or AddonAzureBackupJobs built from the sandbox's jobs), returned whole as PrimaryResult.
 */
import { badRequest, notFound } from './armError';
import { type Route, json } from './armRouter';
import type { BackupService, JobRecord } from './backupService';
import type { LogTableSpec, WorkspaceSpec } from './scenario';

export const BACKUP_JOBS_COLUMNS: LogTableSpec['columns'] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'JobUniqueId', type: 'string' },
  { name: 'JobOperation', type: 'string' },
  { name: 'JobStatus', type: 'string' },
  { name: 'JobFailureCode', type: 'string' },
  { name: 'JobStartDateTime', type: 'datetime' },
  { name: 'JobDurationInSecs', type: 'real' },
  { name: 'BackupItemUniqueId', type: 'string' },
  { name: 'BackupItemFriendlyName', type: 'string' },
  { name: 'BackupManagementType', type: 'string' },
  { name: 'ResourceId', type: 'string' },
  { name: 'State', type: 'string' },
];

/** One row per job, as the vault's diagnostic setting would emit it (latest state only). */
export function backupJobsTable(backup: BackupService): LogTableSpec {
  const row = (job: JobRecord): unknown[] => {
    const view = backup.view(job);
    const end = view.endMs ?? job.startMs;
    return [
      new Date(view.endMs ?? job.startMs).toISOString(),
      job.id,
      job.operation,
      view.status,
      view.status === 'InProgress' ? '' : (view.errors[0]?.errorTitle ?? 'Success'),
      new Date(job.startMs).toISOString(),
      Math.max(0, (end - job.startMs) / 1000),
      job.itemKey,
      job.vmName,
      'IaaSVM',
      job.vaultId,
      'Active',
    ];
  };
  backup.settle();
  return { name: 'AddonAzureBackupJobs', columns: BACKUP_JOBS_COLUMNS, rows: [...backup.jobs.values()].map(row) };
}

export function logAnalyticsRoutes(workspaces: readonly WorkspaceSpec[], backup: BackupService): Route[] {
  return [
    {
      name: 'logs.query',
      method: 'POST',
      template: '/v1/workspaces/{workspace}/query',
      handler: (req, p) => {
        const ws = workspaces.find((w) => w.id.toLowerCase() === (p.workspace ?? '').toLowerCase());
        if (!ws) throw notFound(`Workspace '${p.workspace}'`);
        const query = (req.body as { query?: unknown } | null)?.query;
        if (typeof query !== 'string' || query.trim() === '')
          throw badRequest('The body must have a "query" string.', 'BadArgumentError');
        const tables = [...(ws.tables ?? [])];
        if (ws.deriveBackupJobs !== false) tables.push(backupJobsTable(backup));
        const first = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(query)?.[1]?.toLowerCase();
        const table = tables.find((t) => t.name.toLowerCase() === first);
        return json(200, {
          tables: [{ name: 'PrimaryResult', columns: table?.columns ?? [], rows: table?.rows ?? [] }],
        });
      },
    },
  ];
}
