import { missingRoleHint } from '../../alerts/azureCalls';
import { isAppError } from '../../errors/appError';
import { readVmScript } from '../../vmScripts/vmScripts';
import { probeParameters } from '../vmProbe';
import { runPolicyOf } from '../runPolicyOf';
import type { CommandHandler } from './commandHandler';
import { startVerifier } from './startVerifier';

/** The probe's mode for each read-only purpose. */
const PROBE_MODES = { preflight: 'check', logs: 'logs', 'frozen-check': 'frozen' } as const;

/**
 * Starts the read-only probe (or, for 'thaw', vm/thaw.sh; for 'verify', the drill verifier) as an asynchronous Run Command: Azure accepts it and the script runs on; a later tick
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
    if (command.purpose === 'thaw') {
      // Safety invariant 3: the thaw is the one writing script a run sends, and only when the operator opted in.
      if (!deps.settings.autoThaw) {
        return [
          { type: 'ScriptStartFailed', at, name: command.name, reason: 'IBG_AUTO_THAW is off', vmNotRunning: false },
        ];
      }
      await deps.gateways.compute.startScript(command.vmId, readVmScript('thaw'), {
        name: command.name,
        timeoutInSeconds: runPolicyOf(deps.settings).remediation.thawTimeoutMs / 1000,
      });
      return [];
    }
    await deps.gateways.compute.startScript(command.vmId, readVmScript('probe'), {
      name: command.name,
      parameters: probeParameters(PROBE_MODES[command.purpose], command.since),
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
