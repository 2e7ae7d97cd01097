/**
 * `iris-backup-guard demo`: starts the sandbox with a sample fleet of IRIS VMs and Azurite, runs the app's own
 * commands and the use cases behind its timer functions against them (real SDK clients, real scripts under dash),
 * and prints a report.
 *
 * The function modules in src/functions/ are not loaded here: registering a function outside the Functions host
 * makes @azure/functions print "test mode" warnings, and it offers no supported way to silence them. The functions
 * are thin adapters over runNightlyProtection and advanceRuns, which the demo calls directly.
 */
import { spawnSync } from 'node:child_process';
import {
  RecoveryServicesBackupClient,
  type AzureIaaSVMJobTaskDetails,
  type AzureIaaSVMJobV2,
} from '@azure/arm-recoveryservicesbackup';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from '../../src/cli/cliCommand';
import { probeVm } from '../../src/cli/commands/checkCommand';
import { checkSetup } from '../../src/shared/checks/checkSetup';
import { findingsToJson, type CheckReport } from '../../src/shared/checks/formatFindings';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { createProtectionDeps } from '../../src/composition/composition';
import type { AlertRecord } from '../../src/shared/alerts/alertRecord';
import { ARM_SCOPE } from '../../src/shared/gateways/azureClients';
import { parseDurationInMs } from '../../src/shared/gateways/jobDuration';
import { isRemediating } from '../../src/shared/remediation/remediationState';
import { nightOf } from '../../src/shared/protection/night';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { AlertSink, ProtectionDeps, ProtectionLog } from '../../src/shared/protection/protectionDeps';
import { terminalJson } from '../../src/shared/report/terminalText';
import { isTerminalStage, type Run } from '../../src/shared/runs/run';
import { startAzurite } from '../azurite';
import { scenarioVmId, startSandbox, type Sandbox } from '../index';
import { startNotificationReceivers } from '../notificationReceivers';
import { repoRoot } from '../repoRoot';
import { DEMO_DRILL_RESOURCE_GROUP, demoEnvironment } from './demoEnvironment';
import { DEMO_SCHEMA, demoDrillLines, demoVmLines, renderDemoReport, reportTime, type DemoSummary } from './demoReport';
import { frozenIrisEntries } from './frozenIrisSection';
import { receivedAlertsOf } from './receivedAlert';
import { startDashboardServer } from '../../src/cli/dashboardServer';
import { untilStopped } from '../../src/cli/untilStopped';
import { createEvidenceSource } from '../../src/composition/composition';
import { evidenceFilesOf, sha256Hex } from '../../src/shared/evidence/evidenceFiles';
import { evidencePackOf } from '../../src/shared/evidence/evidencePack';
import { readPeriodSummaries } from '../../src/shared/evidence/readPeriod';

/** The advance tick's period, as the timer function runs it. */
export const TICK_MS = 5 * 60_000;
/** The step while runs only wait for their jobs' transfer to the vault, which takes hours (azure-apis.md §2). */
const TRANSFER_TICK_MS = 30 * 60_000;
const MAX_TICKS = 200;

interface CertificateModule {
  ensureSandboxCertificate(): { certPath: string };
}

/** The SDKs need HTTPS, and Node reads extra CAs only at start: re-run this process trusting the sandbox's certificate. */
function ensureTrustedCertificate(argv: readonly string[]): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cert = require(path.join(repoRoot(), 'scripts', 'sandboxCertificate.js')) as CertificateModule;
  const { certPath } = cert.ensureSandboxCertificate();
  const trusted = process.env.NODE_EXTRA_CA_CERTS;
  if (trusted !== undefined && path.resolve(trusted) === certPath) return undefined;
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('cannot re-run the demo: unknown entry script');
  const child = spawnSync(process.execPath, [entry, 'demo', ...argv], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
  });
  return child.status ?? EXIT_FAILURE;
}

const quietLog = (lines: string[]): ProtectionLog => ({
  info: () => undefined,
  warn: (message) => lines.push(`warning: ${message}`),
  error: (message) => lines.push(`error: ${message}`),
});

/** Keeps each alert for the report instead of logging it: the report shows the findings they are about once. */
const collectingAlerts = (alerts: DemoSummary['alerts']): AlertSink => ({
  raise: async (alert) => {
    alerts.push({ severity: alert.severity, code: alert.code });
  },
});

