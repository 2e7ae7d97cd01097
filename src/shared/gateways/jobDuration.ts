/**
 * Lenient reading of a Backup job's `duration`. The spec says ISO 8601 (`PT20M23.0896697S`), real responses and
 * the docs also show .NET TimeSpan strings (`00:20:23.0896697`, `1.02:03:04`), and some clients send numbers of
 * seconds. Anything unreadable gives undefined; this never throws.
 */
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

export const parseDurationInMs = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length > 64) return undefined;
  const iso = ISO.exec(text);
  if (iso !== null && text !== 'P' && !/T$/i.test(text)) {
    const seconds = num(iso[1]) * 86400 + num(iso[2]) * 3600 + num(iso[3]) * 60 + num(iso[4]);
    return Math.round(seconds * 1000);
  }
  const span = TIMESPAN.exec(text);
  if (span !== null) {
    const [, days, hours, minutes, seconds, fraction] = span;
    if (num(minutes) > 59 || num(seconds) > 59) return undefined;
    const whole = num(days) * 86400 + num(hours) * 3600 + num(minutes) * 60 + num(seconds);
    return Math.round(whole * 1000 + Number(`0.${fraction ?? '0'}`) * 1000);
  }
  return undefined;
};
