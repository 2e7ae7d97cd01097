/**
 * The history API's filters and paging, as data: which nights to read (newest first, one partition each), which
 * summaries to keep, and where a page ends. Pure; the shell reads the nights one by one until a page is full, so a
 * request costs the partitions of its page and not the whole period.
 *
 * The cursor is opaque to callers (base64url JSON of the last item's night and run id): the next page starts after
 * that item, which stays right while new runs are written (a newer night comes before the first page, not inside).
 */
import type { RunKind, RunSummary } from './runSummary';

export const MAX_NIGHTS_PER_QUERY = 400;
export const DEFAULT_NIGHTS = 7;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

const KINDS: readonly RunKind[] = ['nightly', 'drill', 'external', 'check'];
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface HistoryQuery {
  /** Newest first. */
  nights: string[];
  vm?: string;
  kind?: RunKind;
  stage?: string;
  /** Runs: the backup's consistency; drills: the drill's verdict. */
  verdict?: string;
  limit: number;
  after?: { night: string; runId: string };
  /** Only runs with a drill (the drills list). */
  drillsOnly: boolean;
}

export interface HistoryPage {
  items: RunSummary[];
  /** Give it back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

const realDate = (text: string): boolean => {
  const m = YMD.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
};

const dayMs = 86_400_000;

/** Request text quoted in an error: a few dozen characters are enough to recognise it. */
export const quoted = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
const dateMs = (night: string): number => Date.parse(`${night}T00:00:00Z`);
const nightAt = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `to` down to `from`, inclusive. */
export function nightsDownFrom(to: string, from: string): string[] {
  const out: string[] = [];
  for (let t = dateMs(to); t >= dateMs(from); t -= dayMs) out.push(nightAt(t));
  return out;
}

export const encodeCursor = (after: { night: string; runId: string }): string =>
  Buffer.from(JSON.stringify([after.night, after.runId]), 'utf8').toString('base64url');

const decodeCursor = (cursor: string): { night: string; runId: string } | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      if (realDate(value[0])) return { night: value[0], runId: value[1] };
    }
  } catch {
    // falls through to undefined
  }
  return undefined;
};

/**
 * The query from URL parameters: from, to (nights YYYY-MM-DD; default the last 7 nights up to `today`), vm (a VM
 * name or key), kind, stage, verdict, limit (1–500), cursor. Returns a message that says what was wrong otherwise.
 */
export function parseHistoryQuery(
  params: URLSearchParams,
  today: string,
  drillsOnly: boolean,
): HistoryQuery | { error: string } {
  const known = new Set(['from', 'to', 'vm', 'kind', 'stage', 'verdict', 'limit', 'cursor', 'code']);
  for (const name of params.keys()) {
    if (!known.has(name))
      return { error: `unknown parameter ${quoted(name)}; use ${[...known].filter((k) => k !== 'code').join(', ')}` };
  }
  const to = params.get('to') ?? today;
  if (!realDate(to)) return { error: `to ${quoted(to)} is not a date YYYY-MM-DD, e.g. ${today}` };
  const from = params.get('from') ?? nightAt(dateMs(to) - (DEFAULT_NIGHTS - 1) * dayMs);
  if (!realDate(from)) return { error: `from ${quoted(from)} is not a date YYYY-MM-DD, e.g. ${today}` };
  if (from > to) return { error: `from ${from} is after to ${to}` };
  // Counted before the nights are listed: 0001-01-01 to 9999-12-31 would be three million of them.
  const count = Math.round((dateMs(to) - dateMs(from)) / dayMs) + 1;
  if (count > MAX_NIGHTS_PER_QUERY)
    return { error: `${count} nights asked for; at most ${MAX_NIGHTS_PER_QUERY} per query` };
  const nights = nightsDownFrom(to, from);
  const query: HistoryQuery = { nights, limit: DEFAULT_LIMIT, drillsOnly };
  const limit = params.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!/^\d{1,4}$/.test(limit) || n < 1 || n > MAX_LIMIT)
      return { error: `limit ${quoted(limit)} must be 1-${MAX_LIMIT}` };
    query.limit = n;
  }
  const kind = params.get('kind');
  if (kind !== null) {
    if (!(KINDS as readonly string[]).includes(kind))
      return { error: `kind ${quoted(kind)} must be one of ${KINDS.join(', ')}` };
    query.kind = kind as RunKind;
  }
  for (const name of ['vm', 'stage', 'verdict'] as const) {
    const value = params.get(name);
    if (value === null) continue;
    if (value === '' || value.length > 200) return { error: `${name} must be 1-200 characters` };
    query[name] = value.toLowerCase();
  }
  const cursor = params.get('cursor');
  if (cursor !== null) {
    const after = decodeCursor(cursor);
    if (after === undefined) return { error: 'cursor is not one this API gave; start again without it' };
    query.after = after;
  }
  return query;
}

export function matchesHistoryQuery(s: RunSummary, q: HistoryQuery): boolean {
  if (q.drillsOnly && s.drill === undefined) return false;
  if (q.vm !== undefined && s.vmName.toLowerCase() !== q.vm && s.vmKey !== q.vm) return false;
  if (q.kind !== undefined && s.kind !== q.kind) return false;
  if (q.stage !== undefined && s.stage !== q.stage) return false;
  if (q.verdict !== undefined) {
    const verdict = q.drillsOnly ? (s.drill?.verdict ?? 'in-progress') : (s.verdict?.consistency ?? 'none');
    if (verdict !== q.verdict) return false;
  }
  // Strictly after the cursor's item: an older night, or the same night and a later run id (the page order).
  if (q.after !== undefined && (s.night > q.after.night || (s.night === q.after.night && s.runId <= q.after.runId)))
    return false;
  return true;
}

/** Pages run newest night first and, within a night, by run id, so a cursor inside a night is exact. */
const withinNight = (a: RunSummary, b: RunSummary): number => a.runId.localeCompare(b.runId);

/**
 * Reads nights newest first through `readNight` until the page is full, and says where the next page starts.
 * A night before the cursor's is skipped without reading it.
 */
export async function readHistoryPage(
  q: HistoryQuery,
  readNight: (night: string) => Promise<RunSummary[]>,
): Promise<HistoryPage> {
  const items: RunSummary[] = [];
  let more = false;
  for (const night of q.nights) {
    if (q.after !== undefined && night > q.after.night) continue;
    const kept = (await readNight(night)).filter((s) => matchesHistoryQuery(s, q)).sort(withinNight);
    for (const s of kept) {
      if (items.length === q.limit) {
        more = true;
        break;
      }
      items.push(s);
    }
    if (more) break;
  }
  const last = items[items.length - 1];
  return more && last !== undefined
    ? { items, nextCursor: encodeCursor({ night: last.night, runId: last.runId }) }
    : { items };
}
