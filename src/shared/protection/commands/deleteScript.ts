import { toError } from '../../errors/appError';
import type { CommandHandler } from './commandHandler';

/** Removes a Run Command the run is done with (a running one is stopped by it); a failure is retried by a tick. */
export const deleteScript: CommandHandler<'DeleteScript'> = async ({ deps, command, at }) => {
  try {
    await deps.gateways.compute.deleteScript(command.vmId, command.name);
    return [{ type: 'ScriptDeleted', at, name: command.name }];
  } catch (e) {
    return [{ type: 'ScriptDeleteFailed', at, name: command.name, reason: toError(e).message }];
  }
};
