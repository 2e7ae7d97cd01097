import { HEALTH_SCHEMA, healthHttpStatus, healthReport, type HealthFacts } from '../../src/shared/health/healthReport';

const NOW = new Date('2026-03-02T10:00:00Z');
const FIVE_MIN = 5 * 60_000;
const facts = (over: Partial<HealthFacts> = {}): HealthFacts => ({
  now: NOW,
  settingsValid: true,
  storeReachable: true,
  lastTickAt: new Date(NOW.getTime() - 2 * 60_000).toISOString(),
  tickPeriodMs: FIVE_MIN,
  ...over,
});

describe('healthReport', () => {
  it('recent tick, reachable store, valid settings: ok with the age', () => {
    const r = healthReport(facts());
    expect(r.schema).toBe(HEALTH_SCHEMA);
    expect(r.status).toBe('ok');
    expect(r.settings).toBe('valid');
    expect(r.store).toBe('reachable');
    expect(r.lastTick).toEqual({ at: '2026-03-02T09:58:00.000Z', ageSeconds: 120 });
    expect(r.checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok']);
    expect(healthHttpStatus(r)).toBe(200);
  });

  it('exactly three periods old: still ok; one second more: degraded (200)', () => {
    const at = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
    expect(healthReport(facts({ lastTickAt: at(3 * FIVE_MIN) })).status).toBe('ok');
    const stale = healthReport(facts({ lastTickAt: at(3 * FIVE_MIN + 1000) }));
    expect(stale.status).toBe('degraded');
    expect(stale.checks.find((c) => c.name === 'lastTick')?.detail).toBe('older than 3 advance periods (900s)');
    expect(healthHttpStatus(stale)).toBe(200);
  });

  it('no tick recorded yet: degraded, lastTick null', () => {
    const r = healthReport(facts({ lastTickAt: undefined }));
    expect(r.status).toBe('degraded');
    expect(r.lastTick).toBeNull();
  });

  it('no period to judge by: the age is reported, not judged', () => {
    const r = healthReport(facts({ lastTickAt: '2026-01-01T00:00:00Z', tickPeriodMs: undefined }));
    expect(r.status).toBe('ok');
    expect(r.lastTick?.ageSeconds).toBe((NOW.getTime() - Date.parse('2026-01-01T00:00:00Z')) / 1000);
  });

  it('a tick stamped ahead of this clock has age zero', () => {
    expect(healthReport(facts({ lastTickAt: '2026-03-02T10:00:05Z' })).lastTick?.ageSeconds).toBe(0);
  });

  it('unreachable store: failing (503), the tick not read', () => {
    const r = healthReport(facts({ storeReachable: false, lastTickAt: undefined }));
    expect(r.status).toBe('failing');
    expect(r.store).toBe('unreachable');
    expect(r.checks.find((c) => c.name === 'lastTick')?.detail).toBe('not read');
    expect(healthHttpStatus(r)).toBe(503);
  });

  it('invalid settings: failing (503), the store not tried', () => {
    const r = healthReport(facts({ settingsValid: false, storeReachable: undefined, lastTickAt: undefined }));
    expect(r.status).toBe('failing');
    expect(r.settings).toBe('invalid');
    expect(r.checks.find((c) => c.name === 'store')?.detail).toBe('not tried without valid settings');
    expect(healthHttpStatus(r)).toBe(503);
  });
});
