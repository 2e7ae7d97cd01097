/**
 * The reconcile's decisions, from what the logs say and what the app did. Pure: the shell runs the queries, lists
 * enrolment and the run summaries, and passes them in with the time.
 *
 * - a Scheduled backup of an enrolled VM that Failed or CompletedWithWarnings (fell back) → ScheduledBackupFailed;
 * - any other backup job of an enrolled VM whose JobUniqueId is no `backup.jobId` of the app's runs (the app's own
 *   on-demand jobs are AdHoc and carry its job id) → BackupNotSeenByApp;
 * - an enrolled VM whose vault reports a newest recovery point older than the RPO target → RpoTargetMissed;
 * - a table the workspace lacks, or no rows for a vault with enrolled VMs → DiagnosticsMissing, so that an empty
 *   answer is never read as "no failures".
 */
import type { LoggedBackupItem } from './loggedBackupItem';
import type { LoggedBackupJob, LoggedTable } from './loggedBackupJob';
import type { QueryFailure } from './queryFailure';
import type { ReconcileFinding, VmOfFinding } from './reconcileFinding';
import { ITEMS_TABLE, JOBS_TABLE, type ReconcileTable } from './reconcileQueries';

export type TableOutcome<T> = LoggedTable<T> | { kind: 'query-failed'; failure: QueryFailure };

export interface EnrolledVmRef {
  vmId: string;
  vmName: string;
  vaultId: string;
}

export interface ReconcileInput {
  /** ISO 8601: the reconcile's time; RPO ages are measured from it. */
  now: string;
  rpoTargetHours: number;
  enrolled: readonly EnrolledVmRef[];
  /**
   * `backup.jobId` of every app run of the nights the period touches; absent when the runs could not be read (then
   * no job is called unseen: that would accuse every job).
   */
  appJobIds?: readonly string[];
  /** Vaults (ARM ids) in which the app started a backup during the period: their jobs must be in the logs. */
  vaultsWithAppJobs: readonly string[];
  jobs: TableOutcome<LoggedBackupJob>;
  items: TableOutcome<LoggedBackupItem>;
}

/** What was checked, per table: a count is only meaningful when its table was `checked`. */
export type TableCheck = 'checked' | 'missing' | 'failed' | 'unreadable';

export interface ReconcileDecision {
  findings: ReconcileFinding[];
  jobs: TableCheck;
  items: TableCheck;
  /** Deduplicated backup jobs of enrolled VMs in the logs (0 unless jobs is `checked`). */
  enrolledJobs: number;
  /** Enrolled VMs the vault's items did not name (their RPO is not known from the logs). */
  rpoUnknown: string[];
}

const lower = (s: string | undefined): string => (s ?? '').toLowerCase();
const FAILED = new Set(['failed', 'completedwithwarnings']);
const HOUR_MS = 3_600_000;

/** The vault name is the last segment of a vault's ARM id. */
const vaultNameOf = (vaultId: string): string => lower(vaultId.split('/').filter(Boolean).pop());

/** Records name the VM by its resource id when they carry it, else by the item's name within the vault. */
function vmOf(
  enrolled: readonly EnrolledVmRef[],
  ref: { vmResourceId?: string; name?: string; vaultResourceId?: string; vaultName?: string },
): EnrolledVmRef | undefined {
  if (ref.vmResourceId !== undefined) {
    const byId = enrolled.find((e) => lower(e.vmId) === lower(ref.vmResourceId));
    if (byId !== undefined) return byId;
  }
  return enrolled.find(
    (e) =>
      lower(e.vmName) === lower(ref.name) &&
      (lower(e.vaultId) === lower(ref.vaultResourceId) || vaultNameOf(e.vaultId) === lower(ref.vaultName)),
  );
}

const vm = (e: EnrolledVmRef): VmOfFinding => ({ vmId: e.vmId, vmName: e.vmName, vaultId: e.vaultId });

/** Findings about a table that could not be read at all: one per vault with enrolled VMs. */
function tableFindings<T>(outcome: TableOutcome<T>, table: ReconcileTable, vaults: string[]): ReconcileFinding[] {
  if (outcome.kind === 'rows') {
    return outcome.problems.length === 0
      ? []
      : vaults.map((vaultId) => ({
          code: 'LogRowsUnreadable' as const,
          vaultId,
          table,
          problems: outcome.problems,
          wholeTable: false,
        }));
  }
  if (outcome.kind === 'unreadable') {
    return vaults.map((vaultId) => ({
      code: 'LogRowsUnreadable' as const,
      vaultId,
      table,
      problems: outcome.problems,
      wholeTable: true,
    }));
  }
  const f = outcome.failure;
  if (f.kind === 'table-missing') {
    // The jobs query joins the items table: a missing items table fails it too, and is said under its own name.
    return vaults.map((vaultId) => ({
      code: 'DiagnosticsMissing' as const,
      vaultId,
      table: f.table,
      reason: 'table-missing' as const,
    }));
  }
  return vaults.map((vaultId) => ({
    code: 'ReconcileQueryFailed' as const,
    vaultId,
    table,
    message: f.message,
    ...(f.httpStatus === undefined ? {} : { httpStatus: f.httpStatus }),
    ...(f.serviceCode === undefined ? {} : { serviceCode: f.serviceCode }),
  }));
}

