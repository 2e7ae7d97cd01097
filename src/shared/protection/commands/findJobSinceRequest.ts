import type { BackupJob } from '../../azure/backupGateway';
import { jobEvents } from '../jobObservation';
import { vaultRefOf } from '../protectedItemOf';
import { CLOCK_SKEW_MS, sameName } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** The VM's first backup job since the run asked for one, if Azure started it. */
export const findJobSinceRequest: CommandHandler<'FindJobSinceRequest'> = async ({ deps, run, command, now, at }) => {
  const vault = vaultRefOf(deps.settings, command.vaultId);
  const since = Date.parse(command.since) - CLOCK_SKEW_MS;
  const filter = { startTime: new Date(since), endTime: now, operation: 'Backup' as const };
  let first: BackupJob | undefined;
  const listed: BackupJob[] = [];
  for await (const job of deps.gateways.backup.listJobs(vault, filter)) {
    listed.push(job);
    const start = job.startTime === undefined ? Number.NaN : Date.parse(job.startTime);
    // A job without a readable start time still counts: when in doubt, never ask twice.
    if (!sameName(job.entityName, command.vmName) || start < since) continue;
    if (first === undefined || start < Date.parse(first.startTime ?? '')) first = job;
  }
  return first === undefined
    ? [{ type: 'NoJobSinceRequest', at, since: command.since }]
    : await jobEvents(deps, vault, run, first, listed, at);
};
