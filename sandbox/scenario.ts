/**
 * A Scenario describes the simulated Azure world: vaults, VMs with their files and IRIS instances, how backup jobs
 * behave, and which faults to inject. Scenarios are plain JSON (sandbox/scenarios/*.json) or built in code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IrisInstanceSpec } from './vm-bin/irisSimState';

export interface VaultSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
}

/** A file in a VM's root. Exactly one of content, contentBase64, source (a repo-relative path) or symlinkTo. */
export interface VmFileSpec {
  /** Absolute path inside the VM, e.g. /etc/azure/VMSnapshotScriptPluginConfig.json */
  path: string;
  content?: string;
  contentBase64?: string;
  /** Copied from this file, relative to the repository root (e.g. vm/iris-pre.sh), when the sandbox starts. */
  source?: string;
  /** Text transforms applied to content/source: CRLF line endings, or a UTF-8 byte order mark. */
  crlf?: boolean;
  bom?: boolean;
  symlinkTo?: string;
  /** User name on this machine (e.g. root, nobody). Default root. */
  owner?: string;
  group?: string;
  /** Octal string, e.g. "600". Default "644" for files. */
  mode?: string;
}

export interface VmBackupBehaviour {
  /** Simulated duration of the snapshot phase (sandbox clock). Default from Scenario.backup. */
  durationMinutes?: number;
  /**
   * Simulated duration of the "Transfer data to vault" phase after a good snapshot (sandbox clock): Azure's runs for
   * hours (up to eight at peak, under 24 for daily backups). Default from Scenario.backup.
   */
  transferMinutes?: number;
  /** Forces the backup job to fail in its snapshot phase whatever the extension did (e.g. a platform error). */
  forceFailure?: { errorCode: number; errorString: string };
  /**
   * The transfer to the vault fails after a good snapshot: the snapshot-tier (InstantRP) recovery point stays listed,
   * the job ends Failed with this error when the transfer would have ended.
   */
  transferFailure?: { errorCode: number; errorTitle: string; errorString: string };
}

/**
 * What Azure does with a second on-demand backup while one runs for the item: refuse the POST at once (400
 * UserErrorBackupOperationInProgress), or accept it and fail the new job with that error code.
 */
export type BackupCollisionMode = 'refuse' | 'failJob';

export interface VmSpec {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags?: Record<string, string>;
  vmSize?: string;
  /** Name of the vault protecting this VM (same subscription), or absent when unprotected. */
  protectedBy?: string;
  /**
   * Whether the VMSnapshotLinux extension directory exists under /var/lib/waagent. Default: true for protected VMs
   * (Azure installs it with protection and the first backup), false otherwise; false on a protected VM shows the
   * BackupExtensionNotInstalled finding.
   */
  extensionInstalled?: boolean;
  files?: VmFileSpec[];
  /** IRIS instances, written with sandbox/vm-bin/irisSimState.ts writeIrisInstance. */
  irisInstances?: IrisInstanceSpec[];
  backup?: VmBackupBehaviour;
  /**
   * Recovery points that already exist when the sandbox starts (a snapshot of the VM's initial root). `tiers`
   * (default ['InstantRP']): a point without 'InstantRP' has only its vault copy, so a restore from it takes
   * backup.restoreFromVaultMinutes.
   */
  existingRecoveryPoints?: {
    ageHours: number;
    type: 'AppConsistent' | 'FileSystemConsistent' | 'CrashConsistent';
    tiers?: ('InstantRP' | 'HardenedRP')[];
  }[];
  /** Managed data disks (a restore recreates each one in the target resource group). Default none. */
  dataDisks?: { lun: number; sizeGb?: number }[];
  /**
   * The subnet of the VM's NIC: a scenario virtual network of the VM's subscription (backup.virtualNetworks) and one of
   * its subnets. Default: `vnet-prod`/`default` (a declared vnet-prod of the subscription, else one the sandbox makes
   * in the VM's resource group and region).
   */
  network?: { virtualNetwork: string; subnet: string };
}

