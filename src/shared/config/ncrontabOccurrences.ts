/**
 * When an NCRONTAB schedule fires, as the Functions host computes it: in UTC (the host's time base unless
 * WEBSITE_TIME_ZONE is honoured, which it is not on Linux Consumption or Flex Consumption). Used to warn at start-up
 * about a nightly schedule that fires outside the night, never to schedule anything.
 */
import type { NcrontabFields } from './ncrontab';

const DAY_MS = 86_400_000;
const sorted = (set: ReadonlySet<number>): number[] => [...set].sort((a, b) => a - b);

/**
 * The firings strictly after `from` and not after `until`, oldest first, at most `limit` of them. Day of month and
 * day of week must both match, as in NCrontab (unlike Vixie cron, where either one is enough).
 */
export function ncrontabOccurrences(fields: NcrontabFields, from: Date, until: Date, limit: number): Date[] {
  const [seconds, minutes, hours, days, months, daysOfWeek] = fields;
  const times: number[] = [];
  for (const h of sorted(hours))
    for (const m of sorted(minutes))
      for (const s of sorted(seconds)) {
        times.push(((h * 60 + m) * 60 + s) * 1000);
      }
  const out: Date[] = [];
  const firstDay = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  for (let day = firstDay; day <= until.getTime() && out.length < limit; day += DAY_MS) {
    const d = new Date(day);
    if (!months.has(d.getUTCMonth() + 1) || !days.has(d.getUTCDate()) || !daysOfWeek.has(d.getUTCDay())) continue;
    for (const t of times) {
      const at = day + t;
      if (at <= from.getTime()) continue;
      if (at > until.getTime() || out.length >= limit) break;
      out.push(new Date(at));
    }
  }
  return out;
}
