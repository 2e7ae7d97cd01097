/** How the dashboard writes times and durations: ISO UTC to the minute, durations in words. */

/** `2026-12-03T01:14:27.000Z` → `2026-12-03 01:14Z`; anything that is not an ISO time is returned as it is. */
export function utcMinute(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}

/** To the second, for phases that take seconds. */
export function utcSecond(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}Z` : iso;
}

/** 1.5 s, 52 s, 42 min, 3 h 5 min, 2 d 4 h. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** How long before `now`: "3 h 5 min ago". */
export function ago(iso: string | undefined, now: Date): string {
  if (iso === undefined) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const d = now.getTime() - t;
  return d < 0 ? `in ${duration(-d)}` : `${duration(d)} ago`;
}
