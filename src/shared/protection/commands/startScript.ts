import { missingRoleHint } from '../../alerts/azureCalls';
import { isAppError } from '../../errors/appError';
import { readVmScript } from '../../vmScripts/vmScripts';
import { probeParameters } from '../vmProbe';
import type { CommandHandler } from './commandHandler';
import { startVerifier } from './startVerifier';

/**
 * Starts the read-only probe as an asynchronous Run Command: Azure accepts it and the script runs on; a later tick
 * reads it. A refusal that a retry cannot fix (a stopped VM, a missing role) ends the script; anything else is
 * thrown, becomes CommandFailed, and the next tick, finding no Run Command of that name, starts it again.
 */
export const startScript: CommandHandler<'StartScript'> = async (input) => {
  const { deps, command, at } = input;
  try {
    if (command.purpose === 'verify') {
      await startVerifier(input);
      return [];
    }
    await deps.gateways.compute.startScript(command.vmId, readVmScript('probe'), {
      name: command.name,
      parameters: probeParameters(command.purpose === 'preflight' ? 'check' : 'logs', command.since),
      timeoutInSeconds: deps.settings.runCommandTimeoutInSeconds,
    });
    return [];
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === 'PRECONDITION_FAILED') {
      return [{ type: 'ScriptStartFailed', at, name: command.name, reason: e.message, vmNotRunning: true }];
    }
    const hint = missingRoleHint('runCommand', e.statusCode);
    if (hint === undefined) throw e;
    return [
      { type: 'ScriptStartFailed', at, name: command.name, reason: `${e.message} (${hint})`, vmNotRunning: false },
    ];
  }
};
