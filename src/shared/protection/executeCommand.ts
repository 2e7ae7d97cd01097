/**
 * Executes one command of the state machine through the gateways and reports what happened as events. Never
 * throws for an Azure or VM failure: that becomes an event the machine decides about. Each command type has its
 * handler in commands/; the table below does not compile without one for every type.
 */
import { toError } from '../errors/appError';
import type { Run } from '../runs/run';
import type { RunCommand } from '../runs/runCommand';
import type { RunEvent } from '../runs/runEvent';
import { alert } from './commands/alert';
import { deleteScript } from './commands/deleteScript';
import type { CommandContext, CommandHandlers, CommandInput, CommandOf } from './commands/commandHandler';
import { findInProgressJob } from './commands/findInProgressJob';
import { findJobSinceRequest } from './commands/findJobSinceRequest';
import { findRecoveryPoint } from './commands/findRecoveryPoint';
import { readOperation } from './commands/readOperation';
import { readScript } from './commands/readScript';
import { startScript } from './commands/startScript';
import { triggerBackup } from './commands/triggerBackup';
import { claimDrillResources } from './commands/claimDrillResources';
import { deleteDrillResources } from './commands/deleteDrillResources';
import { findRestoreJob } from './commands/findRestoreJob';
import { listDrillPoints } from './commands/listDrillPoints';
import { readDrillVm } from './commands/readDrillVm';
import { readEvidence } from './commands/readEvidence';
import { recordDrill } from './commands/recordDrill';
import { triggerRestore } from './commands/triggerRestore';
import type { ProtectionDeps } from './protectionDeps';
import { findSnapshotInProgress } from './commands/findSnapshotInProgress';
import { acquireRemediationLease, releaseRemediationLease } from './commands/remediationLease';

const HANDLERS: CommandHandlers = {
  StartScript: startScript,
  ReadScript: readScript,
  DeleteScript: deleteScript,
  FindInProgressJob: findInProgressJob,
  FindJobSinceRequest: findJobSinceRequest,
  TriggerBackup: triggerBackup,
  ReadOperation: readOperation,
  FindRecoveryPoint: findRecoveryPoint,
  Alert: alert,
  ListDrillPoints: listDrillPoints,
  TriggerRestore: triggerRestore,
  FindRestoreJob: findRestoreJob,
  ReadDrillVm: readDrillVm,
  ClaimDrillResources: claimDrillResources,
  ReadEvidence: readEvidence,
  RecordDrill: recordDrill,
  DeleteDrillResources: deleteDrillResources,
  FindSnapshotInProgress: findSnapshotInProgress,
  AcquireRemediationLease: acquireRemediationLease,
  ReleaseRemediationLease: releaseRemediationLease,
};

// Generic in the command type, so that the handler looked up and the command it gets are checked to match.
const handle = <T extends RunCommand['type']>(type: T, input: CommandInput<CommandOf<T>>): Promise<RunEvent[]> =>
  HANDLERS[type](input);

export async function executeCommand(
  deps: ProtectionDeps,
  run: Run,
  command: RunCommand,
  context: CommandContext = {},
): Promise<RunEvent[]> {
  const now = deps.clock.now();
  const at = now.toISOString();
  try {
    // Awaited here, so that a handler's rejection is caught below.
    return await handle(command.type, { deps, run, command, context, now, at });
  } catch (e) {
    return [{ type: 'CommandFailed', at, command: command.type, reason: toError(e).message }];
  }
}
