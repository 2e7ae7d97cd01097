import * as fs from 'node:fs';
import { optionString, parseArgs, UsageError } from '../args';
import { signIn } from '../azureSignIn';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { localScriptEnv, runLocalScript } from '../localScriptRunner';
import { createVmAccess, type VmAccess } from '../../composition/composition';
import { checkSetup } from '../../shared/checks/checkSetup';
import type { Finding } from '../../shared/checks/finding';
import { findingsToJson } from '../../shared/checks/formatFindings';
import { parseProbeOutput } from '../../shared/checks/parseProbeOutput';
import type { ProbeFacts } from '../../shared/checks/probeFacts';
import { parseVmId } from '../../shared/azure/armResourceId';
import { runCommandName } from '../../shared/runs/runCommandName';
import { runProbe } from '../../shared/protection/vmProbe';
import { formatFindingsText } from '../../shared/report/findingsText';
import { terminalJson, terminalLine } from '../../shared/report/terminalText';
import { vmScriptPath } from '../../shared/vmScripts/vmScripts';

const LOCAL_PROBE_TIMEOUT_MS = 120_000;

export interface ProbeOutcome {
  label: string;
  facts?: ProbeFacts;
  problems: string[];
}

/** A VM id given on the command line, checked before anything reaches Azure. */
export function requireVmId(value: string | undefined): string {
  if (value === undefined) throw new UsageError('--vm <resourceId> is required');
  if (!parseVmId(value)) {
    throw new UsageError(
      `--vm "${value}" is not a virtual machine resource id. Example: ` +
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-prod-1',
    );
  }
  return value;
}

/**
 * The VM-facing gateway for a CLI command: only the VM access settings (not the whole app's) and a credential that
 * has signed in, so a missing login fails here with one clear line.
 */
export async function cliCompute(io: CliIo): Promise<VmAccess> {
  return createVmAccess(io.env, () => signIn(io));
}

export async function probeVm(vmId: string, io: CliIo): Promise<ProbeOutcome> {
  const { compute, settings } = await cliCompute(io);
  const run = await runProbe(compute, vmId, {
    mode: 'check',
    name: runCommandName('check', io.clock?.now() ?? new Date()),
    timeoutInSeconds: settings.runCommandTimeoutInSeconds,
  });
  return { label: vmId, ...run };
}

/**
 * The same probe, run here with a directory as the filesystem root (a VM image, a copied /etc/azure). Of `env`,
 * only PATH reaches the probe (localScriptEnv).
 */
export async function probeRoot(root: string, env: Record<string, string | undefined>): Promise<ProbeOutcome> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
    throw new UsageError(`--root "${root}" is not a directory`);
  const result = await runLocalScript(vmScriptPath('probe'), {
    env: localScriptEnv(env, { IBG_ROOT: fs.realpathSync(root), IBG_PROBE_MODE: 'check' }),
    timeoutMs: LOCAL_PROBE_TIMEOUT_MS,
  });
  const parsed = parseProbeOutput(result.stdout);
  const problems = [...parsed.problems];
  if (result.timedOut) problems.unshift(`the probe did not finish within ${LOCAL_PROBE_TIMEOUT_MS / 1000} s`);
  return parsed.facts ? { label: root, facts: parsed.facts, problems } : { label: root, problems };
}

/** Prints the findings of one probe and returns the exit code: 1 when anything at error level or worse was found. */
export function reportFindings(outcome: ProbeOutcome, vmId: string | undefined, json: boolean, io: CliIo): number {
  if (!outcome.facts) {
    // Probe problems quote the VM's output: one escaped line each.
    const lines = [`${outcome.label}: the probe returned nothing usable:`, ...outcome.problems.map((p) => `- ${p}`)];
    io.err(lines.map(terminalLine).join('\n'));
    return EXIT_FAILURE;
  }
  const findings: Finding[] = checkSetup(outcome.facts, vmId === undefined ? {} : { vmId });
  if (json) {
    io.out(
      terminalJson({ ...findingsToJson(outcome.label, findings, outcome.facts), probeProblems: outcome.problems }),
    );
  } else {
    io.out(formatFindingsText(outcome.label, findings, outcome.facts));
    if (outcome.problems.length > 0) {
      io.out(['Probe notes:', ...outcome.problems.map((p) => `- ${p}`)].map(terminalLine).join('\n'));
    }
  }
  return findings.some((f) => f.severity === 'critical' || f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Check a VM’s backup script setup with the extension’s own rules (read-only)',
  usage: [
    'iris-backup-guard check (--vm <resourceId> | --root <dir>) [--json]',
    '',
    '--vm needs only the VM id and a sign-in (`az login`, or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET);',
    'AZURE_ARM_ENDPOINT, IBG_RUN_COMMAND_TIMEOUT_SECONDS and IBG_POLL_INTERVAL_MS are read when set.',
    '--json prints the report with its schema, iris-backup-guard/check@1.',
  ].join('\n'),
  exitCodes: {
    [EXIT_OK]: 'no finding at error level or worse',
    [EXIT_FINDINGS]: 'findings at error or critical level: tonight’s backup is not what you designed',
    2: USAGE_MEANING,
    [EXIT_FAILURE]: FAILURE_MEANING,
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['vm', 'root'], flags: ['json'] });
    const vm = optionString(args, 'vm');
    const root = optionString(args, 'root');
    if ((vm === undefined) === (root === undefined)) throw new UsageError('give exactly one of --vm and --root');
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const json = args.options.json === true;
    if (root !== undefined) return reportFindings(await probeRoot(root, io.env), undefined, json, io);
    const vmId = requireVmId(vm);
    return reportFindings(await probeVm(vmId, io), vmId, json, io);
  },
};
