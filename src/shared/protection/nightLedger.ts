/**
 * Whether a night's nightly call finished. The call marks its night started when it begins and finished once every
 * enrolled VM has its run; a call cut short (its host killed or timed out, an error thrown) leaves the night started
 * and unfinished. The host never runs a timer invocation again after its process died, so without this the VMs after
 * the cut would go without a backup that night: the next advance tick calls it again instead (resumeNight.ts). The
 * call is idempotent, a VM's run being created once, so a resume only adds what is missing. Pure, but for the port.
 */
export interface NightRecord {
  night: string;
  /** When the latest call for the night began. */
  startedAt: string;
  /** Calls begun for the night, the first one included. */
  attempts: number;
  finishedAt?: string;
}

export interface NightLedger {
  get(night: string): Promise<NightRecord | undefined>;
  /** Records a call beginning (attempts + 1). */
  started(night: string, at: string): Promise<void>;
  finished(night: string, at: string): Promise<void>;
}

/** How long a call may still be running: the host's functionTimeout (host.json), after which it surely ended. */
export const RESUME_AFTER_MS = 10 * 60_000;
/** Calls a night at most (the first and two resumes): a fault that outlasts them is the alerts' business. */
export const MAX_NIGHTLY_ATTEMPTS = 3;
/** A night is resumed within this long of its last call, never days later. */
const RESUME_WITHIN_MS = 12 * 3_600_000;

/** The night whose call should be made again now, if any (the oldest first). */
export function nightToResume(records: readonly (NightRecord | undefined)[], now: Date): NightRecord | undefined {
  return records.find((r) => {
    if (r === undefined || r.finishedAt !== undefined || r.attempts >= MAX_NIGHTLY_ATTEMPTS) return false;
    const age = now.getTime() - Date.parse(r.startedAt);
    return age >= RESUME_AFTER_MS && age < RESUME_WITHIN_MS;
  });
}
