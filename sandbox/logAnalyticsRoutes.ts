/**
 * Log Analytics query (`POST /v1/workspaces/{id}/query`). No KQL engine: the query's leading table name picks one of
 * the scenario's tables, or one derived from the sandbox's own state (AddonAzureBackupJobs from its jobs,
 * CoreAzureBackup from its protected items and recovery points), returned whole as PrimaryResult in the real
 * response shape. A table the workspace lacks (`missingTables`) fails any query that names it the way a real
 * workspace does: HTTP 400 BadArgumentError → SemanticError → SEM0100.
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
  { name: 'AdHocOrScheduledJob', type: 'string' },
  { name: 'DatasourceResourceId', type: 'string' },
  { name: 'DatasourceFriendlyName', type: 'string' },
];

export const BACKUP_ITEMS_COLUMNS: LogTableSpec['columns'] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'OperationName', type: 'string' },
  { name: 'BackupItemUniqueId', type: 'string' },
  { name: 'BackupItemFriendlyName', type: 'string' },
  { name: 'BackupItemProtectionState', type: 'string' },
  { name: 'BackupManagementType', type: 'string' },
  { name: 'LatestRecoveryPointTime', type: 'datetime' },
  { name: 'VaultName', type: 'string' },
  { name: 'ResourceId', type: 'string' },
  { name: 'State', type: 'string' },
];

const iso = (ms: number): string => new Date(ms).toISOString();

const vmIdOf = (job: JobRecord): string => {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(job.vaultId)?.[1] ?? '';
  return `/subscriptions/${sub}/resourceGroups/${job.vmResourceGroup}/providers/Microsoft.Compute/virtualMachines/${job.vmName}`;
};

/** Does the workspace receive this vault's diagnostics? All vaults unless `diagnosticsFrom` names some. */
const sends = (ws: WorkspaceSpec | undefined, vaultId: string): boolean =>
  ws?.diagnosticsFrom === undefined ||
  ws.diagnosticsFrom.some((name) => vaultId.toLowerCase().endsWith(`/vaults/${name.toLowerCase()}`));

/**
 * Rows per job as the vault's diagnostic setting emits them: the latest state first, then, for a job that has
 * ended, the InProgress record emitted when it started (records are re-emitted; readers dedupe by JobUniqueId).
 */
export function backupJobsTable(backup: BackupService, ws?: WorkspaceSpec): LogTableSpec {
  const row = (job: JobRecord, status: string, at: number, failureCode: string, endMs: number): unknown[] => [
    iso(at),
    job.id,
    job.operation,
    status,
    failureCode,
    iso(job.startMs),
    Math.max(0, (endMs - job.startMs) / 1000),
    job.itemKey,
    job.vmName,
    'IaaSVM',
    job.vaultId,
    'Active',
    job.scheduled === true ? 'Scheduled' : 'AdHoc',
    vmIdOf(job),
    job.vmName,
  ];
  const rows = (job: JobRecord): unknown[][] => {
    const view = backup.view(job);
    const end = view.endMs ?? job.startMs;
    const latest = row(
      job,
      view.status,
      view.endMs ?? job.startMs,
      view.status === 'InProgress' ? '' : (view.errors[0]?.errorTitle ?? 'Success'),
      end,
    );
    return view.status === 'InProgress' ? [latest] : [latest, row(job, 'InProgress', job.startMs, '', job.startMs)];
  };
  backup.settle();
  const jobs = [...backup.jobs.values()].filter((j) => sends(ws, j.vaultId));
  return { name: 'AddonAzureBackupJobs', columns: BACKUP_JOBS_COLUMNS, rows: jobs.flatMap(rows) };
}

/** One BackupItem row per protected item, with the vault's newest recovery point, emitted now. */
export function backupItemsTable(backup: BackupService, nowMs: number, ws?: WorkspaceSpec): LogTableSpec {
  const rows = backup
    .backupItems()
    .filter((i) => sends(ws, i.vaultId))
    .map((i) => [
      iso(nowMs),
      'BackupItem',
      i.itemKey,
      i.vmName,
      'Protected',
      'IaaSVM',
      i.latestRecoveryPointMs === undefined ? null : iso(i.latestRecoveryPointMs),
      i.vaultName,
      i.vaultId,
      'Active',
    ]);
  return { name: 'CoreAzureBackup', columns: BACKUP_ITEMS_COLUMNS, rows };
}

/** What a workspace answers for a table it does not have (see src/shared/reconcile/queryFailure.ts for sources). */
export const missingTableError = (table: string): Record<string, unknown> => ({
  error: {
    code: 'BadArgumentError',
    message: 'The request had some invalid properties',
    innererror: {
      code: 'SemanticError',
      message: 'A semantic error occurred.',
      innererror: {
        code: 'SEM0100',
        message: `'where' operator: Failed to resolve table or column expression named '${table}'`,
      },
    },
  },
});

export function logAnalyticsRoutes(
  workspaces: readonly WorkspaceSpec[],
  backup: BackupService,
  nowMs: () => number = Date.now,
): Route[] {
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
        const missing = (ws.missingTables ?? []).find((t) =>
          new RegExp(`\\b${t.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'i').test(query),
        );
        if (missing !== undefined) return json(400, missingTableError(missing));
        const tables = [...(ws.tables ?? [])];
        if (ws.deriveBackupJobs !== false) tables.push(backupJobsTable(backup, ws));
        if (ws.deriveBackupItems !== false) tables.push(backupItemsTable(backup, nowMs(), ws));
        const first = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(query)?.[1]?.toLowerCase();
        const table = tables.find((t) => t.name.toLowerCase() === first);
        return json(200, {
          tables: [{ name: 'PrimaryResult', columns: table?.columns ?? [], rows: table?.rows ?? [] }],
        });
      },
    },
  ];
}