export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['scenario', 'traffic-dir', 'evidence-dir', 'port'], flags: ['json'] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const json = args.options.json === true;
  const reexec = ensureTrustedCertificate(argv);
  if (reexec !== undefined) return reexec;

  const scenarioPath =
    typeof args.options.scenario === 'string'
      ? path.resolve(args.options.scenario)
      : path.join(repoRoot(), 'sandbox', 'scenarios', 'demo-fleet.json');
  const trafficDir =
    typeof args.options['traffic-dir'] === 'string' ? path.resolve(args.options['traffic-dir']) : undefined;
  if (trafficDir) fs.mkdirSync(trafficDir, { recursive: true });
  const evidenceDir = path.resolve(
    typeof args.options['evidence-dir'] === 'string' ? args.options['evidence-dir'] : 'demo-evidence',
  );
  const portText = typeof args.options.port === 'string' ? args.options.port : '0';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw new UsageError(`--port "${portText}" is not a port number 0-65535 (0: any free port)`);
  const progress = (text: string): void => {
    if (!json) io.out(text);
  };

  progress('Starting the sandbox (simulated Azure) and Azurite (Table Storage)…');
  const azurite = await startAzurite();
  const sandbox = await startSandbox({ scenario: scenarioPath, ...(trafficDir ? { trafficDir } : {}) });
  const receivers = await startNotificationReceivers();
  const warnings: string[] = [];
  const alerts: DemoSummary['alerts'] = [];
  try {
    const env = demoEnvironment(sandbox.scenario, {
      sandboxUrl: sandbox.url,
      tableConnectionString: azurite.connectionString,
      notifications: { urls: receivers.urls, eventGridKey: receivers.eventGridKey },
    });
    const demoIo: CliIo = { ...io, env, credential: sandbox.credential, clock: sandbox.clock };

    progress(`Checking the backup script setup of ${sandbox.scenario.vms.length} VMs through Run Command…`);
    const checks: CheckReport[] = [];
    for (const vm of sandbox.scenario.vms) {
      const vmId = scenarioVmId(vm);
      const outcome = await probeVm(vmId, demoIo);
      if (outcome.facts) checks.push(findingsToJson(vm.name, checkSetup(outcome.facts, { vmId }), outcome.facts));
      else warnings.push(`${vm.name}: probe failed: ${outcome.problems.join('; ')}`);
    }

    const deps = createProtectionDeps(env, {
      credential: sandbox.credential,
      clock: sandbox.clock,
      log: quietLog(warnings),
      // The follow-up reads of a verdict's logs and of a remediation (check, thaw, check) wait on the sandbox clock,
      // while the VM's scripts run: all within the tick that reached the verdict, as in Azure.
      pause: async (ms) => {
        sandbox.clock.advance(ms);
        await sandbox.idle();
      },
      wrap: (d) => ({ ...d, alerts: collectingAlerts(alerts) }),
    });
    progress(
      'Nightly protection: preflight and an on-demand backup for every enrolled VM, then a restore drill of each good point…',
    );
    const nightStartedAt = deps.clock.now().toISOString();
    const night = nightOf(deps.clock.now(), deps.settings.schedules.nightTimeZone);
    const nightly = await runNightlyProtection(deps, night);
    for (const v of nightly.vms) if (v.outcome === 'error') warnings.push(`error: ${v.vmId}: ${v.error}`);

    let ticks = 0;
    let runs = await listRuns(deps);
    // A remediation may outlive its run's stages (a frozen IRIS is watched until it is thawed).
    const open = (r: Run): boolean => !isTerminalStage(r.stage) || isRemediating(r.remediation);
    while (runs.some(open) && ticks < MAX_TICKS) {
      await sandbox.idle();
      // Once every open run only waits for its job's transfer to the vault (hours), jump ahead in bigger steps.
      const transferOnly = runs.every(
        (r) => !isRemediating(r.remediation) && (isTerminalStage(r.stage) || r.stage === 'transfer-running'),
      );
      sandbox.clock.advance(transferOnly ? TRANSFER_TICK_MS : TICK_MS);
      const advanced = await advanceRuns(deps);
      for (const e of advanced.errors) warnings.push(`error: advancing ${e.runId} failed: ${e.error}`);
      for (const e of advanced.vaultErrors)
        warnings.push(`warning: listing the jobs of ${e.vaultId} failed: ${e.error}`);
      ticks += 1;
      runs = await listRuns(deps);
      const unfinished = runs.filter((r) => !isTerminalStage(r.stage)).length;
      progress(
        `  advanceRuns, sandbox clock ${reportTime(sandbox.clock.now().toISOString())}: ${runs.length - unfinished} of ${runs.length} runs finished`,
      );
    }

    // The drills' cleanup as Azure sees it: whatever the drill resource group still holds.
    const drillGroupId = deps.settings.drills?.target.resourceGroupId ?? '';
    const drillResourcesLeft: string[] = [];
    for await (const r of deps.gateways.drills?.listResources(drillGroupId) ?? []) {
      drillResourcesLeft.push(`${r.kind} ${r.name}`);
    }

    // The frozen-IRIS section: the alerts as recorded and as each receiver got them, and the jobs' snapshot ends.
    const records: AlertRecord[] = (await deps.notifications?.store.listSince(nightStartedAt)) ?? [];
    const received = receivers.requests.flatMap(receivedAlertsOf);
    const snapshotEnds = new Map<string, string>();
    for (const run of runs.filter((r) => r.remediation !== undefined)) {
      const end = await snapshotCompletedAt(sandbox, run);
      if (end !== undefined) snapshotEnds.set(run.id, end);
    }
    const frozenIris = frozenIrisEntries(runs, records, received, {
      autoThaw: deps.settings.autoThaw,
      snapshotCompletedAt: (run) => snapshotEnds.get(run.id),
    });

    progress(`Writing the evidence export of night ${night} to ${evidenceDir}…`);
    const evidence = await writeNightEvidence(deps, night, evidenceDir);

    const fleet = sandbox.scenario.vms.map((vm) => ({ name: vm.name, id: scenarioVmId(vm) }));
    const notProtected = [...nightly.enrollment.taggedNotProtected, ...nightly.enrollment.listedNotProtected];
    const summary: DemoSummary = {
      schema: DEMO_SCHEMA,
      scenario: sandbox.scenario.name ?? path.basename(scenarioPath),
      night,
      sandboxTime: sandbox.clock.now().toISOString(),
      vms: demoVmLines(fleet, checks, runs, notProtected),
      notProtected,
      alerts,
      checks,
      runs,
      drills: demoDrillLines(runs),
      frozenIris,
      drillResourcesLeft,
      drillResourceGroup: DEMO_DRILL_RESOURCE_GROUP,
      evidence,
      armRequests: sandbox.requests,
      warnings,
    };
    io.out(json ? terminalJson(summary) : renderDemoReport(summary));
    const exitCode = runs.every((r) => isTerminalStage(r.stage)) ? EXIT_OK : EXIT_FAILURE;
    if (!json) await serveDashboard(deps, sandbox, Number(portText), io);
    return exitCode;
  } finally {
    await receivers.stop();
    await sandbox.stop();
    await azurite.stop();
  }
}

