import * as path from 'node:path';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_OK, USAGE_MEANING } from '../cliCommand';

interface DemoModule {
  runDemo(argv: readonly string[], io: CliIo): Promise<number>;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Run the app against the built-in sandbox (a simulated Azure with a fleet of IRIS VMs) and report',
  usage: [
    'iris-backup-guard demo [--json] [--scenario <file>] [--traffic-dir <dir>]',
    '',
    'Prints one line per VM: tonight’s backup and the first fix; then one line per restore drill with its verdict and',
    'RTO by phase, and what the drill resource group still holds. --json prints the whole summary with its schema,',
    'iris-backup-guard/demo@1.',
  ].join('\n'),
  exitCodes: {
    [EXIT_OK]: 'every run of the night finished',
    2: USAGE_MEANING,
    [EXIT_FAILURE]: 'a run did not finish, or the sandbox could not start',
  },
  async run(argv, io) {
    // The sandbox is development tooling and is never deployed; load it only when the demo is asked for.
    const modulePath = path.join(__dirname, '..', '..', '..', 'sandbox', 'demo', 'runDemo');
    const demo = (await import(modulePath)) as DemoModule;
    return demo.runDemo(argv, io);
  },
};
