/**
 * Places a VM's local wall times (IRIS's messages.log: `MM/DD/YY-HH:MM:SS`, no offset, iris.md §5) on the UTC
 * timeline, from the zone the probe reported. A wall time has one UTC reading per offset in force during the logs'
 * window: the offset when the probe ran and the one at the window's start (they differ across a DST change). Within
 * the hour a fall-back repeats, both readings are real, one hour apart; the one nearer the backup is taken, since
 * IRIS freezes and thaws within minutes of the snapshot.
 */
import type { ProbeTimeZone } from '../checks/probeFacts';

const MINUTE_MS = 60_000;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** The app's own time zone database, for a zone name it knows; null for names it does not (POSIX TZ strings…). */
function formatterFor(name: string): Intl.DateTimeFormat | null {
  let f = formatters.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
    } catch {
      f = null;
    }
    formatters.set(name, f);
  }
  return f;
}

/** Minutes east of UTC in force in zone `name` at `ms`, by the app's database; undefined if it cannot say. */
export function zoneOffsetAt(name: string, ms: number): number | undefined {
  const f = formatterFor(name);
  if (!f) return undefined;
  const label = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (label === 'GMT') return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(label);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The wall time's fields read as if they were UTC, in ms; NaN when it is not a zone-less ISO time. */
function wallMs(local: string): number {
  const m = LOCAL_ISO.exec(local);
  if (!m) return Number.NaN;
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    Number((m[7] ?? '0').padEnd(3, '0')),
  );
}

/**
 * Every UTC instant (ms) the VM's wall time `local` can stand for. When the zone's name is one the app knows, a
 * reading whose offset was not in force at that instant is dropped (e.g. the summer offset after the change);
 * the probe's own offsets stay authoritative when the app's database disagrees with all of them.
 */
export function utcReadings(local: string, zone: ProbeTimeZone): number[] {
  const wall = wallMs(local);
  if (Number.isNaN(wall)) return [];
  const offsets = [...new Set([zone.offsetMinutes, zone.sinceOffsetMinutes].filter((o) => o !== undefined))];
  const readings = offsets.map((o) => ({ ms: wall - o * MINUTE_MS, offset: o }));
  const name = zone.name;
  const checked = name === undefined ? readings : readings.filter((r) => zoneOffsetAt(name, r.ms) === r.offset);
  return (checked.length > 0 ? checked : readings).map((r) => r.ms);
}

/** `local` as ISO UTC (with Z), the reading nearest `nearMs`; undefined when the zone gives no offset. */
export function localTimeToUtc(local: string, zone: ProbeTimeZone, nearMs: number): string | undefined {
  const readings = utcReadings(local, zone);
  if (readings.length === 0) return undefined;
  const best = readings.reduce((a, b) => (Math.abs(b - nearMs) < Math.abs(a - nearMs) ? b : a));
  return new Date(best).toISOString();
}

/** The same items with their local `time` in UTC; an item whose time cannot be placed is left out. */
export function onUtcTimeline<T extends { time: string }>(
  items: readonly T[],
  zone: ProbeTimeZone,
  nearMs: number,
): T[] {
  const out: T[] = [];
  for (const item of items) {
    const time = localTimeToUtc(item.time, zone, nearMs);
    if (time !== undefined) out.push({ ...item, time });
  }
  return out;
}