/**
 * The evidence pack of the demo's night, as `iris-backup-guard evidence` and GET /api/evidence make it, written into
 * `dir` (the demo's own output: earlier files of the same names are replaced).
 */
async function writeNightEvidence(deps: ProtectionDeps, night: string, dir: string): Promise<DemoSummary['evidence']> {
  const source = createEvidenceSource(deps.settings, { credential: undefined, warn: () => undefined });
  const period = { from: night, to: night, nights: [night] };
  const summaries = await readPeriodSummaries(source, period);
  const files = evidenceFilesOf(evidencePackOf(summaries, period, deps.settings.reporting, deps.clock.now()));
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const file = path.join(dir, f.name);
    fs.rmSync(file, { force: true });
    // 'wx': a symlink planted at the name is refused, never followed.
    fs.writeFileSync(file, f.body, { flag: 'wx', mode: 0o644 });
  }
  return {
    dir,
    files: files.map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.body, 'utf8'), sha256: sha256Hex(f.body) })),
  };
}

/** The dashboard over the demo's storage, until Ctrl-C: what an operator opens every morning, on the demo's night. */
async function serveDashboard(deps: ProtectionDeps, sandbox: Sandbox, port: number, io: CliIo): Promise<void> {
  const source = createEvidenceSource(deps.settings, { credential: undefined, warn: () => undefined });
  const server = await startDashboardServer({
    port,
    context: () => ({ source, settings: deps.settings, now: sandbox.clock.now() }),
  });
  io.out(`Dashboard of this night: ${server.url}\nServing until Ctrl-C.`);
  await untilStopped();
  await server.close();
}

async function listRuns(deps: ProtectionDeps): Promise<Run[]> {
  const stored = await deps.store.list();
  return stored.map((s) => s.run).sort((a, b) => a.target.vmName.localeCompare(b.target.vmName));
}

/**
 * When the run's backup job finished its "Take Snapshot" task, as Azure reports it (jobDetails.get: the job's start
 * plus the task's duration); undefined when the job or the task cannot be read.
 */
async function snapshotCompletedAt(sandbox: Sandbox, run: Run): Promise<string | undefined> {
  const jobId = run.backup?.jobId;
  const vault =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.RecoveryServices\/vaults\/([^/]+)$/i.exec(
      run.target.vaultId,
    );
  if (jobId === undefined || vault === null) return undefined;
  const [, subscriptionId = '', resourceGroup = '', vaultName = ''] = vault;
  const client = new RecoveryServicesBackupClient(sandbox.credential, subscriptionId, {
    endpoint: sandbox.url,
    $host: sandbox.url,
    credentialScopes: [ARM_SCOPE],
  });
  try {
    const job = await client.jobDetails.get(vaultName, resourceGroup, jobId);
    const props = job.properties;
    // JobUnion includes the base Job, so jobType does not narrow it: the IaaS VM job types share this shape.
    if (props?.jobType !== 'AzureIaaSVMJobV2' && props?.jobType !== 'AzureIaaSVMJob') return undefined;
    const task = (props as AzureIaaSVMJobV2).extendedInfo?.tasksList?.find(
      (t: AzureIaaSVMJobTaskDetails) => t.taskId === 'Take Snapshot' && t.status === 'Completed',
    );
    const duration = parseDurationInMs(task?.duration);
    const start = props.startTime?.getTime();
    return duration === undefined || start === undefined ? undefined : new Date(start + duration).toISOString();
  } catch {
    return undefined;
  }
}
