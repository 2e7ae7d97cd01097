import { runCommandName } from '../runCommandName';
import { runProbe } from '../vmProbe';
import type { CommandHandler } from './commandHandler';

/** The probe in logs mode on the VM: what the backup's scripts and extension wrote since `since`. */
export const collectLogs: CommandHandler<'CollectLogs'> = async ({ deps, run, command, now, at }) => {
  const probe = await runProbe(deps.gateways.compute, run.target.vmId, {
    mode: 'logs',
    since: command.since,
    name: runCommandName('logs', now, run.night),
    timeoutInSeconds: deps.settings.runCommandTimeoutInSeconds,
  });
  return [{ type: 'LogsCollected', at, ...(probe.facts ? { facts: probe.facts } : {}), problems: probe.problems }];
};
