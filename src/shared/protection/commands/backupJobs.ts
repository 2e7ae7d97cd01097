/** Reading the vault's backup jobs, shared by the commands that look for tonight's job. */
import type { BackupJob } from '../../azure/backupGateway';
import type { Run } from '../../runs/run';
import { vaultRefOf } from '../protectedItemOf';
import type { ProtectionDeps } from '../protectionDeps';

const DAY_MS = 86_400_000;
/** Recovery point and job times come from Azure's clock, the run's from ours. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The vault's backup jobs in progress (started within the last day). */
export async function listInProgressJobs(deps: ProtectionDeps, vaultId: string, now: Date): Promise<BackupJob[]> {
  const vault = vaultRefOf(deps.settings, vaultId);
  const filter = {
    startTime: new Date(now.getTime() - DAY_MS),
    // Azure's clock is not ours, and the filter has whole seconds: a job started a moment ago must still be listed.
    endTime: new Date(now.getTime() + CLOCK_SKEW_MS),
    operation: 'Backup' as const,
    status: 'InProgress',
  };
  const jobs: BackupJob[] = [];
  for await (const job of deps.gateways.backup.listJobs(vault, filter)) if (job.status === 'InProgress') jobs.push(job);
  return jobs;
}

/** The id of a backup job in progress for the run's VM, if any. */
export async function inProgressJobOf(deps: ProtectionDeps, run: Run, now: Date): Promise<string | undefined> {
  const jobs = await listInProgressJobs(deps, run.target.vaultId, now);
  return jobs.find((j) => sameName(j.entityName, run.target.vmName))?.jobId;
}
