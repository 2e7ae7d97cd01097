/**
 * How often the advance timer is meant to fire, from its NCRONTAB schedule: the longest gap between consecutive
 * firings in the week before `now`, so that a schedule that pauses (nights only, weekdays only) does not read as
 * stale during the pause.
 */
import { parseNcrontab } from '../config/ncrontab';
import { ncrontabOccurrences } from '../config/ncrontabOccurrences';

const LOOK_BACK_MS = 8 * 86_400_000;
// A schedule firing every second has ~700k firings in the window; the first 50k are enough to see its period.
const MAX_FIRINGS = 50_000;

/** Milliseconds, or undefined when the schedule is invalid or fires less than twice in the window. */
export function tickPeriodMs(schedule: string, now: Date): number | undefined {
  const fields = parseNcrontab(schedule);
  if (typeof fields === 'string') return undefined;
  const firings = ncrontabOccurrences(fields, new Date(now.getTime() - LOOK_BACK_MS), now, MAX_FIRINGS);
  let longest: number | undefined;
  for (let i = 1; i < firings.length; i += 1) {
    const gap = (firings[i]?.getTime() ?? 0) - (firings[i - 1]?.getTime() ?? 0);
    if (longest === undefined || gap > longest) longest = gap;
  }
  return longest;
}
