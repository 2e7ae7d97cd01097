/** The slice of Azure Compute the app uses: VMs and managed Run Commands. Implemented over @azure/arm-compute. */
import type { AbortOptions } from './backupGateway';

export interface VmInfo {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** ARM ids of the VM's network interfaces and disks (for drill clean-up). */
  nicIds: string[];
  diskIds: string[];
  provisioningState?: string;
}

export type ExecutionState =
  'Unknown' | 'Pending' | 'Running' | 'Failed' | 'Succeeded' | 'TimedOut' | 'Canceled' | string;

export interface RunScriptResult {
  executionState: ExecutionState;
  exitCode?: number;
  /** Last 4 KiB of stdout (Azure keeps no more). Untrusted. */
  output: string;
  /** Last 4 KiB of stderr. Untrusted. */
  error: string;
  executionMessage?: string;
}

export interface RunScriptOptions extends AbortOptions {
  /** Unique per run, e.g. `ibg-probe-<night>-<n>`; the Run Command resource is deleted afterwards. */
  name: string;
  parameters?: { name: string; value: string }[];
  timeoutInSeconds: number;
  /** An append blob URL (with its SAS) the handler writes the script's whole stdout to, beyond the 4 KiB it keeps. */
  outputBlobUri?: string;
  /** The VM's region when the caller knows it (saves reading the VM for it). */
  location?: string;
}

/** A Run Command resource on a VM, as listed for the sweep of stale ones. */
export interface RunCommandListing {
  name: string;
  executionState: ExecutionState;
  /** When the script started (ISO 8601), if it has. */
  startTime?: string;
}

export interface VmCommandGateway {
  getVm(vmId: string, options?: AbortOptions): Promise<VmInfo | undefined>;
  /** VMs in a subscription, for tag-based enrollment. */
  listVms(subscriptionId: string, options?: AbortOptions): AsyncIterable<VmInfo>;
  /**
   * Creates a managed Run Command, waits for it, reads its instance view, deletes it. For the CLI, whose user waits
   * anyway; the functions start scripts and read them on later ticks instead.
   */
  runScript(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult>;
  /**
   * Starts a script with asyncExecution: resolves once Azure has accepted the Run Command, without waiting for the
   * script. A VM that is not running rejects with PRECONDITION_FAILED.
   */
  startScript(vmId: string, script: string, options: RunScriptOptions): Promise<void>;
  /** The Run Command's instance view, or undefined when the VM has no Run Command of that name. */
  readScript(vmId: string, name: string, options?: AbortOptions): Promise<RunScriptResult | undefined>;
  /** Deletes the Run Command (which stops its script if it still runs); an absent one is not an error. */
  deleteScript(vmId: string, name: string): Promise<void>;
  /** The VM's Run Commands with their state. */
  listScripts(vmId: string, options?: AbortOptions): AsyncIterable<RunCommandListing>;
}
