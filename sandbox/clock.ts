/** The sandbox's controllable time: job durations and operation progress follow it, so tests move time without sleeping. */
export type ClockListener = (now: Date) => void;

export class SandboxClock {
  private current: number;
  private readonly listeners = new Set<ClockListener>();

  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new TypeError(`SandboxClock: invalid start time '${String(start)}'`);
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  /** Moves time forward (never backward) and tells listeners, e.g. the world that finishes due jobs. */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`SandboxClock.advance: ms must be >= 0, got ${ms}`);
    this.current += ms;
    const now = this.now();
    for (const listener of this.listeners) listener(now);
    return now;
  }

  onAdvance(listener: ClockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
