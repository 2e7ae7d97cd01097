import { optionString, parseArgs, UsageError } from '../args';
import { signIn, STORAGE_SCOPE } from '../azureSignIn';
import { CliCommand, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { readRunHistory } from '../runHistory';
import { systemClock } from '../../shared/clock/clock';
import { loadSettings } from '../../shared/config/settings';
import { nightOf } from '../../shared/protection/night';
import type { Run } from '../../shared/runs/run';
import { formatStatusTable, runStatusRow } from '../../shared/report/runReport';
import { terminalJson } from '../../shared/report/terminalText';

export const STATUS_SCHEMA = 'iris-backup-guard/status@1';

/** Without --night: tonight and the six nights before it, one table partition each (cheap, bounded). */
export const DEFAULT_NIGHTS = 7;

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `count` nights ending with `last`, newest first; calendar arithmetic on the date, so DST cannot skip a night. */
export function nightsEndingWith(last: string, count: number): string[] {
  const m = YMD.exec(last);
  if (!m) throw new TypeError(`night must be YYYY-MM-DD, got '${last}'`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, mo - 1, d - i)).toISOString().slice(0, 10));
}

/** A calendar date written YYYY-MM-DD: 2026-02-30 and 2026-13-45 are not (Date would roll or reject them). */
export const isRealDate = (night: string): boolean => {
  const m = YMD.exec(night);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
};

const byNewestNightThenVm = (a: Run, b: Run): number =>
  b.night.localeCompare(a.night) || a.target.vmName.localeCompare(b.target.vmName);

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'List the protection runs of recent nights: stage, job, recovery point and verdict per VM',
  usage: [
    'iris-backup-guard status [--night YYYY-MM-DD] [--json]',
    '',
    `Without --night: tonight (IBG_NIGHT_TIME_ZONE) and the ${DEFAULT_NIGHTS - 1} nights before it, newest first.`,
    'Only reads: it never creates the runs table, and says so when nothing has been recorded yet.',
    `--json prints { schema: "${STATUS_SCHEMA}", nights, tableExists, runs }.`,
  ].join('\n'),
  exitCodes: {
    0: 'the runs could be read (also when there are none yet)',
    2: USAGE_MEANING,
    3: FAILURE_MEANING,
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['night'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const night = optionString(args, 'night');
    if (night !== undefined && !isRealDate(night)) {
      throw new UsageError(`--night "${night}" is not a date YYYY-MM-DD; give a real calendar date, e.g. 2026-11-21`);
    }
    const settings = loadSettings(io.env);
    // A table endpoint is reached with the credential; a connection string carries its own key.
    const credential = settings.runsTable.kind === 'endpoint' ? await signIn(io, STORAGE_SCOPE) : io.credential;
    const now = (io.clock ?? systemClock).now();
    const nights =
      night !== undefined ? [night] : nightsEndingWith(nightOf(now, settings.schedules.nightTimeZone), DEFAULT_NIGHTS);
    const history = await readRunHistory(settings, credential, nights, (m) => io.err(`warning: ${m}`));
    const runs = history.tableExists ? [...history.runs].sort(byNewestNightThenVm) : [];
    if (args.options.json === true) {
      io.out(terminalJson({ schema: STATUS_SCHEMA, nights, tableExists: history.tableExists, runs }));
      return EXIT_OK;
    }
    const span = nights.length === 1 ? `night ${nights[0]}` : `nights ${nights[nights.length - 1]} to ${nights[0]}`;
    if (!history.tableExists) {
      io.out(
        `Nothing recorded yet: the runs table "${settings.runsTable.tableName}" does not exist. ` +
          'The nightly protection function creates it with its first run.',
      );
    } else {
      io.out(
        runs.length === 0 ? `No runs for ${span}.` : `Runs for ${span}:\n${formatStatusTable(runs.map(runStatusRow))}`,
      );
    }
    return EXIT_OK;
  },
};
