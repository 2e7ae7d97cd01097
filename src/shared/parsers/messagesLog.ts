import { InputLine, LOG_LIMITS, readInputLines, reportCutLastLine } from './inputLines';
import { isoTimestamp, isValidOffsetMinutes, isValidTimestamp, TimestampParts } from './isoTimestamp';
import { ParseResult, ProblemLog } from './parseResult';

/** One entry of IRIS messages.log (cconsole.log on Caché), iris.md §5. */
export interface MessagesLogEntry {
  /** 1-based line number of the stamped line (or banner) in the input. */
  line: number;
  /**
   * ISO 8601. Local time as written (no zone designator), or UTC with Z when `timeZoneOffsetMinutes` was given.
   */
  time: string;
  /** Absent on the `*** Recovery started at` banner, which has no pid. */
  pid?: number;
  /** 0 info, 1 warning, 2 severe, 3 fatal; the banner counts as 0. */
  severity: 0 | 1 | 2 | 3;
  /** The `[Category]` bracket, which older writers omit. */
  category?: string;
  text: string;
  /** Unstamped lines that followed, in order (blank lines dropped). */
  continuation: string[];
  /** Set on the WIJ recovery banner `*** Recovery started at <date>`. */
  banner?: 'recovery';
}

export interface MessagesLogOptions {
  /** Two-digit years below the pivot are 20YY, the others 19YY. Default 70. */
  year2000Pivot?: number;
  /** The VM's offset east of UTC in minutes; when given, times are converted to UTC. */
  timeZoneOffsetMinutes?: number;
}

// iris.md §8.3, with the category bracket and the milliseconds optional, and a bare `[Category]` allowed.
const STAMPED =
  /^(\d{2})\/(\d{2})\/(\d{2})-(\d{2}):(\d{2}):(\d{2})(?::(\d{3}))? \((\d+)\) ([0-3])(?: |$)(?:\[([^\]]*)\](?: |$))?(.*)$/;
const RECOVERY_BANNER = /^\*\*\* Recovery started at (.*)$/;
// `date`-style text, as the banner writes it: "Wed Aug 11 06:12:30 2021".
const BANNER_DATE = /^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s*$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function bannerParts(text: string): TimestampParts | undefined {
  const m = BANNER_DATE.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[1] ?? '').toLowerCase()) + 1;
  const parts = {
    year: Number(m[6]),
    month,
    day: Number(m[2]),
    hour: Number(m[3]),
    minute: Number(m[4]),
    second: Number(m[5]),
    millisecond: 0,
  };
  return isValidTimestamp(parts) ? parts : undefined;
}

export function parseMessagesLog(text: string, options: MessagesLogOptions = {}): ParseResult<MessagesLogEntry[]> {
  const problems = new ProblemLog();
  const lines: InputLine[] = readInputLines(text, LOG_LIMITS, problems);
  const requestedPivot = options.year2000Pivot;
  let pivot = 70;
  if (requestedPivot !== undefined) {
    if (Number.isInteger(requestedPivot) && requestedPivot >= 0 && requestedPivot <= 100) pivot = requestedPivot;
    else problems.add(`year2000Pivot ${String(requestedPivot)} is not an integer from 0 to 100; 70 was used`);
  }
  let offset = options.timeZoneOffsetMinutes;
  if (offset !== undefined && !isValidOffsetMinutes(offset)) {
    problems.add(`timeZoneOffsetMinutes ${String(offset)} is out of range (-720 to 840); times are local as written`);
    offset = undefined;
  }
  const zone = offset === undefined ? {} : { offsetMinutes: offset };

  const entries: MessagesLogEntry[] = [];
  let orphanFirst: number | undefined;
  let orphanCount = 0;
  let lastBannerTime: string | undefined;
  const attach = (n: number, line: string): void => {
    const last = entries[entries.length - 1];
    if (last) {
      last.continuation.push(line);
      return;
    }
    orphanFirst ??= n;
    orphanCount += 1;
  };

  for (const { n, text: line } of lines) {
    if (line.trim() === '') continue;
    const m = STAMPED.exec(line);
    if (m) {
      const yy = Number(m[3]);
      const parts: TimestampParts = {
        year: yy < pivot ? 2000 + yy : 1900 + yy,
        month: Number(m[1]),
        day: Number(m[2]),
        hour: Number(m[4]),
        minute: Number(m[5]),
        second: Number(m[6]),
        millisecond: m[7] ? Number(m[7]) : 0,
      };
      if (!isValidTimestamp(parts)) {
        problems.add(`Invalid timestamp "${line.slice(0, 21)}"; the line was kept as a continuation`, n);
        attach(n, line);
        continue;
      }
      const entry: MessagesLogEntry = {
        line: n,
        time: isoTimestamp(parts, zone),
        pid: Number(m[8]),
        severity: Number(m[9]) as MessagesLogEntry['severity'],
        text: m[11] ?? '',
        continuation: [],
      };
      if (m[10] !== undefined) entry.category = m[10];
      entries.push(entry);
      continue;
    }
    const banner = RECOVERY_BANNER.exec(line.trim());
    if (banner) {
      const parts = bannerParts(banner[1] ?? '');
      const previous = entries[entries.length - 1];
      let time: string;
      if (parts) time = isoTimestamp(parts, zone);
      else {
        problems.add(`Unreadable date in recovery banner "${banner[1] ?? ''}"`, n);
        time = previous?.time ?? lastBannerTime ?? '';
      }
      lastBannerTime = time;
      entries.push({ line: n, time, severity: 0, text: line.trim(), continuation: [], banner: 'recovery' });
      continue;
    }
    attach(n, line);
  }
  reportCutLastLine(text, lines, entries[entries.length - 1]?.line, problems);
  if (orphanFirst !== undefined) {
    problems.add(`${orphanCount} unstamped lines before the first stamped entry were skipped`, orphanFirst);
  }
  if (lines.length > 0 && entries.length === 0) {
    problems.add('No messages.log entries found (expected lines like "MM/DD/YY-HH:MM:SS:mmm (pid) severity text")');
  }
  return { value: entries, problems: problems.list() };
}

