/**
 * The sandbox: a local HTTPS ARM emulator over a simulated world of vaults and VMs, for development and tests.
 * Point the real SDK clients at `sandbox.url` (reference/azure-apis.md §0.1) with `sandbox.credential`.
 */
import type { TokenCredential } from '@azure/core-auth';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vmResourceId } from './armIds';
import { ArmEventLog } from './armEvents';
import { monitorAlertPayload, type MonitorAlertOptions } from './monitorAlerts';
import { ArmRouter } from './armRouter';
import { ArmServer, type RouteStats } from './armServer';
import { backupRoutes } from './backupRoutes';
import { BackupService, type ScheduledJobSpec } from './backupService';
import { SandboxClock } from './clock';
import { computeRoutes } from './computeRoutes';
import { FaultInjector } from './faultInjector';
import { logAnalyticsRoutes } from './logAnalyticsRoutes';
import { networkRoutes } from './networkRoutes';
import { repoRoot } from './repoRoot';
import { RunCommandService } from './runCommandService';
import { type Scenario, loadScenario, validateScenario } from './scenario';
import { TrafficRecorder } from './trafficRecorder';
import { VmProcessRunner } from './vmProcess';
import { World } from './world';

export { SandboxClock } from './clock';
export { loadScenario, validateScenario, ScenarioError } from './scenario';
export type {
  Scenario,
  VmSpec,
  VmFileSpec,
  VaultSpec,
  FaultSpec,
  ChaosFault,
  WorkspaceSpec,
  LogTableSpec,
} from './scenario';
export { generateFleetScenario } from './fleetGenerator';
export {
  ArmEventLog,
  armEventIn,
  armOperationOf,
  type ArmEventRecord,
  type ArmEventSchema,
  type CloudEventsSchemaEvent,
  type EventGridSchemaEvent,
} from './armEvents';
export { monitorAlertPayload, type FailedJobFacts, type MonitorAlertOptions } from './monitorAlerts';
export { formatFilterDate } from './odataFilter';
export { hardenedSetupFiles } from './hardenedSetup';
export { startAzurite, type AzuriteTables } from './azurite';
export {
  startNotificationReceivers,
  type NotificationReceivers,
  type ReceivedRequest,
  type ReceiverFault,
  type ReceiverName,
} from './notificationReceivers';
export {
  validateTraffic,
  formatTrafficIssues,
  UNDEFINED_OPERATION_EXCEPTIONS,
  type TrafficValidationResult,
} from './trafficValidation';

export interface SandboxOptions {
  /** A scenario object, or the path of a scenario JSON file. */
  scenario: Scenario | string;
  /** Records every exchange as an oav traffic file here (default: $SANDBOX_TRAFFIC_DIR when set). */
  trafficDir?: string;
  /** Where VM roots and recovery points live (default: a new temp dir, removed by stop()). */
  stateDir?: string;
  port?: number;
}

export interface SandboxRequestStats {
  total: number;
  byRoute: Record<string, RouteStats>;
}

