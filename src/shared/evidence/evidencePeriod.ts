/**
 * The period an evidence export covers: whole nights, from and to inclusive, as the nights the runs are stored
 * under (one table partition each). Pure: "today" (the night in the configured time zone) comes in.
 */
export const MAX_EVIDENCE_NIGHTS = 400;
/** Without --from: the 30 nights ending with `to`. */
export const DEFAULT_EVIDENCE_NIGHTS = 30;

export interface EvidencePeriod {
  from: string;
  to: string;
  /** Every night from `from` to `to`, ascending. */
  nights: string[];
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Midnight UTC of a real calendar date, or undefined (2026-02-30 and 2026-13-01 are not dates). */
function dateMs(text: string): number | undefined {
  const m = YMD.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    ? date.getTime()
    : undefined;
}

const nightAt = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const notADate = (name: string, value: string): { error: string } => ({
  error: `${name} "${value.slice(0, 40)}" is not a date YYYY-MM-DD; give a real calendar date, e.g. 2026-11-01`,
});

/**
 * From and to as given (either may be absent): to defaults to today, from to 29 nights before to. Dates are
 * calendar arithmetic in UTC, so a daylight-saving change can neither skip nor repeat a night.
 */
export function parseEvidencePeriod(
  from: string | undefined,
  to: string | undefined,
  today: string,
): EvidencePeriod | { error: string } {
  const toText = to ?? today;
  const toMs = dateMs(toText);
  if (toMs === undefined) return notADate('to', toText);
  const fromText = from ?? nightAt(toMs - (DEFAULT_EVIDENCE_NIGHTS - 1) * DAY_MS);
  const fromMs = dateMs(fromText);
  if (fromMs === undefined) return notADate('from', fromText);
  if (fromMs > toMs)
    return { error: `from ${fromText} is after to ${toText}; give from ≤ to, e.g. from 2026-11-01 to 2026-11-30` };
  const count = Math.round((toMs - fromMs) / DAY_MS) + 1;
  if (count > MAX_EVIDENCE_NIGHTS)
    return {
      error: `from ${fromText} to ${toText} is ${count} nights; at most ${MAX_EVIDENCE_NIGHTS} per export, e.g. from 2026-01-01 to 2026-12-31 (export longer spans in parts)`,
    };
  const nights = Array.from({ length: count }, (_, i) => nightAt(fromMs + i * DAY_MS));
  return { from: fromText, to: toText, nights };
}
