/** The daily reconcile's outcome, as the function logs it and a caller reads it. Plain JSON. */
import type { TableCheck } from './decideReconcile';
import type { ReconcileFinding, ReconcileFindingCode } from './reconcileFinding';

export const RECONCILE_SCHEMA = 'iris-backup-guard/reconcile@1';

export interface ReconcileReport {
  schema: typeof RECONCILE_SCHEMA;
  workspaceId: string;
  /** ISO 8601, the day checked. */
  period: { from: string; to: string };
  /** The nights whose app runs were compared with the logs. */
  nights: string[];
  enrolledVms: number;
  /** Per table: whether its counts below mean anything. */
  jobs: TableCheck;
  items: TableCheck;
  /** Deduplicated backup jobs of enrolled VMs in the logs (meaningful only when `jobs` is checked). */
  enrolledJobs: number;
  rpoUnknown: string[];
  findings: ReconcileFinding[];
  /** Alerts that could not be recorded (their findings are still in `findings`). */
  alertErrors: number;
}

export const countOf = (report: Pick<ReconcileReport, 'findings'>, code: ReconcileFindingCode): number =>
  report.findings.filter((f) => f.code === code).length;

/**
 * The one-line summary. A count from a table that could not be read is "unknown", never 0: a workspace without
 * the tables must not read as a night without failures.
 */
export function reconcileSummaryLine(report: ReconcileReport): string {
  const jobs = (code: ReconcileFindingCode): string =>
    report.jobs === 'checked' ? String(countOf(report, code)) : `unknown (${report.jobs})`;
  const rpo = report.items === 'checked' ? String(countOf(report, 'RpoTargetMissed')) : `unknown (${report.items})`;
  return (
    `dailyReconcile ${report.period.from}..${report.period.to}: ${report.enrolledVms} enrolled VMs, ` +
    `${report.jobs === 'checked' ? report.enrolledJobs : 'unknown'} backup jobs in the logs; ` +
    `scheduled failed ${jobs('ScheduledBackupFailed')}, not seen by the app ${jobs('BackupNotSeenByApp')}, ` +
    `RPO missed ${rpo}, diagnostics missing ${countOf(report, 'DiagnosticsMissing')}, ` +
    `query failures ${countOf(report, 'ReconcileQueryFailed')}, unreadable ${countOf(report, 'LogRowsUnreadable')}`
  );
}
