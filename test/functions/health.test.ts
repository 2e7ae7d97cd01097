/**
 * The advance tick's observability through the function handlers, over the sandbox: the METRIC line each tick logs,
 * the heartbeat it leaves, and GET /api/health reading that heartbeat (ok, stale, store unreachable, bad settings).
 */
import { format } from 'node:util';
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { advanceRuns } from '../../src/functions/advanceRuns';
import { health } from '../../src/functions/health';
import { setHeartbeatStore, setProtectionDeps } from '../../src/functions/protectionContext';
import { createHeartbeatStore } from '../../src/composition/composition';
import { HEALTH_SCHEMA, type HealthReport } from '../../src/shared/health/healthReport';
import { TICK_METRIC_MESSAGE, type TickMetrics } from '../../src/shared/health/tickMetrics';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const SCHEDULE = '0 */5 * * * *';

interface Line {
  level: string;
  message: string;
  args: unknown[];
}

function context(functionName: string): { ctx: InvocationContext; lines: Line[] } {
  const lines: Line[] = [];
  const ctx = new InvocationContext({
    functionName,
    logHandler: (level, ...args) => lines.push({ level, message: String(args[0]), args }),
  });
  return { ctx, lines };
}

async function getHealth(): Promise<{ status: number; report: HealthReport; body: string; lines: Line[] }> {
  const { ctx, lines } = context('health');
  const response = await health(new HttpRequest({ method: 'GET', url: 'https://app.example/api/health' }), ctx);
  const body = typeof response.body === 'string' ? response.body : '';
  return { status: response.status ?? 200, report: JSON.parse(body) as HealthReport, body, lines };
}