export interface Sandbox {
  /** Base URL, e.g. https://127.0.0.1:41234 (no trailing slash). */
  url: string;
  credential: TokenCredential;
  /** Starts at scenario.startTime (default: now), runs with real time, jumps on advance(); VM processes follow it. */
  clock: SandboxClock;
  scenario: Scenario;
  stateDir: string;
  /** Host directory used as the root of the VM with this ARM id (case-insensitive). */
  vmRoot(vmId: string): string;
  /** Number of requests served so far. */
  readonly requests: number;
  requestStats(): SandboxRequestStats;
  /**
   * How many request faults fired so far, by kind (throttle, serverError, forbidden, timeoutBefore, timeoutAfter,
   * runCommandConflict, runCommandSkip; a kind that never fired is absent).
   */
  faultCounts(): Record<string, number>;
  /**
   * The ARM resource events the emulator's operations produced (backup POSTs, VM writes and deletes, the VMs a restore
   * creates), waiting to be taken and delivered to the app's Event Grid handler in either schema.
   */
  events: ArmEventLog;
  /**
   * An Azure Monitor common-schema alert for a failed backup job of the sandbox (by job id), as an action group
   * posts it: Azure Backup's built-in alert, or a log alert on AddonAzureBackupJobs.
   */
  monitorAlertFor(jobId: string, options?: MonitorAlertOptions): Record<string, unknown>;
  /**
   * Records a scheduled (policy) backup the app did not start, already ended, as the vault's logs will show it
   * (AdHocOrScheduledJob 'Scheduled'). Returns its job id.
   */
  addScheduledJob(spec: ScheduledJobSpec): string;
  /** Resolves when no simulated backup extension run and no Run Command script process is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** A static fake token: the emulator does not check it, but the SDKs need one (and HTTPS) to send requests. */
export const sandboxCredential: TokenCredential = {
  getToken: async () => ({ token: 'sandbox-fake-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

interface CertificateModule {
  ensureSandboxCertificate(dir?: string): { certPath: string; keyPath: string };
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const scenario =
    typeof options.scenario === 'string' ? loadScenario(options.scenario) : validateScenario(options.scenario);
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-sandbox-'));
  fs.mkdirSync(stateDir, { recursive: true });
  const root = repoRoot();
  const clock = new SandboxClock(scenario.startTime ?? Date.now());
  const processes = new VmProcessRunner(undefined, () => clock.offsetFromRealMs());
  const world = new World(stateDir, clock, root);
  const cleanup = (): void => {
    processes.stopAll();
    if (ownsStateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    world.load(scenario);
  } catch (e) {
    cleanup();
    throw e;
  }
  const backup = new BackupService(world, clock, processes, scenario);
  try {
    await backup.seedRecoveryPoints();
  } catch (e) {
    cleanup();
    throw e;
  }
  const events = new ArmEventLog(clock);
  world.onVmCreated = (vm) => events.recordPlatformWrite(vm.id);
  const runCommands = new RunCommandService(clock, processes, scenario.faults ?? [], scenario.runCommand);
  const pageSize = scenario.pageSize ?? 50;
  const router = new ArmRouter([
    ...backupRoutes(backup, clock, pageSize),
    ...computeRoutes(world, runCommands, pageSize),
    ...networkRoutes(world, pageSize),
    ...logAnalyticsRoutes(scenario.workspaces ?? [], backup, () => clock.nowMs()),
  ]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cert = require(path.join(root, 'scripts', 'sandboxCertificate.js')) as CertificateModule;
  const { certPath, keyPath } = cert.ensureSandboxCertificate();
  const faults = new FaultInjector(scenario.faults ?? []);
  const server = new ArmServer({
    router,
    faults,
    tls: { cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) },
    port: options.port,
    beforeRequest: () => backup.settle(),
    afterResponse: (method, requestPath, status) => events.recordRequest(method, requestPath, status),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (e) {
    cleanup();
    throw e;
  }
  const trafficDir = options.trafficDir ?? process.env.SANDBOX_TRAFFIC_DIR;
  if (trafficDir) server.setRecorder(new TrafficRecorder(trafficDir, url));

  let stopped = false;
  return {
    url,
    credential: sandboxCredential,
    clock,
    scenario,
    stateDir,
    vmRoot(vmId: string): string {
      const vm = world.vmById(vmId);
      if (!vm) throw new Error(`No VM ${vmId} in the sandbox`);
      return vm.root;
    },
    get requests(): number {
      return server.requests;
    },
    events,
    addScheduledJob: (spec) => backup.addScheduledJob(spec).id,
    monitorAlertFor(jobId: string, options?: MonitorAlertOptions): Record<string, unknown> {
      const job = backup.jobs.get(jobId.toLowerCase());
      if (!job) throw new Error(`No job ${jobId} in the sandbox`);
      const sub = /^\/subscriptions\/([^/]+)/i.exec(job.vaultId)?.[1] ?? '';
      const error = job.result?.errors[0];
      return monitorAlertPayload(
        {
          jobId: job.id,
          vaultId: job.vaultId,
          vmId: vmResourceId(sub, job.vmResourceGroup, job.vmName),
          vmName: job.vmName,
          startTime: new Date(job.startMs).toISOString(),
          ...(error === undefined
            ? {}
            : { errorCode: error.errorTitle || String(error.errorCode), errorMessage: error.errorString }),
        },
        options,
      );
    },
    requestStats: () => ({ total: server.requests, byRoute: Object.fromEntries(server.routeStats) }),
    faultCounts: () => faults.counts(),
    idle: async () => {
      await Promise.all([backup.idle(), runCommands.idle()]);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await server.close();
      cleanup();
    },
  };
}

/** The ARM id of a scenario VM, for tests and the demo. */
export const scenarioVmId = (vm: { subscriptionId: string; resourceGroup: string; name: string }): string =>
  vmResourceId(vm.subscriptionId, vm.resourceGroup, vm.name);
