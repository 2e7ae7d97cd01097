/**
 * `iris-backup-guard demo`: starts the sandbox with a sample fleet of IRIS VMs and Azurite, runs the app's own
 * commands and function handlers against them (real SDK clients, real scripts under dash), and prints a report.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvocationContext, type Timer } from '@azure/functions';
import { parseArgs, UsageError } from '../../src/cli/args';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from '../../src/cli/cliCommand';
import { probeVm } from '../../src/cli/commands/checkCommand';
import { advanceRuns } from '../../src/functions/advanceRuns';
import { nightlyProtection } from '../../src/functions/nightlyProtection';
import { setProtectionDeps } from '../../src/functions/protectionContext';
import { checkSetup } from '../../src/shared/checks/checkSetup';
import { findingsToJson, type CheckReport } from '../../src/shared/checks/formatFindings';
import { createProtectionDeps } from '../../src/shared/protection/composition';
import type { ProtectionDeps, ProtectionLog } from '../../src/shared/protection/protectionDeps';
import { isTerminalStage, type Run } from '../../src/shared/runs/run';
import { startAzurite } from '../azurite';
import { scenarioVmId, startSandbox } from '../index';
import { repoRoot } from '../repoRoot';
import { demoEnvironment } from './demoEnvironment';
import { renderDemoReport, type DemoSummary } from './demoReport';

const TICK_MS = 5 * 60_000;
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

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

function context(functionName: string, lines: string[]): InvocationContext {
  return new InvocationContext({
    functionName,
    logHandler: (level, ...args) => {
      if (level === 'warning' || level === 'error') lines.push(`${level}: ${String(args[0])}`);
    },
  });
}

export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['scenario', 'traffic-dir'], flags: ['json'] });
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
  const progress = (text: string): void => {
    if (!json) io.out(text);
  };

  progress('Starting the sandbox (simulated Azure) and Azurite (Table Storage)…');
  const azurite = await startAzurite();
  const sandbox = await startSandbox({ scenario: scenarioPath, ...(trafficDir ? { trafficDir } : {}) });
  const warnings: string[] = [];
  try {
    const env = demoEnvironment(sandbox.scenario, {
      sandboxUrl: sandbox.url,
      tableConnectionString: azurite.connectionString,
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
    });
    setProtectionDeps(deps);
    progress('Nightly protection: preflight and an on-demand backup for every enrolled VM…');
    await nightlyProtection(timer, context('nightlyProtection', warnings));

    let ticks = 0;
    let runs = await listRuns(deps);
    while (runs.some((r) => !isTerminalStage(r.stage)) && ticks < MAX_TICKS) {
      await sandbox.idle();
      sandbox.clock.advance(TICK_MS);
      await advanceRuns(timer, context('advanceRuns', warnings));
      ticks += 1;
      runs = await listRuns(deps);
      const open = runs.filter((r) => !isTerminalStage(r.stage)).length;
      progress(
        `  advanceRuns tick ${ticks} (sandbox time ${sandbox.clock.now().toISOString()}): ${runs.length - open}/${runs.length} runs finished`,
      );
    }

    const summary: DemoSummary = {
      schema: 'iris-backup-guard/demo@1',
      scenario: sandbox.scenario.name ?? path.basename(scenarioPath),
      sandboxTime: sandbox.clock.now().toISOString(),
      checks,
      runs,
      armRequests: sandbox.requests,
      warnings,
    };
    io.out(json ? JSON.stringify(summary, null, 2) : renderDemoReport(summary));
    return runs.every((r) => isTerminalStage(r.stage)) ? EXIT_OK : EXIT_FAILURE;
  } finally {
    setProtectionDeps(undefined);
    await sandbox.stop();
    await azurite.stop();
  }
}

async function listRuns(deps: ProtectionDeps): Promise<Run[]> {
  const stored = await deps.store.list();
  return stored.map((s) => s.run).sort((a, b) => a.target.vmName.localeCompare(b.target.vmName));
}
