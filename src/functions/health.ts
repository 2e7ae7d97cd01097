/**
 * GET /api/health: whether the app can work (settings valid, the store reachable) and whether its advance timer
 * still ticks (the age of the last tick's heartbeat against the advance schedule). 200 for ok and degraded, 503 for
 * failing. Function key like the API: the answer holds only states and ages, but a monitor can send a key, and an
 * anonymous route would be the one door into the app without one. The reasons for a failure go to the log.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { redactSecrets } from '../shared/config/redactSecrets';
import { toError } from '../shared/errors/appError';
import { healthHttpStatus, healthReport, type HealthFacts } from '../shared/health/healthReport';
import { tickPeriodMs } from '../shared/health/tickPeriod';
import type { ProtectionDeps } from '../shared/protection/protectionDeps';
import { heartbeatStore, protectionDeps } from './protectionContext';

const ADVANCE_SCHEDULE = 'IBG_ADVANCE_SCHEDULE';

async function gatherFacts(context: InvocationContext): Promise<HealthFacts> {
  let deps: ProtectionDeps;
  try {
    deps = protectionDeps();
  } catch (e) {
    context.error(`health: the settings are invalid: ${redactSecrets(toError(e).message)}`);
    return {
      now: new Date(),
      settingsValid: false,
      storeReachable: undefined,
      lastTickAt: undefined,
      tickPeriodMs: undefined,
    };
  }
  const now = deps.clock.now();
  // The host reads the schedule itself (index.ts checks it at start-up); without a period the age is not judged.
  const period = tickPeriodMs(process.env[ADVANCE_SCHEDULE] ?? '', now);
  try {
    const beat = await heartbeatStore().last('advanceRuns');
    return { now, settingsValid: true, storeReachable: true, lastTickAt: beat?.at, tickPeriodMs: period };
  } catch (e) {
    context.error(`health: the store could not be read: ${redactSecrets(toError(e).message)}`);
    return { now, settingsValid: true, storeReachable: false, lastTickAt: undefined, tickPeriodMs: period };
  }
}

export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const report = healthReport(await gatherFacts(context));
  return {
    status: healthHttpStatus(report),
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(report),
  };
}

app.http('health', { methods: ['GET'], authLevel: 'function', route: 'health', handler: health });
