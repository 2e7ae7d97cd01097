/**
 * The advance tick's first step: a nightly call that did not finish (nightLedger.ts) is made again, tonight's or
 * last night's, so that a host killed in the middle of it does not cost the VMs after the cut their backup.
 */
import { toError } from '../errors/appError';
import { nightOf, previousNight } from './night';
import { nightToResume } from './nightLedger';
import { runNightlyProtection } from './nightlyProtection';
import type { ProtectionDeps } from './protectionDeps';

/** The night resumed, if one was. Never throws: a failed resume is logged and tried again at a later tick. */
export async function resumeUnfinishedNight(deps: ProtectionDeps): Promise<string | undefined> {
  const ledger = deps.nights;
  if (ledger === undefined) return undefined;
  try {
    const now = deps.clock.now();
    const tonight = nightOf(now, deps.settings.schedules.nightTimeZone);
    const records = await Promise.all([previousNight(tonight), tonight].map((n) => ledger.get(n)));
    const unfinished = nightToResume(records, now);
    if (unfinished === undefined) return undefined;
    deps.log.warn(`The nightly call of ${unfinished.night} did not finish; calling it again`, {
      night: unfinished.night,
      attempts: unfinished.attempts,
      lastStartedAt: unfinished.startedAt,
    });
    await runNightlyProtection(deps, unfinished.night);
    return unfinished.night;
  } catch (e) {
    deps.log.warn('Could not resume an unfinished nightly call', { error: toError(e).message });
    return undefined;
  }
}
