import { UsageError } from './args';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cliCommand';
import { backupCommand } from './commands/backupCommand';
import { checkCommand } from './commands/checkCommand';
import { demoCommand } from './commands/demoCommand';
import { installCommand } from './commands/installCommand';
import { parseCommand } from './commands/parseCommand';
import { statusCommand } from './commands/statusCommand';
import { isAppError, toError } from '../shared/errors/appError';

export const COMMANDS: readonly CliCommand[] = [
  checkCommand,
  installCommand,
  backupCommand,
  statusCommand,
  parseCommand,
  demoCommand,
];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'iris-backup-guard: proves that Azure Backup of InterSystems IRIS VMs is application-consistent.',
    '',
    'Usage: iris-backup-guard <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `iris-backup-guard <command> --help` for a command’s options.',
    'Commands that reach Azure read the app settings from the environment (see README, "Settings").',
  ].join('\n');
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\nUsage: ${command.usage}`);
      return EXIT_USAGE;
    }
    const error = toError(e);
    io.err(isAppError(e) ? `${e.code}: ${error.message}` : `Error: ${error.message}`);
    return EXIT_FAILURE;
  }
}
