/**
 * The sandbox's time: it starts at the scenario's start time, passes with real time, and jumps forward on advance(),
 * so tests move time without sleeping. One timeline for everything: ARM responses, job and recovery point times,
 * extension.log, and (through the `date` shim, sandbox/vm-bin/simClock.ts) every process on a simulated VM.
 *
 * Why real time passes instead of a frozen clock: VM processes run for real seconds and their `date` advances while
 * they run. With a frozen sandbox clock, a script started later would see an earlier time than one started before
 * it (its offset from real time would be smaller), so a post-script's thaw could be stamped before the pre-script's
 * freeze. A clock that runs with real time keeps the offset constant between advances and every timeline monotonic.
 * A backup's simulated extension run keeps the offset of its start (backupService.ts), so an advance while its
 * scripts run does not stretch the freeze window.
 */
export type ClockListener = (now: Date) => void;

export class SandboxClock {
  /** The scenario's start time (ms): fixed times in a scenario, such as recovery point ages, count from it. */
  readonly startMs: number;
  /** nowMs() = realNow() + offsetMs; changed only by advance(). */
  private offsetMs: number;
  private readonly listeners = new Set<ClockListener>();

  constructor(
    start: Date | string | number = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    this.startMs = new Date(start).getTime();
    if (Number.isNaN(this.startMs)) throw new TypeError(`SandboxClock: invalid start time '${String(start)}'`);
    this.offsetMs = this.startMs - realNow();
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.realNow() + this.offsetMs;
  }

  /** Sandbox time minus real time, in ms: what a VM process adds to its real clock. */
  offsetFromRealMs(): number {
    return this.offsetMs;
  }

  /** Moves time forward (never backward) and tells listeners, e.g. the world that finishes due jobs. */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`SandboxClock.advance: ms must be >= 0, got ${ms}`);
    this.offsetMs += ms;
    const now = this.now();
    for (const listener of this.listeners) listener(now);
    return now;
  }

  onAdvance(listener: ClockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
