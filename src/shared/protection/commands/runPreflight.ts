import { checkSetup } from '../../checks/checkSetup';
import { compactFinding } from '../../runs/run';
import { runCommandName } from '../runCommandName';
import { runProbe } from '../vmProbe';
import type { CommandHandler } from './commandHandler';

/** The probe in check mode on the VM: its findings, or why it could not run. */
export const runPreflight: CommandHandler<'RunPreflight'> = async ({ deps, run, now, at }) => {
  const probe = await runProbe(deps.gateways.compute, run.target.vmId, {
    mode: 'check',
    name: runCommandName('preflight', now, run.night),
    timeoutInSeconds: deps.settings.runCommandTimeoutInSeconds,
  });
  if (probe.facts === undefined) return [{ type: 'PreflightFailed', at, reason: probe.problems.join('; ') }];
  return [
    {
      type: 'PreflightCompleted',
      at,
      findings: checkSetup(probe.facts, { vmId: run.target.vmId }).map(compactFinding),
    },
  ];
};