describe('advance tick metrics, heartbeat and GET /api/health (sandbox)', () => {
  let w: ProtectionWorld;
  const savedSchedule = process.env['IBG_ADVANCE_SCHEDULE'];

  const useWorld = (): void => {
    setProtectionDeps(w.deps);
    setHeartbeatStore(createHeartbeatStore(w.deps.settings, w.sandbox.credential));
  };

  beforeAll(async () => {
    process.env['IBG_ADVANCE_SCHEDULE'] = SCHEDULE;
    w = await startProtectionWorld();
    useWorld();
  });
  afterAll(async () => {
    if (savedSchedule === undefined) delete process.env['IBG_ADVANCE_SCHEDULE'];
    else process.env['IBG_ADVANCE_SCHEDULE'] = savedSchedule;
    setProtectionDeps(undefined);
    await w?.stop();
  });

  it('before any tick: degraded (200), the store reachable, no last tick', async () => {
    const { status, report } = await getHealth();
    expect(status).toBe(200);
    expect(report).toMatchObject({ schema: HEALTH_SCHEMA, status: 'degraded', settings: 'valid', store: 'reachable' });
    expect(report.lastTick).toBeNull();
  });

  it('each tick logs one METRIC line with its counts, and leaves a heartbeat the health endpoint reads', async () => {
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const metrics: TickMetrics[] = [];
    for (let tick = 0; tick < 3; tick += 1) {
      w.sandbox.clock.advance(30 * 60_000);
      await w.sandbox.idle();
      const { ctx, lines } = context('advanceRuns');
      await advanceRuns(timer, ctx);
      const metricLines = lines.filter((l) => l.message.startsWith(`${TICK_METRIC_MESSAGE} `));
      expect(metricLines).toHaveLength(1);
      expect(metricLines[0]?.level).toBe('information');
      // As Application Insights stores it (util.format of the arguments): the JSON after the prefix parses.
      const stored = format(...(metricLines[0]?.args ?? []));
      metrics.push(JSON.parse(stored.slice(TICK_METRIC_MESSAGE.length + 1)) as TickMetrics);
    }
    const stored = await w.deps.store.list(night);
    const last = metrics[metrics.length - 1];
    // The last tick's stages are the runs it looked at: every run of the night it moved, by stage.
    const stagesNow: Record<string, number> = {};
    for (const s of stored) stagesNow[s.run.stage] = (stagesNow[s.run.stage] ?? 0) + 1;
    expect(Object.values(last?.runsByStage ?? {}).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(0);
    for (const [stage, n] of Object.entries(last?.runsByStage ?? {}))
      expect(n).toBeLessThanOrEqual(stagesNow[stage] ?? 0);
    // The problems raised over the ticks are the ones the world's alert sink received, by severity.
    const raised: Record<string, number> = {};
    for (const a of w.alerts) raised[a.severity] = (raised[a.severity] ?? 0) + 1;
    const counted: Record<string, number> = {};
    for (const m of metrics)
      for (const [sev, n] of Object.entries(m.alertsBySeverity)) counted[sev] = (counted[sev] ?? 0) + (n ?? 0);
    expect(Object.keys(raised).length).toBeGreaterThan(0);
    expect(counted).toEqual(raised);
    for (const m of metrics) {
      expect(m.drills).toEqual({ passed: 0, failed: 0, inconclusive: 0 }); // drills are off in this world
      expect(Number.isInteger(m.durationMs) && m.durationMs >= 0).toBe(true);
    }

    const { status, report } = await getHealth();
    expect(status).toBe(200);
    expect(report.status).toBe('ok');
    // The sandbox clock runs on between the tick and the question, a little.
    const at = Date.parse(report.lastTick?.at ?? '');
    expect(at).toBeLessThanOrEqual(w.sandbox.clock.now().getTime());
    expect(report.lastTick?.ageSeconds).toBe(Math.max(0, Math.round((w.sandbox.clock.now().getTime() - at) / 1000)));
    expect(report.lastTick?.ageSeconds).toBeLessThan(60);
  });

  it('a heartbeat older than three advance periods is degraded (200)', async () => {
    const before = (await getHealth()).report.lastTick;
    w.sandbox.clock.advance(16 * 60_000);
    const { status, report } = await getHealth();
    expect(status).toBe(200);
    expect(report.status).toBe('degraded');
    expect(report.lastTick?.at).toBe(before?.at);
    expect(report.lastTick?.ageSeconds).toBeGreaterThanOrEqual((before?.ageSeconds ?? 0) + 16 * 60);
    expect(report.checks.find((c) => c.name === 'lastTick')?.status).toBe('degraded');
  });

  it('a store that cannot be read: failing (503); the reason is logged, not answered', async () => {
    setHeartbeatStore({
      beat: () => Promise.reject(new Error('unused')),
      last: () => Promise.reject(new Error('connect ECONNREFUSED secret-account.table.core.windows.net')),
    });
    try {
      const { status, report, body, lines } = await getHealth();
      expect(status).toBe(503);
      expect(report).toMatchObject({ status: 'failing', settings: 'valid', store: 'unreachable', lastTick: null });
      expect(body).not.toContain('secret-account');
      expect(lines.map((l) => l.message).join('\n')).toContain('secret-account');
    } finally {
      useWorld();
    }
  });

  it('a tick whose heartbeat cannot be written still ends, with a warning', async () => {
    setHeartbeatStore({ beat: () => Promise.reject(new Error('table down')), last: () => Promise.resolve(undefined) });
    try {
      const { ctx, lines } = context('advanceRuns');
      await expect(advanceRuns(timer, ctx)).resolves.toBeUndefined();
      expect(lines.filter((l) => l.message.startsWith(`${TICK_METRIC_MESSAGE} `))).toHaveLength(1);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: 'advanceRuns could not record its heartbeat for the health endpoint',
        }),
      );
    } finally {
      useWorld();
    }
  });

  it('invalid settings: failing (503), the store not tried', async () => {
    setProtectionDeps(undefined); // the handler now builds the deps from this process's environment, which has none
    try {
      const { status, report, lines } = await getHealth();
      expect(status).toBe(503);
      expect(report).toMatchObject({ status: 'failing', settings: 'invalid', store: 'unreachable', lastTick: null });
      expect(lines[0]?.level).toBe('error');
      expect(lines[0]?.message).toMatch(/^health: the settings are invalid: /);
    } finally {
      useWorld();
    }
  });
});
