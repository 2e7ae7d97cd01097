/**
 * A sandbox world for the protection tests: the ARM emulator, Azurite's tables, and ProtectionDeps built by the real
 * composition root (real gateways, real Table store), with the sandbox clock and a capturing log and alert sink.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import { scenarioVmId, startSandbox, type Sandbox, type Scenario, type VmSpec } from '../../sandbox/index';
import { createProtectionDeps, type ProtectionOverrides } from '../../src/composition/composition';
import type { Alert } from '../../src/shared/alerts/alert';
import type { ProtectionDeps, ProtectionLog, RunAlert } from '../../src/shared/protection/protectionDeps';

const isRunAlert = (a: Alert): a is RunAlert => a.scope.kind === 'run';

export const SUB = '00000000-0000-0000-0000-0000000000aa';
const TAG = { 'iris-backup-guard': 'enabled' };

/** A well set-up, tagged IRIS VM protected by vault-1 of SUB, unless `extra` says otherwise. */
export const protectionVm = (name: string, extra: Partial<VmSpec> = {}): VmSpec => ({
  name,
  subscriptionId: SUB,
  resourceGroup: 'rg-iris',
  location: 'westeurope',
  tags: TAG,
  protectedBy: 'vault-1',
  files: hardenedSetupFiles(),
  irisInstances: [{ name: 'IRIS', product: 'IRIS', status: 'running' }],
  ...extra,
});

/**
 * Two well set-up VMs, one without the plugin config (silent 316 fallback), one tagged but unprotected.
 * No fixed start time: the VM scripts and IRIS write their logs with the real clock, so the sandbox clock starts there.
 */
export function smallScenario(names = ['iris-a', 'iris-b']): Scenario {
  return {
    name: 'protection-small',
    vaults: [{ subscriptionId: SUB, resourceGroup: 'rg-backup', name: 'vault-1', location: 'westeurope' }],
    vms: [
      ...names.map((n) => protectionVm(n)),
      protectionVm('iris-noconfig', { files: hardenedSetupFiles().filter((f) => !f.path.endsWith('.json')) }),
      protectionVm('iris-unprotected', { protectedBy: undefined }),
    ],
    backup: { durationMinutes: 20 },
  };
}

/** One well set-up VM, for the many short worlds of the crash tests. */
export function singleVmScenario(): Scenario {
  return { ...smallScenario(), name: 'protection-single', vms: [protectionVm('iris-a')] };
}

export interface CapturedLog extends ProtectionLog {
  lines: { level: string; message: string; details?: Record<string, unknown> }[];
}

export const capturingLog = (): CapturedLog => {
  const lines: CapturedLog['lines'] = [];
  const push = (level: string) => (message: string, details?: Record<string, unknown>) => {
    lines.push(details === undefined ? { level, message } : { level, message, details });
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
};

export interface ProtectionWorld {
  sandbox: Sandbox;
  azurite: AzuriteTables;
  env: Record<string, string>;
  deps: ProtectionDeps;
  log: CapturedLog;
  /** Alerts about runs. */
  alerts: RunAlert[];
  /** Recovery notices (kind 'recovery'), kept apart from the problems. */
  recoveries: Alert[];
  /** Alerts about a whole vault or subscription. */
  scopeAlerts: Alert[];
  vmId(name: string): string;
  /** The compute SDK client of a subscription (default SUB), pointed at the sandbox: the test's own view of Azure. */
  compute(subscriptionId?: string): ComputeManagementClient;
  /** Fresh deps over the same world (a "restarted" instance), optionally wrapped. */
  newInstance(wrap?: ProtectionOverrides['wrap']): ProtectionDeps;
  stop(): Promise<void>;
}

let tableCounter = 0;

export async function startProtectionWorld(
  scenario: Scenario = smallScenario(),
  azurite?: AzuriteTables,
  /** Settings that differ from the single-vault default (e.g. IBG_VAULT_IDS). */
  envOverrides: Record<string, string> = {},
): Promise<ProtectionWorld> {
  const ownAzurite = azurite === undefined;
  const tables = azurite ?? (await startAzurite());
  const sandbox = await startSandbox({ scenario });
  tableCounter += 1;
  const env: Record<string, string> = {
    IBG_VAULT_IDS: `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`,
    IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
    IBG_RUNS_TABLE_CONNECTION_STRING: tables.connectionString,
    IBG_RUNS_TABLE_NAME: `runs${process.pid}x${tableCounter}${Date.now().toString(36)}`,
    AZURE_ARM_ENDPOINT: sandbox.url,
    IBG_POLL_INTERVAL_MS: '0',
    IBG_RUN_COMMAND_TIMEOUT_SECONDS: '60',
    ...envOverrides,
  };
  const log = capturingLog();
  const alerts: RunAlert[] = [];
  const scopeAlerts: Alert[] = [];
  const recoveries: Alert[] = [];
  const capture = async (a: Alert): Promise<void> => {
    // A recovery notice ends a problem; the lists below hold the problems raised.
    if (a.kind === 'recovery') recoveries.push(a);
    else if (isRunAlert(a)) alerts.push(a);
    else scopeAlerts.push(a);
  };
  const newInstance = (wrap?: ProtectionOverrides['wrap']): ProtectionDeps => {
    const deps = createProtectionDeps(env, { credential: sandbox.credential, clock: sandbox.clock, log });
    const withAlerts: ProtectionDeps = { ...deps, alerts: { raise: capture } };
    return wrap ? wrap(withAlerts) : withAlerts;
  };
  return {
    sandbox,
    azurite: tables,
    env,
    deps: newInstance(),
    log,
    alerts,
    scopeAlerts,
    recoveries,
    vmId: (name) => scenarioVmId({ subscriptionId: SUB, resourceGroup: 'rg-iris', name }),
    newInstance,
    compute: (subscriptionId = SUB) =>
      new ComputeManagementClient(sandbox.credential, subscriptionId, { endpoint: sandbox.url }),
    async stop() {
      try {
        // Let the simulated extension finish writing into the VM roots before they are removed.
        await sandbox.idle();
        await sandbox.stop();
      } finally {
        if (ownAzurite) await tables.stop();
      }
    },
  };
}

export interface ListedRunCommand {
  name: string;
  executionState: string;
}

/** The VM's managed Run Commands with their state, listed through the compute SDK. */
export async function runCommandsOn(w: ProtectionWorld, vmName: string, rg = 'rg-iris'): Promise<ListedRunCommand[]> {
  const found: ListedRunCommand[] = [];
  for await (const rc of w.compute().virtualMachineRunCommands.listByVirtualMachine(rg, vmName, {
    expand: 'instanceView',
  })) {
    found.push({ name: rc.name ?? '', executionState: rc.instanceView?.executionState ?? '' });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The names of the VM's Run Commands that the app created (the `ibg-` prefix). */
export const ibgRunCommandsOn = async (w: ProtectionWorld, vmName: string): Promise<string[]> =>
  (await runCommandsOn(w, vmName)).filter((rc) => rc.name.startsWith('ibg-')).map((rc) => rc.name);
