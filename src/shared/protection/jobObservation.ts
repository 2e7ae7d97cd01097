/**
 * Turns a backup job read from the vault's job list into what the run's state machine is told. Job lists are lean
 * (no errorDetails, no extendedInfo: azure-apis.md §2.2, the spec's ListJobs examples), so a job that did not end
 * Completed is read once more through jobDetails.get for its errors; a job Azure failed because another backup of
 * the VM was running is recognised by its error code and answered with that other job.
 */
import type { BackupJob, VaultRef } from '../azure/backupGateway';
import type { RunEvent } from '../runs/runEvent';
import type { Run } from '../runs/run';
import type { ProtectionDeps } from './protectionDeps';

/**
 * Azure's code for a backup requested while another backup of the item runs: the 400 a refused POST carries, and
 * the code of a job it accepted and then failed (AzureIaaSVMErrorInfo keeps the string code in errorTitle; its
 * errorCode is a number).
 */
export const BACKUP_IN_PROGRESS_CODE = 'UserErrorBackupOperationInProgress';

/** Statuses whose job needs no jobDetails.get: still running, or ended Completed (no errors to read). */
const NO_DETAILS: readonly string[] = ['InProgress', 'Cancelling', 'Completed'];

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export const isCollisionFailure = (job: BackupJob): boolean =>
  job.status === 'Failed' && job.errorDetails.some((d) => d.title === BACKUP_IN_PROGRESS_CODE);

/**
 * The backup job of the VM that was running when `failed` was refused: one in progress, else the latest that
 * started before it (it may have ended since). Never `failed` itself or a job this run already found collided.
 */
export function runningJobBesides(run: Run, failed: BackupJob, vaultJobs: readonly BackupJob[]): BackupJob | undefined {
  const excluded = new Set([failed.jobId, ...(run.backup.collidedJobIds ?? [])]);
  const failedStart = Date.parse(failed.startTime ?? '');
  const candidates = vaultJobs.filter(
    (j) => !excluded.has(j.jobId) && sameName(j.entityName, run.target.vmName) && !isCollisionFailure(j),
  );
  const inProgress = candidates.find((j) => j.status === 'InProgress');
  if (inProgress !== undefined) return inProgress;
  return candidates
    .filter((j) => j.startTime !== undefined && !(Date.parse(j.startTime) > failedStart))
    .sort((a, b) => Date.parse(b.startTime ?? '') - Date.parse(a.startTime ?? ''))[0];
}

/**
 * The events for a run's job as listed. Throws when jobDetails.get fails, so the caller reports nothing about the
 * job this tick (a later tick reads it again) rather than a failure without its errors.
 */
export async function jobEvents(
  deps: ProtectionDeps,
  vault: VaultRef,
  run: Run,
  listed: BackupJob,
  vaultJobs: readonly BackupJob[],
  at: string,
): Promise<RunEvent[]> {
  if (NO_DETAILS.includes(listed.status)) return [{ type: 'JobObserved', at, job: listed }];
  const detailed = await deps.gateways.backup.getJob(vault, listed.jobId);
  const job: BackupJob = { ...listed, ...detailed, jobId: listed.jobId };
  if (isCollisionFailure(job)) {
    const running = runningJobBesides(run, job, vaultJobs);
    return [
      {
        type: 'JobCollided',
        at,
        failedJobId: job.jobId,
        ...(running === undefined ? {} : { runningJobId: running.jobId }),
      },
    ];
  }
  return [{ type: 'JobObserved', at, job }];
}
