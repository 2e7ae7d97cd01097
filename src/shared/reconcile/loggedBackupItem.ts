/**
 * A backup item as the vault's diagnostics report it (CoreAzureBackup, OperationName BackupItem): the vault's own
 * view of its newest recovery point, independent of the app. Read by column name, latest record per item. Pure.
 */
import type { LogTable } from '../azure/logQueryGateway';
import { readRows, type RowSpec } from './logRows';
import type { LoggedTable } from './loggedBackupJob';
import { ITEMS_TABLE } from './reconcileQueries';

export interface LoggedBackupItem {
  itemId: string;
  recordedAt: string;
  /** BackupItemFriendlyName: the VM's name for Azure VMs. */
  name: string;
  latestRecoveryPointTime?: string;
  vaultName?: string;
  /** ResourceId: the vault's ARM id. */
  vaultResourceId?: string;
}

const SPEC = {
  recordedAt: { column: 'TimeGenerated', kind: 'datetime', required: true },
  operation: { column: 'OperationName', kind: 'string', required: false },
  itemId: { column: 'BackupItemUniqueId', kind: 'string', required: true },
  name: { column: 'BackupItemFriendlyName', kind: 'string', required: true },
  managementType: { column: 'BackupManagementType', kind: 'string', required: false },
  latest: { column: 'LatestRecoveryPointTime', kind: 'datetime', required: false },
  vaultName: { column: 'VaultName', kind: 'string', required: false },
  vaultResourceId: { column: 'ResourceId', kind: 'string', required: true },
  state: { column: 'State', kind: 'string', required: false },
} as const satisfies RowSpec<string>;

export function readLoggedBackupItems(table: LogTable): LoggedTable<LoggedBackupItem> {
  const read = readRows(table, SPEC, ITEMS_TABLE);
  if (read.kind === 'unreadable') return read;
  const latest = new Map<string, LoggedBackupItem & { deleted: boolean }>();
  for (const r of read.rows) {
    if (r.operation !== undefined && r.operation.toLowerCase() !== 'backupitem') continue;
    if (r.managementType !== undefined && r.managementType.toLowerCase() !== 'iaasvm') continue;
    const item = {
      itemId: r.itemId ?? '',
      recordedAt: r.recordedAt ?? '',
      name: r.name ?? '',
      deleted: (r.state ?? '').toLowerCase() === 'deleted',
      ...(r.latest === undefined ? {} : { latestRecoveryPointTime: r.latest }),
      ...(r.vaultName === undefined ? {} : { vaultName: r.vaultName }),
      ...(r.vaultResourceId === undefined ? {} : { vaultResourceId: r.vaultResourceId }),
    };
    const key = item.itemId.toLowerCase();
    const seen = latest.get(key);
    if (seen === undefined || seen.recordedAt < item.recordedAt) latest.set(key, item);
  }
  const rows = [...latest.values()].filter((i) => !i.deleted).map(({ deleted: _deleted, ...item }) => item);
  return { kind: 'rows', rows, problems: read.problems };
}
