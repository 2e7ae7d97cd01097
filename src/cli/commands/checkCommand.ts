import * as fs from 'node:fs';
import { optionString, parseArgs, UsageError } from '../args';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK } from '../cliCommand';
import { localScriptEnv, runLocalScript } from '../localScriptRunner';
import { checkSetup } from '../../shared/checks/checkSetup';
import type { Finding } from '../../shared/checks/finding';
import { findingsToJson, formatFindingsText } from '../../shared/checks/formatFindings';
import { parseProbeOutput } from '../../shared/checks/parseProbeOutput';
import type { ProbeFacts } from '../../shared/checks/probeFacts';
import { loadSettings, type Settings } from '../../shared/config/settings';
import { parseVmId } from '../../shared/gateways/armResourceId';
import { createGateways } from '../../shared/gateways/createGateways';
import type { VmCommandGateway } from '../../shared/gateways/vmCommandGateway';
import { runCommandName } from '../../shared/protection/runCommandName';
import { runProbe } from '../../shared/protection/vmProbe';
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

/** The VM-facing gateway for a CLI command, from the app settings in the environment. */
export function cliCompute(io: CliIo): { compute: VmCommandGateway; settings: Settings } {
  const settings = loadSettings(io.env);
  return { compute: createGateways(settings, io.credential).compute, settings };
}

export async function probeVm(vmId: string, io: CliIo): Promise<ProbeOutcome> {
  const { compute, settings } = cliCompute(io);
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
    io.err(`${outcome.label}: the probe returned nothing usable:\n${outcome.problems.map((p) => `- ${p}`).join('\n')}`);
    return EXIT_FAILURE;
  }
  const findings: Finding[] = checkSetup(outcome.facts, vmId === undefined ? {} : { vmId });
  if (json) {
    io.out(
      JSON.stringify(
        { ...findingsToJson(outcome.label, findings, outcome.facts), probeProblems: outcome.problems },
        null,
        2,
      ),
    );
  } else {
    io.out(formatFindingsText(outcome.label, findings, outcome.facts));
    if (outcome.problems.length > 0) io.out(`Probe notes:\n${outcome.problems.map((p) => `- ${p}`).join('\n')}`);
  }
  return findings.some((f) => f.severity === 'critical' || f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Check a VM’s backup script setup with the extension’s own rules (read-only)',
  usage: 'iris-backup-guard check (--vm <resourceId> | --root <dir>) [--json]',
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
