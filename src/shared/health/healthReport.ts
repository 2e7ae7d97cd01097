/**
 * The health endpoint's answer, decided from the facts the shell gathered (settings, store, last tick). It says
 * only states and ages: no setting values, no error text, no resource names, since monitors and people without
 * access to the app's data read it.
 */

export const HEALTH_SCHEMA = 'iris-backup-guard/health@1';

/** A tick older than this many advance periods means the timer stopped (or every tick fails before its end). */
export const STALE_PERIODS = 3;

export interface HealthFacts {
  now: Date;
  settingsValid: boolean;
  /** Undefined when the store was not tried (the settings are invalid). */
  storeReachable: boolean | undefined;
  /** When the last advance tick finished; undefined when none was recorded (or the store could not be read). */
  lastTickAt: string | undefined;
  /** The advance schedule's period (tickPeriod.ts); undefined when it could not be computed. */
  tickPeriodMs: number | undefined;
}

export type HealthStatus = 'ok' | 'degraded' | 'failing';

export interface HealthCheck {
  name: 'settings' | 'store' | 'lastTick';
  status: HealthStatus;
  /** Fixed text chosen here, never anything read from Azure or the store. */
  detail: string;
}

export interface HealthReport {
  schema: typeof HEALTH_SCHEMA;
  status: HealthStatus;
  settings: 'valid' | 'invalid';
  store: 'reachable' | 'unreachable';
  lastTick: { at: string; ageSeconds: number } | null;
  checks: HealthCheck[];
}

const WORST: readonly HealthStatus[] = ['failing', 'degraded', 'ok'];

function tickCheck(facts: HealthFacts, ageSeconds: number | undefined): HealthCheck {
  if (facts.storeReachable !== true) return { name: 'lastTick', status: 'degraded', detail: 'not read' };
  if (ageSeconds === undefined) return { name: 'lastTick', status: 'degraded', detail: 'no tick recorded yet' };
  if (facts.tickPeriodMs === undefined)
    return { name: 'lastTick', status: 'ok', detail: 'recorded; the advance schedule gives no period to judge it by' };
  const limitSeconds = Math.round((STALE_PERIODS * facts.tickPeriodMs) / 1000);
  return ageSeconds > limitSeconds
    ? { name: 'lastTick', status: 'degraded', detail: `older than ${STALE_PERIODS} advance periods (${limitSeconds}s)` }
    : { name: 'lastTick', status: 'ok', detail: `within ${STALE_PERIODS} advance periods (${limitSeconds}s)` };
}

export function healthReport(facts: HealthFacts): HealthReport {
  const at = facts.lastTickAt;
  // A tick stamped a little ahead of this instance's clock is not negative in age.
  const ageSeconds =
    at === undefined ? undefined : Math.max(0, Math.round((facts.now.getTime() - Date.parse(at)) / 1000));
  const checks: HealthCheck[] = [
    facts.settingsValid
      ? { name: 'settings', status: 'ok', detail: 'valid' }
      : { name: 'settings', status: 'failing', detail: 'invalid: the start-up log names each bad setting' },
    facts.storeReachable === true
      ? { name: 'store', status: 'ok', detail: 'reachable' }
      : {
          name: 'store',
          status: 'failing',
          detail: facts.storeReachable === undefined ? 'not tried without valid settings' : 'unreachable',
        },
    tickCheck(facts, ageSeconds),
  ];
  const status = WORST.find((s) => checks.some((c) => c.status === s)) ?? 'ok';
  return {
    schema: HEALTH_SCHEMA,
    status,
    settings: facts.settingsValid ? 'valid' : 'invalid',
    store: facts.storeReachable === true ? 'reachable' : 'unreachable',
    lastTick: at === undefined || ageSeconds === undefined ? null : { at, ageSeconds },
    checks,
  };
}

/** 503 tells a load balancer or monitor the app cannot work; degraded still answers 200 with the details. */
export const healthHttpStatus = (report: HealthReport): number => (report.status === 'failing' ? 503 : 200);
