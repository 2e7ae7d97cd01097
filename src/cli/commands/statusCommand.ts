import { optionString, parseArgs, UsageError } from '../args';
import { signIn, STORAGE_SCOPE } from '../azureSignIn';
import { CliCommand, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { readDrillHistory, readRunHistory, type DrillHistory } from '../runHistory';
import { systemClock } from '../../shared/clock/clock';
import { loadSettings } from '../../shared/config/settings';
import { nightOf } from '../../shared/protection/night';
import type { Run } from '../../shared/runs/run';
import { formatStatusTable, runStatusRow, type RunStatusRow } from '../../shared/report/runReport';
import { terminalJson } from '../../shared/report/terminalText';
import { verifiedRpoMs, type DrillRecord } from '../../shared/drills/drillRecord';
import { drillStatusRow, formatDrillStatusTable } from '../../shared/report/drillReport';

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

/** The last drill of each VM (by finish time) and its verified RPO at `now`, by VM name. */
export interface VmDrillStatus {
  vmId: string;
  vmName: string;
  lastDrill: DrillRecord;
  /** Age of the newest recovery point that passed a drill; absent when none has. */
  verifiedRpoMs?: number;
}

export function drillStatusOf(history: DrillHistory, now: Date): VmDrillStatus[] {
  if (!history.recorded) return [];
  const last = new Map<string, DrillRecord>();
  for (const r of history.records) {
    const key = r.vmId.toLowerCase();
    const prev = last.get(key);
    if (prev === undefined || r.finishedAt > prev.finishedAt) last.set(key, r);
  }
  return [...last.values()]
    .map((r) => {
      const rpo = verifiedRpoMs(history.records, r.vmId, now);
      return { vmId: r.vmId, vmName: r.vmName, lastDrill: r, ...(rpo === undefined ? {} : { verifiedRpoMs: rpo }) };
    })
    .sort((a, b) => a.vmName.localeCompare(b.vmName));
}

/** An operator's drill-only run has no backup of its own: its row says it is a drill, and the drill's verdict. */
const statusRowOf = (run: Run): RunStatusRow => {
  const row = runStatusRow(run);
  if (run.drill?.onDemand !== true) return row;
  const outcome = run.drill.outcome;
  return { ...row, jobStatus: 'drill', verdict: outcome === undefined ? '-' : `drill ${outcome.verdict}` };
};

const NO_DRILLS = 'Restore drills: no drills recorded';

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
    'Then the restore drills: per VM the last drill (night, verdict, RTO, stage and reason when it did not pass)',
    'and the verified RPO, the age of the newest recovery point that passed a drill.',
    `--json prints { schema: "${STATUS_SCHEMA}", nights, tableExists, runs, drills }.`,
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
    const drillHistory = await readDrillHistory(settings, credential);
    const drills = drillStatusOf(drillHistory, now);
    if (args.options.json === true) {
      io.out(terminalJson({ schema: STATUS_SCHEMA, nights, tableExists: history.tableExists, runs, drills }));
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
        runs.length === 0 ? `No runs for ${span}.` : `Runs for ${span}:\n${formatStatusTable(runs.map(statusRowOf))}`,
      );
    }
    io.out(
      drills.length === 0
        ? `\n${NO_DRILLS}${drillHistory.recorded || drillHistory.why === 'no-table' ? '.' : ' (drills are off: IBG_DRILL_ENABLED).'}`
        : `\nRestore drills, the last one per VM:\n${formatDrillStatusTable(drills.map((d) => drillStatusRow(d.lastDrill, d.verifiedRpoMs)))}`,
    );
    return EXIT_OK;
  },
};
