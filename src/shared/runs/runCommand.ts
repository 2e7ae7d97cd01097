/**
 * What `decide` asks the shell to do, as data. Each command names the run and its VM; the shell executes a command
 * only after the state that asked for it has been written with its ETag, so one instance executes it.
 */
import type { Severity } from '../checks/finding';
import type { ScriptPurpose } from './run';
import type { RestoreVmRequest } from '../azure/drillResources';
import type { DrillRecord } from '../drills/drillRecord';

interface CommandBase {
  runId: string;
  vmId: string;
}

export type RunCommand =
  /**
   * Starts the script of `purpose` on the VM `vmId` (the run's VM; the drill VM for 'verify') as an asynchronous
   * managed Run Command named `name`; never waits for it.
   */
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
  /** Records the run's pending alert `alertId` in the alert store (idempotent), which delivers it. */
  | (CommandBase & { type: 'Alert'; alertId: string; severity: Severity; code: string; message: string })
  /**
   * Whether a backup of the VM is in its snapshot phase now: a backup job in progress whose recovery point is not
   * listed yet (the pre-script's freeze belongs to it, and a thaw would break its consistency).
   */
  | (CommandBase & { type: 'FindSnapshotInProgress' })
  /** Takes (or extends) the VM's remediation lease until `until`; the holder is the run. */
  | (CommandBase & { type: 'AcquireRemediationLease'; until: string })
  | (CommandBase & { type: 'ReleaseRemediationLease' })
  /** Lists the VM's recovery points (a drill sampling an older one). */
  | (CommandBase & { type: 'ListDrillPoints' })
  /** Checks the drill target (settings, isolation, regions), then sends the restore; never waits for it. */
  | (CommandBase & { type: 'TriggerRestore'; request: Omit<RestoreVmRequest, 'region'> })
  /** Lists the vault's restore jobs since `since`: RestoreJobObserved for this VM's first one, else NoRestoreJobSinceRequest. */
  | (CommandBase & { type: 'FindRestoreJob'; since: string })
  | (CommandBase & { type: 'ReadDrillVm'; drillVmId: string })
  /**
   * Tags what the restore created as the app's: the drill VM with its disks and NICs when it exists, else the disks
   * a failed VM creation left in the drill group (named after the drill VM, unattached, created since `since`).
   */
  | (CommandBase & {
      type: 'ClaimDrillResources';
      drillVmId: string;
      drillVmName: string;
      since: string;
      tags: Record<string, string>;
    })
  /** Streams the verifier's whole output from the evidence blob through the integrity parser. */
  | (CommandBase & { type: 'ReadEvidence'; blobName: string; databases: string[] })
  /** Writes the drill record once (insert-only). */
  | (CommandBase & { type: 'RecordDrill'; record: DrillRecord })
  /** Deletes the drill VM, then every resource tagged with the run in the drill group (guarded deletes). */
  | (CommandBase & { type: 'DeleteDrillResources'; drillVmId: string; resourceIds: string[] });

export type RunCommandType = RunCommand['type'];
