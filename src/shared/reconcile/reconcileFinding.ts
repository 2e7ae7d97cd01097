/** What the daily reconcile can find, one union on `code` (decideReconcile.ts decides them, reconcileAlerts.ts says them). */
import type { ReconcileTable } from './reconcileQueries';

export interface VmOfFinding {
  vmId: string;
  vmName: string;
  vaultId: string;
}

export type ReconcileFinding =
  /** A policy (scheduled) backup of an enrolled VM failed, or completed with warnings (fell back). */
  | (VmOfFinding & {
      code: 'ScheduledBackupFailed';
      jobId: string;
      status: string;
      failureCode?: string;
      startTime?: string;
    })
  /** A backup job of an enrolled VM that no run of the app knows: its consistency was never checked. */
  | (VmOfFinding & { code: 'BackupNotSeenByApp'; jobId: string; status: string; trigger: string; startTime?: string })
  /** The vault's newest recovery point of an enrolled VM is older than the RPO target, or there is none. */
  | (VmOfFinding & {
      code: 'RpoTargetMissed';
      latestRecoveryPointTime?: string;
      ageHours?: number;
      targetHours: number;
    })
  /**
   * The vault sends nothing the reconcile can read: the workspace lacks the table (`table-missing`), or the table
   * has no rows for this vault although it has enrolled VMs (`no-rows`).
   */
  | { code: 'DiagnosticsMissing'; vaultId: string; table: ReconcileTable; reason: 'table-missing' | 'no-rows' }
  /** A query failed for another reason: nothing in that table was checked. */
  | {
      code: 'ReconcileQueryFailed';
      vaultId: string;
      table: ReconcileTable;
      message: string;
      httpStatus?: number;
      serviceCode?: string;
    }
  /** Rows the reconcile could not read (a missing column, a cell of the wrong type): said, never counted as zero. */
  | { code: 'LogRowsUnreadable'; vaultId: string; table: ReconcileTable; problems: string[]; wholeTable: boolean };

export type ReconcileFindingCode = ReconcileFinding['code'];
