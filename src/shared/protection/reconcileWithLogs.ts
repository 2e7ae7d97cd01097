/**
 * The daily reconcile: what the vaults' diagnostics in Log Analytics say about the last day, against what the app
 * did. Runs the two queries, lists enrolment and the app's runs of the nights the day touches, lets the pure core
 * decide (reconcile/decideReconcile.ts), raises one alert per finding and logs one summary line. A query that fails
 * or a table that is missing is a finding of its own, never an empty result.
 */
import type { LogQueryGateway, LogTable } from '../azure/logQueryGateway';
import { toError } from '../errors/appError';
import type { RunSummary } from '../evidence/runSummary';
import { decideReconcile, type EnrolledVmRef, type TableOutcome } from '../reconcile/decideReconcile';
import { readLoggedBackupItems, type LoggedBackupItem } from '../reconcile/loggedBackupItem';
import { readLoggedBackupJobs, type LoggedBackupJob, type LoggedTable } from '../reconcile/loggedBackupJob';
import { queryFailureOf } from '../reconcile/queryFailure';
import { reconcileAlertId, reconcileAlertOf } from '../reconcile/reconcileAlerts';
import { backupItemsQuery, backupJobsQuery, ITEMS_TIMESPAN, JOBS_TIMESPAN } from '../reconcile/reconcileQueries';
import { RECONCILE_SCHEMA, reconcileSummaryLine, type ReconcileReport } from '../reconcile/reconcileReport';
import { raiseAlert } from './alertDelivery';
import { listEnrollment } from './listEnrollment';
import { nightOf } from './night';
import type { ProtectionDeps } from './protectionDeps';

export type ReconcileDeps = ProtectionDeps & { logs: LogQueryGateway };

const DAY_MS = 86_400_000;

async function query<T>(
  deps: ReconcileDeps,
  workspaceId: string,
  kql: string,
  timespan: string,
  read: (table: LogTable) => LoggedTable<T>,
): Promise<TableOutcome<T>> {
  try {
    const tables = await deps.logs.queryWorkspace(workspaceId, kql, timespan);
    const first = tables[0];
    if (first === undefined) return { kind: 'unreadable', problems: ['the answer has no table'] };
    return read(first);
  } catch (e) {
    const failure = queryFailureOf(e);
    deps.log.warn(
      `Reconcile query failed: ${failure.kind === 'table-missing' ? `no table ${failure.table}` : failure.message}`,
      {
        workspaceId,
        error: toError(e).message,
      },
    );
    return { kind: 'query-failed', failure };
  }
}

/** The app's runs of the nights around the period; undefined when they could not be read. */
async function appRuns(deps: ReconcileDeps, nights: string[]): Promise<RunSummary[] | undefined> {
  try {
    return (await Promise.all(nights.map((n) => deps.store.listSummaries(n)))).flat();
  } catch (e) {
    deps.log.error('Reconcile could not read the app runs; jobs are not compared with them today', {
      error: toError(e).message,
    });
    return undefined;
  }
}

export async function reconcileWithLogs(deps: ReconcileDeps, workspaceId: string): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const from = new Date(now.getTime() - DAY_MS);
  const zone = deps.settings.schedules.nightTimeZone;
  // A job of the period can belong to a run created the night before it started.
  const nights = [...new Set([new Date(from.getTime() - DAY_MS), from, now].map((d) => nightOf(d, zone)))];

  const [listed, runs, jobs, items] = await Promise.all([
    listEnrollment(deps),
    appRuns(deps, nights),
    query<LoggedBackupJob>(deps, workspaceId, backupJobsQuery(), JOBS_TIMESPAN, readLoggedBackupJobs),
    query<LoggedBackupItem>(deps, workspaceId, backupItemsQuery(), ITEMS_TIMESPAN, readLoggedBackupItems),
  ]);
  // Listing failures are the nightly run's to alert on; here they only narrow what is compared.
  for (const a of listed.alerts) deps.log.warn(`Reconcile: ${a.message}`, { code: a.code });
  const enrolled: EnrolledVmRef[] = listed.enrollment.enrolled.map((e) => ({
    vmId: e.item.vmId,
    vmName: e.item.vmName,
    vaultId: e.item.vault.id,
  }));
  const inPeriod = (s: RunSummary): boolean => {
    const at = Date.parse(s.backup.triggeredAt ?? s.backup.jobStart ?? '');
    return at >= from.getTime() && at <= now.getTime();
  };
  const decision = decideReconcile({
    now: now.toISOString(),
    rpoTargetHours: deps.settings.reporting.rpoTargetHours,
    enrolled,
    ...(runs === undefined
      ? {}
      : { appJobIds: runs.flatMap((s) => (s.backup.jobId === undefined ? [] : [s.backup.jobId])) }),
    vaultsWithAppJobs: (runs ?? []).filter((s) => s.backup.jobId !== undefined && inPeriod(s)).map((s) => s.vaultId),
    jobs,
    items,
  });

  const at = now.toISOString();
  const day = at.slice(0, 10);
  let alertErrors = 0;
  for (const f of decision.findings) {
    const alert = reconcileAlertOf(f, at);
    // raiseAlert logs the failure itself; one alert that cannot be recorded must not cost the others.
    await raiseAlert(deps, reconcileAlertId(f, alert, day), alert).catch(() => {
      alertErrors += 1;
    });
  }
  const report: ReconcileReport = {
    schema: RECONCILE_SCHEMA,
    workspaceId,
    period: { from: from.toISOString(), to: at },
    nights,
    enrolledVms: enrolled.length,
    jobs: decision.jobs,
    items: decision.items,
    enrolledJobs: decision.enrolledJobs,
    rpoUnknown: decision.rpoUnknown,
    findings: decision.findings,
    alertErrors,
  };
  const complete = report.jobs === 'checked' && report.items === 'checked' && alertErrors === 0;
  (complete ? deps.log.info : deps.log.warn).call(deps.log, reconcileSummaryLine(report), {
    workspaceId,
    jobs: report.jobs,
    items: report.items,
    findings: report.findings.length,
  });
  return report;
}
