/** The one source of "now" for the shells; the core receives time as data, and tests pass a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
