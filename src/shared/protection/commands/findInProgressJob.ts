import { inProgressJobOf, sameName } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** A backup of the run's VM already running (from the caller's listing when it has one). */
export const findInProgressJob: CommandHandler<'FindInProgressJob'> = async ({ deps, run, context, now, at }) => {
  const known = context.inProgressJobs?.get(run.target.vaultId.toLowerCase());
  const jobId =
    known === undefined
      ? await inProgressJobOf(deps, run, now)
      : known.find((j) => j.status === 'InProgress' && sameName(j.entityName, run.target.vmName))?.jobId;
  return [jobId === undefined ? { type: 'NoInProgressJob', at } : { type: 'InProgressJobFound', at, jobId }];
};
