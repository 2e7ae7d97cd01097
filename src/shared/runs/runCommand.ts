/**
 * What `decide` asks the shell to do, as data. Each command names the run and its VM; the shell executes a command
 * only after the state that asked for it has been written with its ETag, so one instance executes it.
 */
import type { Severity } from '../checks/finding';
import type { ScriptPurpose } from './run';

interface CommandBase {
  runId: string;
  vmId: string;
}

export type RunCommand =
  /** Starts the probe on the VM as an asynchronous managed Run Command named `name`; never waits for it. */
  | (CommandBase & { type: 'StartScript'; name: string; purpose: ScriptPurpose; since?: string })
  /** Reads the Run Command's instance view once. */
  | (CommandBase & { type: 'ReadScript'; name: string })
  | (CommandBase & { type: 'DeleteScript'; name: string })
  | (CommandBase & { type: 'FindInProgressJob'; vmName: string; vaultId: string })
  /** Lists the vault's backup jobs since `since`: JobObserved for this VM's first one, else NoJobSinceRequest. */
  | (CommandBase & { type: 'FindJobSinceRequest'; vmName: string; vaultId: string; since: string })
  | (CommandBase & { type: 'TriggerBackup'; expiry: string })
  | (CommandBase & { type: 'ReadOperation'; operationId: string })
  | (CommandBase & { type: 'FindRecoveryPoint'; after: string })
  | (CommandBase & { type: 'Alert'; severity: Severity; code: string; message: string });

export type RunCommandType = RunCommand['type'];
