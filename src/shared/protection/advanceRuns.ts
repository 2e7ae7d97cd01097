/**
 * Moves every in-flight run forward: one backup-job listing per vault per tick (not one call per run), the
 * matching observations plus a Tick fed into each run's state machine, with bounded concurrency.
 */
import { toError } from '../errors/appError';
import type { BackupJob } from '../azure/backupGateway';
import { isTerminalStage, type Run, type RunStage } from '../runs/run';
import type { RunEvent } from '../runs/runEvent';
import { driveRun } from './driveRun';
import { jobEvents } from './jobObservation';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';
import { vaultRefOf } from './protectedItemOf';
import type { StoredRun } from './runRepository';
import { runPolicyOf } from './runPolicyOf';
import { grantScriptSlots } from '../runs/scriptSlots';
import { grantDrillSlots } from '../runs/drillSlots';
import { addDeliveryReports, deliverPending, type DeliveryReport } from './alertDelivery';
import { followUpScripts } from './followUpScripts';
import { resumeUnfinishedNight } from './resumeNight';

export interface AdvanceResult {
  /** Runs looked at. */
  active: number;
  /** Runs whose state changed this tick. */
  advanced: number;
  /** Runs with nothing new. */
  unchanged: number;
  superseded: number;
  errors: { runId: string; error: string }[];
  /** Stage of each run afterwards, by run id. */
  stages: Record<string, RunStage>;
  /** Vaults whose job list could not be read this tick. */
  vaultErrors: { vaultId: string; error: string }[];
  /** The alert deliveries made at the end of the tick (when notifications are wired). */
  delivery?: DeliveryReport;
}

/** Azure's job times and ours differ a little; a job may start just before the trigger time we recorded. */
const SKEW_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

const DRILL_STAGES: readonly RunStage[] = ['restore-running', 'verifying', 'cleaning-up'];

const waitsForJob = (run: Run): boolean =>
  run.stage === 'backup-running' ||
  run.stage === 'transfer-running' ||
  (run.stage === 'triggering' && run.backup.triggerRequestedAt !== undefined) ||
  // A snapshot drilled while its job still transfers to the vault.
  (DRILL_STAGES.includes(run.stage) && run.backup.jobStatus === 'InProgress');

/** A drill whose restore was requested and whose restore job has not ended (as far as the run knows). */
const waitsForRestoreJob = (run: Run): boolean => {
  const d = run.drill;
  if (d?.restoreRequestedAt === undefined) return false;
  if (run.stage !== 'restore-running' && run.stage !== 'cleaning-up') return false;
  return d.restoreJobStatus === undefined || d.restoreJobStatus === 'InProgress';
};

/** The drill's restore job in the vault's restore job list: by id, else this VM's first since the request. */
export function restoreJobFor(
  run: Run,
  jobs: readonly BackupJob[],
  taken: ReadonlySet<string> = new Set(),
): BackupJob | undefined {
  const d = run.drill;
  if (d === undefined) return undefined;
  if (d.restoreJobId !== undefined) return jobs.find((j) => j.jobId === d.restoreJobId);
  const since = Date.parse(d.restoreRequestedAt ?? d.queuedAt) - SKEW_MS;
  return jobs
    .filter((j) => j.entityName.toLowerCase() === run.target.vmName.toLowerCase() && !taken.has(j.jobId))
    .filter((j) => j.startTime !== undefined && Date.parse(j.startTime) >= since)
    .sort((a, b) => Date.parse(a.startTime ?? '') - Date.parse(b.startTime ?? ''))[0];
}

/**
 * Which listed restore job each drill waiting for one gets. Two drills of one VM (the nightly one and an operator's
 * `drill`) can wait at once, and jobs are matched by VM name: a job another run already holds is never adopted, and
 * the drills without a job take the unclaimed ones in the order they asked for them.
 */
export function assignRestoreJobs(runs: readonly Run[], jobs: readonly BackupJob[]): Map<string, BackupJob> {
  const taken = new Set(runs.flatMap((r) => (r.drill?.restoreJobId === undefined ? [] : [r.drill.restoreJobId])));
  const byRun = new Map<string, BackupJob>();
  const ordered = [...runs].sort(
    (a, b) =>
      (a.drill?.restoreJobId === undefined ? 1 : 0) - (b.drill?.restoreJobId === undefined ? 1 : 0) ||
      (a.drill?.restoreRequestedAt ?? '').localeCompare(b.drill?.restoreRequestedAt ?? ''),
  );
  for (const run of ordered) {
    const job = restoreJobFor(run, jobs, run.drill?.restoreJobId === undefined ? taken : new Set());
    if (job === undefined) continue;
    byRun.set(run.id, job);
    taken.add(job.jobId);
  }
  return byRun;
}

/**
 * The job that belongs to this run, from the vault's list: by id, else this VM's first job since the trigger that
 * did not fail for colliding with another backup.
 */
