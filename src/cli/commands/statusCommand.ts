import { optionString, parseArgs, UsageError } from '../args';
import { CliCommand, EXIT_OK } from '../cliCommand';
import { cliProtectionDeps } from './backupCommand';
import { nightOf } from '../../shared/protection/night';
import type { Run } from '../../shared/runs/run';
import { formatStatusTable, runStatusRow } from '../../shared/report/runReport';

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

const isRealDate = (night: string): boolean =>
  YMD.test(night) && new Date(`${night}T00:00:00Z`).toISOString().slice(0, 10) === night;

const byNewestNightThenVm = (a: Run, b: Run): number =>
  b.night.localeCompare(a.night) || a.target.vmName.localeCompare(b.target.vmName);

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'List the protection runs of recent nights: stage, job, recovery point and verdict per VM',
  usage: [
    'iris-backup-guard status [--night YYYY-MM-DD] [--json]',
    '',
    `Without --night: tonight (IBG_NIGHT_TIME_ZONE) and the ${DEFAULT_NIGHTS - 1} nights before it, newest first.`,
    'Exit code 0 whenever the runs could be read.',
  ].join('\n'),
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['night'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const night = optionString(args, 'night');
    if (night !== undefined && !isRealDate(night)) throw new UsageError(`--night "${night}" is not a date YYYY-MM-DD`);
    const deps = cliProtectionDeps(io);
    const nights =
      night !== undefined
        ? [night]
        : nightsEndingWith(nightOf(deps.clock.now(), deps.settings.schedules.nightTimeZone), DEFAULT_NIGHTS);
    const runs: Run[] = [];
    for (const n of nights) for (const stored of await deps.store.list(n)) runs.push(stored.run);
    runs.sort(byNewestNightThenVm);
    if (args.options.json === true) {
      io.out(JSON.stringify({ nights, runs }, null, 2));
      return EXIT_OK;
    }
    const span = nights.length === 1 ? `night ${nights[0]}` : `nights ${nights[nights.length - 1]} to ${nights[0]}`;
    io.out(
      runs.length === 0 ? `No runs for ${span}.` : `Runs for ${span}:\n${formatStatusTable(runs.map(runStatusRow))}`,
    );
    return EXIT_OK;
  },
};
