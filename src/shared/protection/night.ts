/** The calendar night a nightly run belongs to: the date at `at` in the configured time zone, as YYYY-MM-DD. */
export function nightOf(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
