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
}

export interface VmCommandGateway {
  getVm(vmId: string, options?: AbortOptions): Promise<VmInfo | undefined>;
  /** VMs in a subscription, for tag-based enrollment. */
  listVms(subscriptionId: string, options?: AbortOptions): AsyncIterable<VmInfo>;
  /** Creates a managed Run Command, waits for it, reads its instance view, deletes it. */
  runScript(vmId: string, script: string, options: RunScriptOptions): Promise<RunScriptResult>;
}
