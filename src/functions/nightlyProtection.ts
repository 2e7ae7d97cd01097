/** Timer: starts tonight's backup of every enrolled VM (preflight, then an on-demand backup). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { scheduleBinding } from '../shared/config/timerSchedules';
import { nightOf } from '../shared/protection/night';
import { runNightlyProtection } from '../shared/protection/nightlyProtection';
import { depsFor } from './protectionContext';

export async function nightlyProtection(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context);
  const night = nightOf(deps.clock.now(), deps.settings.schedules.nightTimeZone);
  if (timer.isPastDue) context.warn('nightlyProtection is running late (past due)');
  const result = await runNightlyProtection(deps, night);
  const count = (o: string): number => result.vms.filter((v) => v.outcome === o).length;
  context.log(
    `nightlyProtection ${night}: ${result.vms.length} enrolled VMs, ${count('started')} started, ` +
      `${count('exists')} already had a run, ${count('superseded')} superseded, ${count('error')} errors`,
    {
      vms: result.vms,
      notProtected: [...result.enrollment.taggedNotProtected, ...result.enrollment.listedNotProtected],
    },
  );
  for (const v of result.vms)
    if (v.outcome === 'error') context.error(`nightlyProtection failed for ${v.vmId}: ${v.error}`);
}

// The host resolves the schedule from the app setting, in UTC; index.ts refuses to start without it.
app.timer('nightlyProtection', { schedule: scheduleBinding('IBG_NIGHTLY_SCHEDULE'), handler: nightlyProtection });
