import { UsageError } from './args';
import { isCredentialFailure, SignInError, SIGN_IN_HINT } from './azureSignIn';
import { CliCommand, CliIo, DEFAULT_EXIT_CODES, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cliCommand';
import { backupCommand } from './commands/backupCommand';
import { checkCommand } from './commands/checkCommand';
import { demoCommand } from './commands/demoCommand';
import { drillCommand } from './commands/drillCommand';
import { evidenceCommand } from './commands/evidenceCommand';
import { installCommand } from './commands/installCommand';
import { parseCommand } from './commands/parseCommand';
import { statusCommand } from './commands/statusCommand';
import { serveCommand } from './commands/serveCommand';
import { cliVersion } from './version';
import { isAppError, toError } from '../shared/errors/appError';
import { terminalText } from '../shared/report/terminalText';

export const COMMANDS: readonly CliCommand[] = [
  checkCommand,
  installCommand,
  backupCommand,
  drillCommand,
  statusCommand,
  evidenceCommand,
  serveCommand,
  parseCommand,
  demoCommand,
];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'iris-backup-guard: proves that Azure Backup of InterSystems IRIS VMs is application-consistent.',
    '',
    'Usage: iris-backup-guard <command> [options]',
    '       iris-backup-guard --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command: --help, and --verbose (the details of a failure, e.g. what each credential said).',
    'Run `iris-backup-guard <command> --help` for a command’s options and exit codes.',
    '`check --vm` and `install --vm` need only the VM id and a sign-in (`az login`); `backup`, `drill`, `status`,',
    '`evidence` and `serve` read the app settings from the environment (see README, "Settings").',
  ].join('\n');
}

/** A command's --help: what it does, its usage and what each exit code means. */
export function commandHelp(command: CliCommand): string {
  const codes = command.exitCodes ?? DEFAULT_EXIT_CODES;
  return [
    command.summary,
    '',
    `Usage: ${command.usage}`,
    '',
    'Exit codes:',
    ...Object.entries(codes).map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

/** What a failure says beyond its message: the causes it wraps, for --verbose. */
function failureDetails(e: unknown): string[] {
  if (e instanceof SignInError) return [e.details];
  const details: string[] = [];
  for (let at = toError(e).cause, depth = 0; at !== undefined && depth < 8; depth += 1) {
    const error = toError(at);
    details.push(`caused by ${error.name}: ${error.message}`);
    at = error.cause;
  }
  return details;
}

function reportFailure(e: unknown, verbose: boolean, io: CliIo): void {
  const error = toError(e);
  const headline = isCredentialFailure(e)
    ? SIGN_IN_HINT
    : isAppError(e)
      ? `${e.code}: ${error.message}`
      : `Error: ${error.message}`;
  const details = failureDetails(e);
  const lines = [headline];
  if (verbose) lines.push(...details.map((d) => `  ${d}`));
  else if (details.length > 0) lines[0] = `${headline} (--verbose shows the details)`;
  // Error messages can quote Azure and the VM: the one terminal-text policy applies here too.
  io.err(terminalText(lines.join('\n')));
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // --verbose is accepted anywhere and by every command; it only changes how a failure is reported.
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv.filter((a) => a !== '--verbose');
  if (name === '--version' || name === '-V') {
    io.out(`iris-backup-guard ${cliVersion()}`);
    return EXIT_OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${terminalText(name)}".\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(
        terminalText(
          `${e.message}\n\nUsage: ${command.usage}\nRun \`iris-backup-guard ${command.name} --help\` for more.`,
        ),
      );
      return EXIT_USAGE;
    }
    reportFailure(e, verbose, io);
    return EXIT_FAILURE;
  }
}