const checkOf = <T>(outcome: TableOutcome<T>): TableCheck =>
  outcome.kind === 'rows'
    ? 'checked'
    : outcome.kind === 'unreadable'
      ? 'unreadable'
      : outcome.failure.kind === 'table-missing'
        ? 'missing'
        : 'failed';

function jobFindings(input: ReconcileInput, jobs: readonly LoggedBackupJob[]): ReconcileFinding[] {
  const appJobs = input.appJobIds === undefined ? undefined : new Set(input.appJobIds.map(lower));
  const findings: ReconcileFinding[] = [];
  for (const job of jobs) {
    const e = vmOf(input.enrolled, { ...job, name: job.itemName });
    if (e === undefined) continue;
    const scheduled = lower(job.trigger) === 'scheduled';
    const start = job.startTime === undefined ? {} : { startTime: job.startTime };
    if (scheduled && FAILED.has(lower(job.status))) {
      findings.push({
        code: 'ScheduledBackupFailed',
        ...vm(e),
        jobId: job.jobId,
        status: job.status,
        ...(job.failureCode === undefined || lower(job.failureCode) === 'success'
          ? {}
          : { failureCode: job.failureCode }),
        ...start,
      });
    } else if (appJobs !== undefined && !appJobs.has(lower(job.jobId))) {
      findings.push({
        code: 'BackupNotSeenByApp',
        ...vm(e),
        jobId: job.jobId,
        status: job.status,
        trigger: job.trigger ?? 'unknown',
        ...start,
      });
    }
  }
  return findings;
}

function rpoFindings(
  input: ReconcileInput,
  items: readonly LoggedBackupItem[],
): { findings: ReconcileFinding[]; unknown: string[] } {
  const findings: ReconcileFinding[] = [];
  const unknown: string[] = [];
  const now = Date.parse(input.now);
  for (const e of input.enrolled) {
    const item = items.find((i) => vmOf([e], i) !== undefined);
    if (item === undefined) {
      unknown.push(e.vmId);
      continue;
    }
    const latest = item.latestRecoveryPointTime;
    const ageHours = latest === undefined ? undefined : (now - Date.parse(latest)) / HOUR_MS;
    if (ageHours !== undefined && ageHours <= input.rpoTargetHours) continue;
    findings.push({
      code: 'RpoTargetMissed',
      ...vm(e),
      targetHours: input.rpoTargetHours,
      ...(latest === undefined ? {} : { latestRecoveryPointTime: latest }),
      ...(ageHours === undefined ? {} : { ageHours: Math.round(ageHours * 10) / 10 }),
    });
  }
  return { findings, unknown };
}

/** Vaults with enrolled VMs (or app jobs) that have no row in a table that was read. */
function silentVaults(
  vaults: readonly string[],
  rows: readonly { vaultResourceId?: string; vaultName?: string }[],
): string[] {
  return vaults.filter(
    (v) => !rows.some((r) => lower(r.vaultResourceId) === lower(v) || lower(r.vaultName) === vaultNameOf(v)),
  );
}

export function decideReconcile(input: ReconcileInput): ReconcileDecision {
  const vaults = [...new Map(input.enrolled.map((e) => [lower(e.vaultId), e.vaultId])).values()];
  const findings: ReconcileFinding[] = [];
  findings.push(...tableFindings(input.jobs, JOBS_TABLE, vaults));
  // A missing items table also fails the jobs query (its join): said once.
  const itemsOwn = tableFindings(input.items, ITEMS_TABLE, vaults);
  findings.push(...itemsOwn.filter((f) => !findings.some((g) => JSON.stringify(g) === JSON.stringify(f))));

  let enrolledJobs = 0;
  if (input.jobs.kind === 'rows') {
    const jobs = input.jobs.rows;
    enrolledJobs = jobs.filter((j) => vmOf(input.enrolled, { ...j, name: j.itemName }) !== undefined).length;
    findings.push(...jobFindings(input, jobs));
    const expected = input.vaultsWithAppJobs.filter((v) => vaults.some((w) => lower(w) === lower(v)));
    for (const vaultId of silentVaults(expected, jobs)) {
      findings.push({ code: 'DiagnosticsMissing', vaultId, table: JOBS_TABLE, reason: 'no-rows' });
    }
  }
  let rpoUnknown: string[] = input.enrolled.map((e) => e.vmId);
  if (input.items.kind === 'rows') {
    const items = input.items.rows;
    const silent = silentVaults(vaults, items);
    for (const vaultId of silent)
      findings.push({ code: 'DiagnosticsMissing', vaultId, table: ITEMS_TABLE, reason: 'no-rows' });
    const rpo = rpoFindings(
      { ...input, enrolled: input.enrolled.filter((e) => !silent.some((s) => lower(s) === lower(e.vaultId))) },
      items,
    );
    findings.push(...rpo.findings);
    rpoUnknown = [
      ...input.enrolled.filter((e) => silent.some((s) => lower(s) === lower(e.vaultId))).map((e) => e.vmId),
      ...rpo.unknown,
    ];
  }
  return { findings, jobs: checkOf(input.jobs), items: checkOf(input.items), enrolledJobs, rpoUnknown };
}