export function jobFor(run: Run, jobs: readonly BackupJob[]): BackupJob | undefined {
  if (run.backup.jobId !== undefined) return jobs.find((j) => j.jobId === run.backup.jobId);
  const since = Date.parse(run.backup.triggerRequestedAt ?? run.createdAt) - SKEW_MS;
  const collided = new Set(run.backup.collidedJobIds ?? []);
  return jobs
    .filter((j) => j.entityName.toLowerCase() === run.target.vmName.toLowerCase() && !collided.has(j.jobId))
    .filter((j) => j.startTime !== undefined && Date.parse(j.startTime) >= since)
    .sort((a, b) => Date.parse(a.startTime ?? '') - Date.parse(b.startTime ?? ''))[0];
}

/** Every in-flight run, as the advance timer does it. */
export async function advanceRuns(deps: ProtectionDeps): Promise<AdvanceResult> {
  // A nightly call cut short first gets the VMs it missed their runs, which this tick then moves on.
  await resumeUnfinishedNight(deps);
  return advanceStoredRuns(deps, await deps.store.listActive(), {});
}

/**
 * One run only (the CLI's `backup` command following its run). Absent or finished runs are reported in `stages`
 * without any Azure call.
 */
export async function advanceRun(deps: ProtectionDeps, runId: string): Promise<AdvanceResult> {
  const stored = await deps.store.get(runId);
  // Someone waits for this one run: its script starts at once, outside the fleet's budget.
  const result = await advanceStoredRuns(deps, stored && !isTerminalStage(stored.run.stage) ? [stored] : [], {
    grantAll: true,
  });
  if (stored && isTerminalStage(stored.run.stage)) result.stages[runId] = stored.run.stage;
  return result;
}

/**
 * One job listing per vault for the runs given, from an hour before the earliest of them (`since`) to now; a vault
 * whose list fails is reported in `result.vaultErrors` and its runs learn nothing this tick.
 */
async function listJobsByVault(
  deps: ProtectionDeps,
  runs: readonly StoredRun[],
  operation: 'Backup' | 'Restore',
  since: (run: Run) => string,
  result: AdvanceResult,
): Promise<Map<string, BackupJob[]>> {
  const byVault = new Map<string, BackupJob[]>();
  const now = deps.clock.now();
  for (const vaultId of new Set(runs.map((s) => s.run.target.vaultId.toLowerCase()))) {
    const inVault = runs.filter((s) => s.run.target.vaultId.toLowerCase() === vaultId);
    const earliest = Math.min(...inVault.map((s) => Date.parse(since(s.run))));
    try {
      const jobs: BackupJob[] = [];
      const vault = vaultRefOf(deps.settings, inVault[0]?.run.target.vaultId ?? vaultId);
      const filter = { startTime: new Date(earliest - HOUR_MS), endTime: now, operation };
      for await (const job of deps.gateways.backup.listJobs(vault, filter)) jobs.push(job);
      byVault.set(vaultId, jobs);
    } catch (e) {
      result.vaultErrors.push({ vaultId, error: toError(e).message });
    }
  }
  return byVault;
}

