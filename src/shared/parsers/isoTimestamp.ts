/** Date and time fields as a log line writes them (month 1-12). */
export interface TimestampParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the fields name a real calendar time (no 31 February, no hour 24). */
export function isValidTimestamp(p: TimestampParts): boolean {
  return (
    p.year >= 1900 &&
    p.year <= 2999 &&
    p.month >= 1 &&
    p.month <= 12 &&
    p.day >= 1 &&
    p.day <= daysInMonth(p.year, p.month) &&
    p.hour <= 23 &&
    p.minute <= 59 &&
    p.second <= 60 &&
    p.millisecond <= 999
  );
}

/**
 * ISO 8601 text for the fields. Without a zone the result has no designator (local time as written);
 * `utc` appends Z; `offsetMinutes` (the writer's offset east of UTC) converts local time to UTC and appends Z.
 */
export function isoTimestamp(p: TimestampParts, zone: { utc?: boolean; offsetMinutes?: number } = {}): string {
  if (zone.offsetMinutes !== undefined) {
    const ms =
      Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, Math.min(p.second, 59), p.millisecond) -
      zone.offsetMinutes * 60_000;
    return new Date(ms).toISOString();
  }
  const text =
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `.${pad(p.millisecond, 3)}`;
  return zone.utc ? `${text}Z` : text;
}

/** Milliseconds from a fraction of a second as written ("7", "233", "796446"). */
export function fractionToMillis(fraction: string | undefined): number {
  if (!fraction) return 0;
  return Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** Whole-minute offsets real time zones use: -12:00 to +14:00. */
export function isValidOffsetMinutes(offset: number): boolean {
  return Number.isInteger(offset) && offset >= -720 && offset <= 840;
}
