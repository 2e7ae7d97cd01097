/**
 * The `$filter` grammar the Backup API accepts: `field eq 'value'` clauses joined by `and`. Dates come as
 * 'yyyy-MM-dd hh:mm:ss AM' (spec examples) or ISO 8601 (what azure-cli sends for recovery points).
 */
export type FilterResult = { ok: true; clauses: Map<string, string> } | { ok: false; message: string };

const CLAUSE = /^\s*([A-Za-z]+)\s+eq\s+'([^']*)'\s*$/i;

export function parseEqFilter(filter: string | undefined, allowed: readonly string[]): FilterResult {
  const clauses = new Map<string, string>();
  if (filter === undefined || filter.trim() === '') return { ok: true, clauses };
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = CLAUSE.exec(part);
    if (!m?.[1] || m[2] === undefined) return { ok: false, message: `Invalid $filter clause '${part.trim()}'` };
    const field = allowed.find((a) => a.toLowerCase() === m[1]?.toLowerCase());
    if (field === undefined) return { ok: false, message: `Unsupported $filter field '${m[1]}'` };
    clauses.set(field, m[2]);
  }
  return { ok: true, clauses };
}

const AM_PM = /^(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(AM|PM)$/i;

/** Milliseconds since the epoch (UTC), or undefined when the text is not a date in either format. */
export function parseFilterDate(text: string): number | undefined {
  const m = AM_PM.exec(text.trim());
  if (m) {
    const [, y, mo, d, h, mi, s, ampm] = m;
    let hour = Number(h) % 12;
    if (ampm?.toUpperCase() === 'PM') hour += 12;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, Number(mi), Number(s));
    return Number.isNaN(ms) ? undefined : ms;
  }
  // ISO with any number of fraction digits; JS only parses up to milliseconds reliably.
  const iso = text.trim().replace(/(\.\d{3})\d+/, '$1');
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(iso)) return undefined;
  const ms = Date.parse(/T/.test(iso) && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? `${iso}Z` : iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** 'yyyy-MM-dd hh:mm:ss AM', the spec examples' format, for clients and tests. */
export function formatFilterDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const h24 = date.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(h12)}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${h24 < 12 ? 'AM' : 'PM'}`
  );
}
