/** Times in runs and events are ISO 8601 strings; these turn them into numbers and durations into text. */
export const DAY_MS = 86_400_000;

export const ms = (iso: string): number => Date.parse(iso);

export const minutes = (n: number): string => `${Math.round(n / 60_000)} min`;