interface IrisBackupEventBase {
  time: string;
  /** Line of the entry the event came from. */
  line: number;
  pid?: number;
}

/** Freeze, thaw, journal and recovery facts found in messages.log (iris.md §1.5, §5). */
export type IrisBackupEvent =
  | (IrisBackupEventBase & { type: 'freeze-suspending' })
  | (IrisBackupEventBase & { type: 'freeze-warning'; text: string })
  | (IrisBackupEventBase & { type: 'journal-switched'; path: string })
  | (IrisBackupEventBase & { type: 'freeze-journal-restore-file'; path: string })
  | (IrisBackupEventBase & { type: 'frozen' })
  | (IrisBackupEventBase & { type: 'thaw-resuming' })
  | (IrisBackupEventBase & { type: 'thawed' })
  | (IrisBackupEventBase & { type: 'recovery-started' })
  | (IrisBackupEventBase & { type: 'recovery-exit'; status: number; statusText: string })
  | (IrisBackupEventBase & { type: 'startup'; text: string });

export type IrisBackupEventType = IrisBackupEvent['type'];

const FREEZE = 'Backup.General.ExternalFreeze: ';
const THAW = 'Backup.General.ExternalThaw: ';
const JOURNAL_SWITCHED = 'Journaling switched to:';
const RESTORE_FILE = 'Start a journal restore for this backup with journal file:';

/**
 * The trimmed text after the first `marker`, if any. A search and a trim rather than `marker\s*(\S.*?)\s*$`, whose
 * lazy group backtracks quadratically on a long run of spaces (a hostile messages.log took seconds per line).
 */
function textAfter(text: string, marker: string): string | undefined {
  const at = text.indexOf(marker);
  if (at === -1) return undefined;
  const rest = text.slice(at + marker.length).trim();
  return rest === '' ? undefined : rest;
}
const RECOVERY_EXIT = /^\s*Exiting with status (\d+)(?:\s*\((.*)\))?/;
const STARTUP = /^\s*(Startup of (?:InterSystems IRIS|Cach[eé]|IRIS)\b.*)$/;

/** Classifies entries into the events a backup verdict needs; other entries are ignored. */
export function irisBackupEvents(entries: readonly MessagesLogEntry[]): IrisBackupEvent[] {
  const events: IrisBackupEvent[] = [];
  for (const e of entries) {
    const base: IrisBackupEventBase = { time: e.time, line: e.line };
    if (e.pid !== undefined) base.pid = e.pid;
    if (e.banner === 'recovery') {
      events.push({ ...base, type: 'recovery-started' });
      for (const c of e.continuation) {
        const exit = RECOVERY_EXIT.exec(c);
        if (exit) events.push({ ...base, type: 'recovery-exit', status: Number(exit[1]), statusText: exit[2] ?? '' });
      }
      continue;
    }
    const freezeAt = e.text.indexOf(FREEZE);
    const thawAt = e.text.indexOf(THAW);
    if (freezeAt !== -1) {
      const msg = e.text.slice(freezeAt + FREEZE.length).trim();
      const restore = textAfter(msg, RESTORE_FILE);
      if (msg === 'Suspending system') events.push({ ...base, type: 'freeze-suspending' });
      else if (msg === 'System suspended') events.push({ ...base, type: 'frozen' });
      else if (msg.startsWith('Warning')) events.push({ ...base, type: 'freeze-warning', text: msg });
      else if (restore) events.push({ ...base, type: 'freeze-journal-restore-file', path: restore });
      continue;
    }
    if (thawAt !== -1) {
      const msg = e.text.slice(thawAt + THAW.length).trim();
      if (msg === 'Resuming system') events.push({ ...base, type: 'thaw-resuming' });
      else if (msg === 'System resumed') events.push({ ...base, type: 'thawed' });
      continue;
    }
    for (const candidate of [e.text, ...e.continuation]) {
      const journal = textAfter(candidate, JOURNAL_SWITCHED);
      if (journal) {
        events.push({ ...base, type: 'journal-switched', path: journal });
        break;
      }
      const startup = STARTUP.exec(candidate);
      if (startup?.[1]) {
        events.push({ ...base, type: 'startup', text: startup[1].trim() });
        break;
      }
    }
  }
  return events;
}
