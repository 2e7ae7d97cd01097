import { vaultRefOf } from '../protectedItemOf';
import { CLOCK_SKEW_MS } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** The drill's restore job from the vault's list of restore jobs since the request, if the request reached Azure. */
export const findRestoreJob: CommandHandler<'FindRestoreJob'> = async ({ deps, run, command, now, at }) => {
  const since = Date.parse(command.since) - CLOCK_SKEW_MS;
  const vault = vaultRefOf(deps.settings, run.target.vaultId);
  const filter = { startTime: new Date(since), endTime: now, operation: 'Restore' as const };
  for await (const job of deps.gateways.backup.listJobs(vault, filter)) {
    if (job.entityName.toLowerCase() !== run.target.vmName.toLowerCase()) continue;
    if (job.startTime !== undefined && Date.parse(job.startTime) >= since)
      return [{ type: 'RestoreJobObserved', at, job }];
  }
  return [{ type: 'NoRestoreJobSinceRequest', at, since: command.since }];
};