async function advanceStoredRuns(
  deps: ProtectionDeps,
  active: StoredRun[],
  options: { grantAll?: boolean },
): Promise<AdvanceResult> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const policy = runPolicyOf(deps.settings);
  const result: AdvanceResult = {
    active: active.length,
    advanced: 0,
    unchanged: 0,
    superseded: 0,
    errors: [],
    stages: {},
    vaultErrors: [],
  };

  // A run whose preflight ends this tick looks for a backup already in progress: from this listing too.
  const waiting = active.filter((s) => waitsForJob(s.run) || s.run.stage === 'preflight');
  const jobsByVault = await listJobsByVault(deps, waiting, 'Backup', (r) => r.createdAt, result);
  // One restore-job listing per vault too, for the drills waiting on a restore.
  const restoring = active.filter((s) => waitsForRestoreJob(s.run));
  const restoreJobsByVault = await listJobsByVault(
    deps,
    restoring,
    'Restore',
    (r) => r.drill?.restoreRequestedAt ?? r.createdAt,
    result,
  );

  // Per vault, each listed restore job goes to one run (two drills of a VM may wait at once).
  const restoreJobsByRun = new Map<string, BackupJob>();
  for (const [vaultId, jobs] of restoreJobsByVault) {
    const runs = restoring.filter((s) => s.run.target.vaultId.toLowerCase() === vaultId).map((s) => s.run);
    for (const [runId, job] of assignRestoreJobs(runs, jobs)) restoreJobsByRun.set(runId, job);
  }

  const observe = async (stored: StoredRun): Promise<RunEvent[]> => {
    const run = stored.run;
    const events: RunEvent[] = [];
    const jobs = jobsByVault.get(run.target.vaultId.toLowerCase());
    if (waitsForJob(run) && jobs !== undefined) {
      const vault = vaultRefOf(deps.settings, run.target.vaultId);
      let job = jobFor(run, jobs);
      // A job older than the listing window is still readable by id.
      if (job === undefined && run.backup.jobId !== undefined) {
        job = await deps.gateways.backup.getJob(vault, run.backup.jobId).catch(() => undefined);
      }
      // A job that did not end Completed is read in detail for its errors; when that fails, a later tick reads it.
      if (job) events.push(...(await jobEvents(deps, vault, run, job, jobs, at).catch(() => [])));
    }
    const restoreJobs = restoreJobsByVault.get(run.target.vaultId.toLowerCase());
    if (waitsForRestoreJob(run) && restoreJobs !== undefined) {
      let job = restoreJobsByRun.get(run.id);
      const id = run.drill?.restoreJobId;
      // A restore job older than the listing window is still readable by id.
      if (job === undefined && id !== undefined) {
        job = await deps.gateways.backup
          .getJob(vaultRefOf(deps.settings, run.target.vaultId), id)
          .catch(() => undefined);
      }
      // A failed restore is read in detail for its errors (job lists carry none); when that fails, a later tick reads it.
      if (job && (job.status === 'Failed' || job.status === 'Cancelled')) {
        const vault = vaultRefOf(deps.settings, run.target.vaultId);
        const listed = job;
        job = await deps.gateways.backup
          .getJob(vault, listed.jobId)
          .then((detailed) => ({ ...listed, ...detailed, jobId: listed.jobId }))
          .catch(() => undefined);
      }
      if (job) events.push({ type: 'RestoreJobObserved', at, job });
    }
    events.push({ type: 'Tick', at });
    return events;
  };

  const inProgressJobs = new Map(
    [...jobsByVault].map(([vaultId, jobs]) => [vaultId, jobs.filter((j) => j.status === 'InProgress')]),
  );
  const context = { inProgressJobs };
  const settled = await promisePool(active, deps.settings.maxConcurrency, async (stored) =>
    driveRun(deps, policy, stored, { events: await observe(stored) }, context),
  );
  const after = settled.map((s) => (s.ok && s.value.kind === 'advanced' ? s.value.stored : undefined));
  // Then the queued scripts start, in the slots this tick's reads have freed (scriptSlots.ts).
  const granted = grantScriptSlots(
    after.flatMap((s) => (s ? [s.run] : [])),
    options.grantAll ? Number.POSITIVE_INFINITY : deps.settings.runCommandsPerSubscription,
  );
  const started = await promisePool(
    after.filter((s): s is StoredRun => s !== undefined && granted.has(s.run.id)),
    deps.settings.maxConcurrency,
    async (stored) => driveRun(deps, policy, stored, { events: [{ type: 'ScriptSlotGranted', at }] }, context),
  );
  const startedById = new Map(started.flatMap((s) => (s.ok ? [[s.value.stored.run.id, s.value] as const] : [])));
  // And the queued drills, in the drill budget's free slots.
  const drillPerSub = policy.drill?.perSubscription ?? 0;
  const afterScripts = after.map((s) => (s ? (startedById.get(s.run.id)?.stored ?? s) : undefined));
  const drillGranted = grantDrillSlots(
    afterScripts.flatMap((s) => (s ? [s.run] : [])),
    options.grantAll ? Number.POSITIVE_INFINITY : drillPerSub,
  );
  const drillsStarted = await promisePool(
    afterScripts.filter((s): s is StoredRun => s !== undefined && drillGranted.has(s.run.id)),
    deps.settings.maxConcurrency,
    async (stored) => driveRun(deps, policy, stored, { events: [{ type: 'DrillSlotGranted', at }] }, context),
  );
  for (const s of drillsStarted) if (s.ok) startedById.set(s.value.stored.run.id, s.value);
  // The urgent scripts started this tick (a verdict's logs, a remediation) are read again before the tick ends.
  const ours = settled.flatMap((s, i) => {
    const outcome = s.ok ? (startedById.get(active[i]?.run.id ?? '') ?? s.value) : undefined;
    return outcome?.kind === 'advanced' ? [outcome.stored] : [];
  });
  // Alerts go out as soon as they are recorded: after this pass, after each follow-up round, and at the end (each
  // delivery is claimed with its record's ETag, so no pass sends one twice). A slow target delays only this.
  const deliver = async (): Promise<void> => {
    if (deps.notifications !== undefined)
      result.delivery = addDeliveryReports(result.delivery, await deliverPending(deps));
  };
  await deliver();
  const followed = new Map(
    (await followUpScripts(deps, policy, ours, now, context, deliver)).map((s) => [s.run.id, s]),
  );
  settled.forEach((s, i) => {
    const runId = active[i]?.run.id ?? '';
    if (!s.ok) {
      result.errors.push({ runId, error: toError(s.error).message });
      return;
    }
    const outcome = startedById.get(runId) ?? s.value;
    const stored = followed.get(runId) ?? outcome.stored;
    if (outcome.kind === 'superseded') result.superseded += 1;
    else if (stored.etag === active[i]?.etag) result.unchanged += 1;
    else result.advanced += 1;
    result.stages[runId] = stored.run.stage;
  });
  // Anything recorded since (a remediation's last alerts), and retries that came due.
  await deliver();
  return result;
}