/** A phase duration in minutes, drawn per VM (deterministically, from a hash of its name) uniformly in [min, max]. */
export interface MinutesRange {
  min: number;
  max: number;
}

/** A storage account a restore can stage through (Microsoft.Storage/storageAccounts). */
export interface StorageAccountSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** e.g. Standard_LRS, Standard_GRS, Standard_ZRS, Standard_GZRS, Standard_RAGZRS. Default Standard_LRS. */
  sku?: string;
}

/** A virtual network with its subnets (Microsoft.Network/virtualNetworks); subnets share its location. */
export interface VirtualNetworkSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  subnets: string[];
  /** Its address space (default 10.<n>.0.0/16, n its place among the sandbox's networks); subnet i gets x.x.i.0/24. */
  addressPrefix?: string;
  /**
   * Names of the scenario virtual networks (same subscription first, else any) this one is peered with: both sides
   * list the peering, as Azure shows a connected one.
   */
  peeredWith?: string[];
}

export interface LogTableSpec {
  name: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface WorkspaceSpec {
  id: string;
  /** Extra tables returned for every query, in order. */
  tables?: LogTableSpec[];
  /** Adds an AddonAzureBackupJobs table built from the sandbox's jobs (default true). */
  deriveBackupJobs?: boolean;
  /** Adds a CoreAzureBackup table (BackupItem rows) built from the protected items and their points (default true). */
  deriveBackupItems?: boolean;
  /** Tables the workspace does not have: a query naming one answers 400 SEM0100, as a real workspace does. */
  missingTables?: string[];
  /** Names of the vaults whose diagnostics reach this workspace (default: every vault). */
  diagnosticsFrom?: string[];
}

export type FaultSpec =
  | {
      kind: 'throttle';
      /** Case-insensitive regular expression over the URL-decoded path. */
      pathPattern: string;
      method?: string;
      /** 1-based number of the first matching request that is throttled. */
      nth: number;
      /** How many consecutive matching requests are throttled (default 1). */
      count?: number;
      retryAfterSeconds?: number;
    }
  | { kind: 'serverError'; pathPattern: string; method?: string; nth: number; count?: number; statusCode?: number }
  /**
   * Every matching request is refused with 403 AuthorizationFailed, as ARM answers a caller without the role: a
   * missing role assignment does not go away on retry.
   */
  | { kind: 'forbidden'; pathPattern: string; method?: string; clientId?: string }
  /** The matching Run Commands end as a time-out does: Failed with exitCode -1. */
  | { kind: 'runCommandTimeout'; vm: string; nameContains?: string }
  /** The VM is stopped: Run Command PUTs are refused with 409 OperationNotAllowed. */
  | { kind: 'vmNotRunning'; vm: string }
  | { kind: 'restoreFailure'; vm: string; errorCode?: number; errorString?: string }
  /**
   * Restore faults name the SOURCE VM (the protected item) in `vm`; they apply to every restore of its points.
   * restoreVmCreationFails: the restore job fails in "Create the restored VM": its disks exist in the target
   * resource group (unattached), no NIC and no VM.
   */
  | { kind: 'restoreVmCreationFails'; vm: string }
  /** The restored VM never boots: power state stays starting, its agent is never ready, Run Commands get 409. */
  | { kind: 'restoredVmNeverBoots'; vm: string }
  /** `iris start` fails on the restored VM (every instance, or the named one): it stays down. */
  | { kind: 'restoredIrisNeverStarts'; vm: string; instance?: string }
  /** The restored copy's integrity check reports errors in `database` (default: the instance's last database). */
  | { kind: 'restoredIntegrityErrors'; vm: string; database?: string; instance?: string }
  /** `database` (default: the instance's last) is absent from the restored VM: no directory, not mountable. */
  | { kind: 'restoredDatabaseMissing'; vm: string; database?: string; instance?: string }
  /**
   * The drill subnet is not isolated: the restored VM can open TCP connections to the source VM's private IP on
   * `ports` (default 1972, 22), or to exactly `addresses` ("ip:port") when given.
   */
  | { kind: 'drillNetworkNotIsolated'; vm: string; ports?: number[]; addresses?: string[] }
  /** ExternalThaw fails on every IRIS instance of the VM (thawRc knob), so a freeze is never undone. */
  | { kind: 'freezeNeverThaws'; vm: string }
  /**
   * The first `count` (default 1) DELETE requests for any Run Command on the VM are refused with an ARM error
   * (`{"error":{"code","message"}}`); the Run Command stays, and keeps running if it runs; later DELETEs work. Each
   * HTTP request counts, SDK retries included. Default status 409 (code Conflict, "another operation is in
   * progress"), which the SDK's retry policy does not retry, so the caller sees the failure. A 500 or 503 is
   * retried by the SDK (3 times with backoff by default): count 1 is then absorbed by a retry, as in Azure; a count
   * above the SDK's retries is needed for the caller to see it. Codes: 409 Conflict, 429 TooManyRequests,
   * 503 ServiceUnavailable, other 5xx InternalServerError, other 4xx BadRequest.
   */
  | { kind: 'runCommandDeleteFailure'; vm: string; count?: number; statusCode?: number }
  /**
   * Random faults on matching requests, drawn from a seeded generator (the same seed and request order give the same
   * faults). At most one fault per request; the probabilities are tried in the order listed here, each on a fresh
   * draw, so a later one applies only to the requests the earlier ones spared. Applied after the nth-request faults
   * above (a request one of them answers draws nothing).
   */
  | ChaosFault;

/** The 'chaos' fault kind (see FaultSpec). */
export interface ChaosFault {
  kind: 'chaos';
  seed: number;
  /** Case-insensitive regular expression over the URL-decoded path (default: every request). */
  pathPattern?: string;
  /** Only requests with this HTTP method (default: every method). */
  method?: string;
  /** 429 TooManyRequests with Retry-After: retryAfterSeconds (default 1), before the request is handled. */
  throttle?: number;
  retryAfterSeconds?: number;
  /** 500 or 503 (alternating by draw), before the request is handled. */
  serverError?: number;
  /** The connection is held hangMs (default 200, real time) and then reset, the request NOT handled. */
  timeoutBefore?: number;
  /** The request IS handled (its effect happens), then the connection is held hangMs and reset: the answer is lost. */
  timeoutAfter?: number;
  /**
   * PUT of a VM's Run Command (.../virtualMachines/<vm>/runCommands/<name>): 409 Conflict, "another operation is in
   * progress", before it is handled.
   */
  runCommandConflict?: number;
  /**
   * PUT of a VM's Run Command: accepted, but the handler skips it (ends Failed with SKIPPED_MESSAGE, as when too many
   * run at once; see runCommandService.ts skip()).
   */
  runCommandSkip?: number;
  hangMs?: number;
}

/** The probabilities of a chaos fault, in the order they are tried. */
export const CHAOS_PROBABILITIES = [
  'throttle',
  'serverError',
  'timeoutBefore',
  'timeoutAfter',
  'runCommandConflict',
  'runCommandSkip',
] as const satisfies readonly (keyof ChaosFault)[];

export interface RunCommandScenario {
  /** How often a running script's output and error are refreshed (Azure: about 15 s; default 15000). */
  liveOutputIntervalMs?: number;
  /** Run Commands running at once on one VM before the extra ones are skipped (default 5). */
  maxParallelPerVm?: number;
  /**
   * Real seconds the first Run Command on a VM waits while the handler installs (Azure: up to a minute).
   * Default 0, so tests are not slowed.
   */
  firstUseDelaySeconds?: number;
  /**
   * Latency model on the sandbox clock (e.g. 20-60 s per Run Command for a fleet benchmark with a compressed clock).
   * Each Run Command gets a simulated duration, deterministic from a hash of the VM name and the Run Command name
   * (case-insensitive), uniform in [min, max] seconds. The script still runs for real at once; its result (final
   * state, exitCode, final output, endTime; a synchronous PUT's operation) is shown only once the sandbox clock has
   * reached start + duration, and never before the script really ended; until then 'Running' / 'Execution in
   * progress'. endTime = max(real end, start + duration). A duration beyond timeoutInSeconds (> 0) ends as a
   * time-out (Failed, exitCode -1) at start + timeout. Absent: results show as soon as the script ends.
   */
  durationSeconds?: { min: number; max: number };
}

export interface Scenario {
  name: string;
  /** Sandbox clock start (ISO). Default: the real time at start. */
  startTime?: string;
  vaults: VaultSpec[];
  vms: VmSpec[];
  backup?: {
    /** Snapshot phase of a backup job, in minutes (default 15). */
    durationMinutes?: number;
    /** Snapshot phase as a per-VM range (wins over durationMinutes; a VM's own backup.durationMinutes wins over it). */
    snapshotMinutes?: MinutesRange;
    /** Transfer phase of a backup job after a good snapshot, in minutes or a per-VM range (default 60). */
    transferMinutes?: number | MinutesRange;
    /** Legacy: a restore from the vault tier, when restoreFromVaultMinutes is not set. */
    restoreDurationMinutes?: number;
    /** Restore job from a point with a valid snapshot tier (InstantRP), in minutes (default 10). */
    restoreFromSnapshotMinutes?: number;
    /** Restore job from a point in the vault tier only (HardenedRP), in minutes (default restoreDurationMinutes ?? 60). */
    restoreFromVaultMinutes?: number;
    /** A restored VM is 'starting' this long after its restore job completed, then running (default 2). */
    restoredVmBootMinutes?: number;
    /** A restored VM's agent reports Ready this long after the VM is running (default 3). */
    restoredVmAgentMinutes?: number;
    /**
     * 'azure': restore requests must carry every AlternateLocation field and the target resource group, staging
     * storage account and subnet must be declared here. 'lenient': only the target VM and resource group are required,
     * and only declared resources are checked. Default 'azure' when storageAccounts or virtualNetworks are declared.
     */
    restoreValidation?: 'azure' | 'lenient';
    storageAccounts?: StorageAccountSpec[];
    virtualNetworks?: VirtualNetworkSpec[];
    /** Unattached managed disks that exist when the sandbox starts (e.g. one left in a drill group by hand). */
    disks?: {
      subscriptionId: string;
      resourceGroup: string;
      name: string;
      location: string;
      tags?: Record<string, string>;
    }[];
    /** Resource groups that exist besides those of the vaults, VMs, storage accounts and networks. */
    resourceGroups?: { subscriptionId: string; name: string }[];
    /** Default 'refuse'. */
    collision?: BackupCollisionMode;
  };
  /** Page size for list operations (nextLink paging). Default 50. */
  pageSize?: number;
  workspaces?: WorkspaceSpec[];
  faults?: FaultSpec[];
  /** Managed Run Command timing (sandbox/runCommandService.ts); defaults suit tests. */
  runCommand?: RunCommandScenario;
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const requireString = (obj: Record<string, unknown>, key: string, where: string): string => {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new ScenarioError(`${where}: '${key}' must be a non-empty string`);
  return v;
};

/** Checks the parts the sandbox relies on; the rest is trusted as typed. */
export function validateScenario(value: unknown, where = 'scenario'): Scenario {
  if (!isRecord(value)) throw new ScenarioError(`${where}: must be an object`);
  requireString(value, 'name', where);
  if (!Array.isArray(value.vaults)) throw new ScenarioError(`${where}: 'vaults' must be an array`);
  if (!Array.isArray(value.vms)) throw new ScenarioError(`${where}: 'vms' must be an array`);
  value.vaults.forEach((v: unknown, i) => {
    const w = `${where}.vaults[${i}]`;
    if (!isRecord(v)) throw new ScenarioError(`${w}: must be an object`);
    for (const k of ['subscriptionId', 'resourceGroup', 'name', 'location']) requireString(v, k, w);
  });
  const seen = new Set<string>();
  value.vms.forEach((v: unknown, i) => {
    const w = `${where}.vms[${i}]`;
    if (!isRecord(v)) throw new ScenarioError(`${w}: must be an object`);
    for (const k of ['name', 'subscriptionId', 'resourceGroup', 'location']) requireString(v, k, w);
    const key = `${String(v.subscriptionId)}/${String(v.resourceGroup)}/${String(v.name)}`.toLowerCase();
    if (seen.has(key)) throw new ScenarioError(`${w}: duplicate VM ${key}`);
    seen.add(key);
    if (v.files !== undefined && !Array.isArray(v.files)) throw new ScenarioError(`${w}: 'files' must be an array`);
    (Array.isArray(v.files) ? v.files : []).forEach((f: unknown, j) => {
      const fw = `${w}.files[${j}]`;
      if (!isRecord(f)) throw new ScenarioError(`${fw}: must be an object`);
      const p = requireString(f, 'path', fw);
      if (!p.startsWith('/') || p.split('/').includes('..'))
        throw new ScenarioError(`${fw}: path must be absolute without '..'`);
      if (f.mode !== undefined && (typeof f.mode !== 'string' || !/^[0-7]{3,4}$/.test(f.mode))) {
        throw new ScenarioError(`${fw}: mode must be an octal string like "600"`);
      }
    });
    if (v.extensionInstalled !== undefined && typeof v.extensionInstalled !== 'boolean') {
      throw new ScenarioError(`${w}: 'extensionInstalled' must be true or false`);
    }
    if (typeof v.protectedBy === 'string') {
      const vaults = value.vaults as VaultSpec[];
      if (!vaults.some((vault) => vault.name === v.protectedBy && vault.subscriptionId === v.subscriptionId)) {
        throw new ScenarioError(
          `${w}: protectedBy '${v.protectedBy}' names no vault in subscription ${String(v.subscriptionId)}`,
        );
      }
    }
  });
  if (value.faults !== undefined && !Array.isArray(value.faults))
    throw new ScenarioError(`${where}: 'faults' must be an array`);
  (Array.isArray(value.faults) ? value.faults : []).forEach((f: unknown, i) => {
    if (isRecord(f) && f.kind === 'chaos') validateChaos(f, `${where}.faults[${i}]`);
  });
  const durations = isRecord(value.runCommand) ? value.runCommand.durationSeconds : undefined;
  if (
    durations !== undefined &&
    !(
      isRecord(durations) &&
      typeof durations.min === 'number' &&
      typeof durations.max === 'number' &&
      Number.isFinite(durations.max) &&
      durations.min >= 0 &&
      durations.min <= durations.max
    )
  ) {
    throw new ScenarioError(`${where}.runCommand.durationSeconds: must be { min, max } with 0 <= min <= max`);
  }
  return value as unknown as Scenario;
}

function validateChaos(f: Record<string, unknown>, where: string): void {
  if (typeof f.seed !== 'number' || !Number.isInteger(f.seed))
    throw new ScenarioError(`${where}: chaos 'seed' must be an integer`);
  for (const k of CHAOS_PROBABILITIES) {
    const p = f[k];
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1))
      throw new ScenarioError(`${where}: chaos '${k}' must be a probability from 0 to 1, not ${JSON.stringify(p)}`);
  }
  for (const k of ['hangMs', 'retryAfterSeconds']) {
    const v = f[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0))
      throw new ScenarioError(`${where}: chaos '${k}' must be a non-negative number`);
  }
  if (f.method !== undefined && typeof f.method !== 'string')
    throw new ScenarioError(`${where}: chaos 'method' must be a string`);
  if (f.pathPattern !== undefined) {
    if (typeof f.pathPattern !== 'string') throw new ScenarioError(`${where}: chaos 'pathPattern' must be a string`);
    try {
      new RegExp(f.pathPattern, 'i');
    } catch {
      throw new ScenarioError(`${where}: chaos 'pathPattern' is not a valid regular expression`);
    }
  }
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`Cannot read scenario ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`Scenario ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return validateScenario(parsed, path.basename(file));
}
