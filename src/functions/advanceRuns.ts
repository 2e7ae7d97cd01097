/** Timer: moves every in-flight run forward (job status, recovery point, logs and verdict, time limits). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { scheduleBinding } from '../shared/config/timerSchedules';
import { toError } from '../shared/errors/appError';
import { tickMetricLine, tickMetrics } from '../shared/health/tickMetrics';
import { observeTick } from '../shared/health/tickObserver';
import { advanceRuns as advance } from '../shared/protection/advanceRuns';
import { depsFor, heartbeatStore } from './protectionContext';

export async function advanceRuns(_timer: Timer, context: InvocationContext): Promise<void> {
  const started = performance.now();
  const { deps, seen } = observeTick(depsFor(context));
  const result = await advance(deps);
  context.log(
    `advanceRuns: ${result.active} active runs, ${result.advanced} advanced, ${result.unchanged} unchanged, ` +
      `${result.superseded} superseded, ${result.errors.length} errors`,
    { stages: result.stages },
  );
  for (const e of result.errors) context.error(`advanceRuns failed for ${e.runId}: ${e.error}`, { runId: e.runId });
  for (const e of result.vaultErrors) context.warn(`advanceRuns could not list the jobs of ${e.vaultId}: ${e.error}`);
  const durationMs = Math.round(performance.now() - started);
  context.log(tickMetricLine(tickMetrics({ durationMs, stages: result.stages, ...seen })));
  // Best effort: a store that cannot take the heartbeat shows on the health endpoint, not as a failed tick.
  try {
    await heartbeatStore().beat({ name: 'advanceRuns', at: deps.clock.now().toISOString(), durationMs });
  } catch (e) {
    context.warn('advanceRuns could not record its heartbeat for the health endpoint', {
      error: toError(e).message,
    });
  }
}

// The host resolves the schedule from the app setting, in UTC; index.ts refuses to start without it.
app.timer('advanceRuns', { schedule: scheduleBinding('IBG_ADVANCE_SCHEDULE'), handler: advanceRuns });
