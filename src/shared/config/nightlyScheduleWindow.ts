/**
 * Does the nightly schedule fire during the night? The host fires IBG_NIGHTLY_SCHEDULE in UTC, while the app names
 * each run's night by the calendar date in IBG_NIGHT_TIME_ZONE (protection/night.ts). A firing outside local
 * 00:00-06:00 either freezes IRIS during the working day, or sits near local midnight, where a daylight-saving change
 * moves it across the date line: one night gets two firings (the second finds the run and does nothing) and the next
 * night none. UTC offsets change through the year, so a whole year of firings is checked, not just the next few.
 */
import { parseNcrontab } from './ncrontab';
import { ncrontabOccurrences } from './ncrontabOccurrences';

/** Local hours [start, end) in IBG_NIGHT_TIME_ZONE in which the nightly run may start. */
export const NIGHT_WINDOW = { startHour: 0, endHour: 6 } as const;

const YEAR_MS = 366 * 86_400_000;
// A nightly schedule fires once or a few times a day; a schedule that fires more often is outside the night anyway
// long before this many firings, so the cap only bounds the work for schedules like `* * * * * *`.
const MAX_FIRINGS = 5000;

interface LocalTime {
  date: string;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

const localTime = (at: Date, timeZone: string): LocalTime => {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    hour: Number(part('hour')),
    minute: Number(part('minute')),
  };
};

const inWindow = (t: LocalTime): boolean => t.hour >= NIGHT_WINDOW.startHour && t.hour < NIGHT_WINDOW.endHour;
const hhmm = (hour: number, minute: number): string =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

/** The local start times over a year of firings of `schedule`, or the first firing outside the night window. */
const scan = (
  schedule: string,
  timeZone: string,
  now: Date,
): { outside?: { at: Date; local: LocalTime }; localTimes: Set<string>; firings: number } | undefined => {
  const fields = parseNcrontab(schedule);
  if (typeof fields === 'string') return undefined;
  const localTimes = new Set<string>();
  const firings = ncrontabOccurrences(fields, now, new Date(now.getTime() + YEAR_MS), MAX_FIRINGS);
  for (const at of firings) {
    const local = localTime(at, timeZone);
    if (!inWindow(local)) return { outside: { at, local }, localTimes, firings: firings.length };
    localTimes.add(hhmm(local.hour, local.minute));
  }
  return { localTimes, firings: firings.length };
};

/**
 * A daily UTC schedule that stays inside the night window all year in `timeZone`, preferring a start at or after
 * 01:00 local time (clear of midnight), with the local times it gives.
 */
export const suggestNightlySchedule = (
  timeZone: string,
  now: Date,
): { schedule: string; local: string[] } | undefined => {
  const candidates: { schedule: string; local: string[] }[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const schedule = `0 0 ${hour} * * *`;
    const result = scan(schedule, timeZone, now);
    if (result === undefined || result.outside !== undefined) continue;
    candidates.push({ schedule, local: [...result.localTimes].sort() });
  }
  return candidates.find((c) => (c.local[0] ?? '') >= '01:00') ?? candidates[0];
};

/** A warning when IBG_NIGHTLY_SCHEDULE fires outside the night in IBG_NIGHT_TIME_ZONE within a year, else undefined. */
export function nightlyScheduleWarning(schedule: string, timeZone: string, now: Date): string | undefined {
  const result = scan(schedule, timeZone, now);
  // Valid NCRONTAB can name a date that never comes (0 0 1 30 FEB *): the host accepts it and never fires.
  if (result?.firings === 0) return `IBG_NIGHTLY_SCHEDULE "${schedule}" does not fire in the next year.`;
  const outside = result?.outside;
  if (outside === undefined) return undefined;
  const utc = hhmm(outside.at.getUTCHours(), outside.at.getUTCMinutes());
  const window = `${hhmm(NIGHT_WINDOW.startHour, 0)}-${hhmm(NIGHT_WINDOW.endHour, 0)}`;
  const suggestion = suggestNightlySchedule(timeZone, now);
  const hint =
    suggestion === undefined
      ? ''
      : ` For example IBG_NIGHTLY_SCHEDULE=${suggestion.schedule} starts at ${suggestion.local.join(' or ')} ${timeZone} all year.`;
  return (
    `IBG_NIGHTLY_SCHEDULE "${schedule}" fires at ${utc} UTC on ${outside.at.toISOString().slice(0, 10)}, which is ` +
    `${hhmm(outside.local.hour, outside.local.minute)} on ${outside.local.date} in ${timeZone} (IBG_NIGHT_TIME_ZONE), ` +
    `outside the night (${window} local time). The Functions host evaluates the schedule in UTC; a start outside ` +
    `the night freezes IRIS during the day, or near midnight lets a daylight-saving change give one night two runs ` +
    `and the next night none.${hint}`
  );
}
