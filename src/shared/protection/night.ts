/** The calendar night a nightly run belongs to: the date at `at` in the configured time zone, as YYYY-MM-DD. */
export function nightOf(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The night before `night` (YYYY-MM-DD), by calendar date, so a DST change cannot skip one. */
export function previousNight(night: string): string {
  const [y, m, d] = night.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
