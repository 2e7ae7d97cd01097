import type { CommandHandler } from './commandHandler';

/** One read of the Run Command's instance view (its output is the VM's text: untrusted, capped at 4 KiB). */
export const readScript: CommandHandler<'ReadScript'> = async ({ deps, command, at }) => {
  const result = await deps.gateways.compute.readScript(command.vmId, command.name);
  return [{ type: 'ScriptObserved', at, name: command.name, ...(result === undefined ? {} : { result }) }];
};
