import { optionString, parseArgs, UsageError } from '../args';
import { signIn, STORAGE_SCOPE } from '../azureSignIn';
import { CliCommand, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { readOnlyTable } from '../runHistory';
import { startDashboardServer } from '../dashboardServer';
import { untilStopped } from '../untilStopped';
import { createEvidenceSource } from '../../composition/composition';
import { systemClock } from '../../shared/clock/clock';
import { loadSettings } from '../../shared/config/settings';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the dashboard and the evidence API on this machine (loopback only), reading the app’s tables',
  usage: [
    'iris-backup-guard serve [--port <n>]',
    '',
    'Reads the app settings from the environment like `status` (IBG_RUNS_TABLE_*, IBG_RPO_TARGET_HOURS, …), only',
    'reads (no table is created or written), and listens on 127.0.0.1 until Ctrl-C. Prints the dashboard’s address.',
    'The same pages and JSON as the deployed app’s /api/dashboard, /api/fleet, /api/runs, /api/drills, /api/evidence.',
  ].join('\n'),
  exitCodes: { 0: 'stopped with Ctrl-C', 2: USAGE_MEANING, 3: FAILURE_MEANING },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['port'], flags: [] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const portText = optionString(args, 'port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!/^\d{1,5}$/.test(portText ?? '0') || port > 65535) {
      throw new UsageError(`--port "${portText}" is not a port number 0-65535 (0: any free port)`);
    }
    const settings = loadSettings(io.env);
    const credential = settings.runsTable.kind === 'endpoint' ? await signIn(io, STORAGE_SCOPE) : io.credential;
    const source = createEvidenceSource(settings, {
      credential,
      warn: (m) => io.err(`warning: ${m}`),
      table: readOnlyTable,
    });
    const clock = io.clock ?? systemClock;
    const server = await startDashboardServer({
      port,
      context: () => ({ source, settings, now: clock.now(), log: { warn: (m) => io.err(`warning: ${m}`) } }),
    });
    io.out(`Dashboard: ${server.url}\nAPI:       ${server.origin}/api/fleet\nPress Ctrl-C to stop.`);
    await untilStopped();
    await server.close();
    return EXIT_OK;
  },
};
