import { optionString, parseArgs, UsageError } from '../args';
import { CliCommand, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { cliCompute, probeVm, reportFindings, requireVmId } from './checkCommand';
import { runCommandName } from '../../shared/runs/runCommandName';
import { terminalLine } from '../../shared/report/terminalText';
import { buildInstallScript } from '../../shared/vmScripts/vmScripts';

/** The installer's last `RESULT key=value …` line; anything else it printed is untrusted noise. */
export function installResult(output: string): Record<string, string> | undefined {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (line === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const m of line.slice(7, 1000).matchAll(/([a-z_]+)=(\S*)/g)) fields[m[1] as string] = m[2] as string;
  return fields;
}

export const installCommand: CliCommand = {
  name: 'install',
  summary: 'Install the hardened IRIS freeze/thaw scripts and config on a VM, then check it again',
  usage: [
    'iris-backup-guard install --vm <resourceId> [--json]',
    '',
    'Needs only the VM id and a sign-in, like `check --vm`. With --json, stdout is the re-check’s report',
    '(schema iris-backup-guard/check@1) and the install line goes to stderr.',
  ].join('\n'),
  exitCodes: {
    [EXIT_OK]: 'installed, and the re-check finds nothing at error level or worse',
    [EXIT_FINDINGS]: 'installed, but the re-check still finds errors (e.g. a wrong IRIS instance)',
    2: USAGE_MEANING,
    [EXIT_FAILURE]: `${FAILURE_MEANING}; or the installer failed on the VM`,
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['vm'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const vmId = requireVmId(optionString(args, 'vm'));
    const { compute, settings } = await cliCompute(io);
    // This is the one command that writes to a production VM (DESIGN.md, safety invariant 3): only when asked.
    const result = await compute.runScript(vmId, buildInstallScript(), {
      name: runCommandName('install', io.clock?.now() ?? new Date()),
      timeoutInSeconds: settings.runCommandTimeoutInSeconds,
    });
    const fields = installResult(result.output);
    if (result.executionState !== 'Succeeded' || result.exitCode !== 0 || fields?.status === 'failed') {
      // The reason is the VM's own output: one escaped line.
      io.err(
        terminalLine(
          `Install on ${vmId} failed (${result.executionState}, exit ${result.exitCode ?? '?'}): ` +
            `${fields?.reason ?? result.error.trim().split('\n').slice(-3).join(' ') ?? 'no reason given'}`,
        ),
      );
      return EXIT_FAILURE;
    }
    const json = args.options.json === true;
    // With --json, stdout carries only the report.
    (json ? io.err : io.out)(terminalLine(`Installed on ${vmId}: ${fields?.status ?? 'done'}. Checking again:`));
    return reportFindings(await probeVm(vmId, io), vmId, json, io);
  },
};
