/** Timer: moves every in-flight run forward (job status, recovery point, logs and verdict, time limits). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { scheduleBinding } from '../shared/config/timerSchedules';
import { advanceRuns as advance } from '../shared/protection/advanceRuns';
import { depsFor } from './protectionContext';

export async function advanceRuns(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await advance(depsFor(context));
  context.log(
    `advanceRuns: ${result.active} active runs, ${result.advanced} advanced, ${result.unchanged} unchanged, ` +
      `${result.superseded} superseded, ${result.errors.length} errors`,
    { stages: result.stages },
  );
  for (const e of result.errors) context.error(`advanceRuns failed for ${e.runId}: ${e.error}`);
  for (const e of result.vaultErrors) context.warn(`advanceRuns could not list the jobs of ${e.vaultId}: ${e.error}`);
}

// The host resolves the schedule from the app setting, in UTC; index.ts refuses to start without it.
app.timer('advanceRuns', { schedule: scheduleBinding('IBG_ADVANCE_SCHEDULE'), handler: advanceRuns });
