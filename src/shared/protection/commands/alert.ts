import type { Alert } from '../../alerts/alert';
import { raiseAlert } from '../alertDelivery';
import { runAlert } from '../protectionDeps';
import type { CommandHandler } from './commandHandler';

/**
 * Records the run's pending alert in the alert store (which logs it and routes it to its targets; delivery happens
 * after the runs have moved, never inside one), then reports it recorded so it leaves the run's outbox. Without
 * the store (the CLI) it is logged.
 */
export const alert: CommandHandler<'Alert'> = async ({ deps, run, command, at }) => {
  const pending = run.alerts?.find((a) => a.id === command.alertId);
  const base = runAlert({
    runId: command.runId,
    vmId: command.vmId,
    severity: command.severity,
    code: command.code,
    message: command.message,
    at: pending?.at ?? at,
  });
  const full: Alert = {
    ...base,
    vmName: run.target.vmName,
    ...(pending?.classification === undefined ? {} : { classification: pending.classification }),
    ...(pending?.evidence === undefined ? {} : { evidence: pending.evidence }),
    ...(pending?.fix === undefined ? {} : { fix: pending.fix }),
    ...(pending?.kind === undefined ? {} : { kind: pending.kind }),
  };
  // A failure throws: CommandFailed, and the alert stays in the run's outbox for the next tick.
  await raiseAlert(deps, command.alertId, full);
  return [{ type: 'AlertRecorded', at, id: command.alertId }];
};
