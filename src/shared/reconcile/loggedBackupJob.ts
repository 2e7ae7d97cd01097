/**
 * A backup job as the vault's diagnostics report it (AddonAzureBackupJobs), read from untrusted rows by column name
 * and deduplicated by JobUniqueId (the latest record wins: records are re-emitted as a job moves on). Only backups
 * of Azure VMs are kept, whatever the query returned. Pure.
 */
import type { LogTable } from '../azure/logQueryGateway';
import { readRows, type ReadTable, type RowSpec } from './logRows';
import { JOBS_TABLE } from './reconcileQueries';

export interface LoggedBackupJob {
  /** JobUniqueId: the job's id, the same as the ARM job name the app records for its own backups. */
  jobId: string;
  /** TimeGenerated of the record kept. */
  recordedAt: string;
  /** JobStatus: InProgress, Completed, CompletedWithWarnings, Failed… */
  status: string;
  failureCode?: string;
  /** AdHocOrScheduledJob: `Scheduled` for the policy's backups, `AdHoc` for on-demand ones (the app's among them). */
  trigger?: string;
  startTime?: string;
  itemId: string;
  itemName?: string;
  /** DatasourceResourceId: the VM's ARM id, when the record carries it. */
  vmResourceId?: string;
  /** ResourceId: the vault's ARM id. */
  vaultResourceId?: string;
}

const SPEC = {
  recordedAt: { column: 'TimeGenerated', kind: 'datetime', required: true },
  jobId: { column: 'JobUniqueId', kind: 'string', required: true },
  operation: { column: 'JobOperation', kind: 'string', required: true },
  status: { column: 'JobStatus', kind: 'string', required: true },
  failureCode: { column: 'JobFailureCode', kind: 'string', required: false },
  trigger: { column: 'AdHocOrScheduledJob', kind: 'string', required: true },
  startTime: { column: 'JobStartDateTime', kind: 'datetime', required: false },
  managementType: { column: 'BackupManagementType', kind: 'string', required: false },
  itemId: { column: 'BackupItemUniqueId', kind: 'string', required: true },
  itemName: { column: 'BackupItemFriendlyName', kind: 'string', required: false },
  vmResourceId: { column: 'DatasourceResourceId', kind: 'string', required: false },
  vaultResourceId: { column: 'ResourceId', kind: 'string', required: true },
} as const satisfies RowSpec<string>;

export type LoggedTable<T> =
  { kind: 'rows'; rows: T[]; problems: string[] } | { kind: 'unreadable'; problems: string[] };

const defined = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function readLoggedBackupJobs(table: LogTable): LoggedTable<LoggedBackupJob> {
  const read: ReadTable<keyof typeof SPEC> = readRows(table, SPEC, JOBS_TABLE);
  if (read.kind === 'unreadable') return read;
  const latest = new Map<string, LoggedBackupJob>();
  for (const r of read.rows) {
    if ((r.operation ?? '').toLowerCase() !== 'backup') continue;
    if (r.managementType !== undefined && r.managementType.toLowerCase() !== 'iaasvm') continue;
    const job: LoggedBackupJob = defined({
      jobId: r.jobId ?? '',
      recordedAt: r.recordedAt ?? '',
      status: r.status ?? '',
      failureCode: r.failureCode,
      trigger: r.trigger,
      startTime: r.startTime,
      itemId: r.itemId ?? '',
      itemName: r.itemName,
      vmResourceId: r.vmResourceId,
      vaultResourceId: r.vaultResourceId,
    });
    // Job ids are GUIDs, compared without regard to case; ISO strings of one format compare as times.
    const key = job.jobId.toLowerCase();
    const seen = latest.get(key);
    if (seen === undefined || seen.recordedAt < job.recordedAt) latest.set(key, job);
  }
  return { kind: 'rows', rows: [...latest.values()], problems: read.problems };
}
