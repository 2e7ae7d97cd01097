import { logAlertSink, runAlert } from '../protectionDeps';
import type { CommandHandler } from './commandHandler';

/** Raises the alert through the deps' sink (the log when none is configured); the machine expects no event. */
export const alert: CommandHandler<'Alert'> = async ({ deps, command, at }) => {
  await (deps.alerts ?? logAlertSink(deps.log)).raise(
    runAlert({
      runId: command.runId,
      vmId: command.vmId,
      severity: command.severity,
      code: command.code,
      message: command.message,
      at,
    }),
  );
  return [];
};
