import fc from 'fast-check';
import { isDrillNight, olderPointIndex, type DrillPolicy } from '../../src/shared/drills/drillPolicy';
import { DRILL_VM_PREFIX, drillVmName } from '../../src/shared/drills/drillTarget';
import { DRILL_POLICY } from '../runs/runSamples';

const DAY = 86_400_000;
const nightAfter = (start: string, days: number): string =>
  new Date(Date.parse(`${start}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const nights = (start: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => nightAfter(start, i));

const vmKey = fc.string({ minLength: 1, maxLength: 80 });
const start = fc.integer({ min: 0, max: 20_000 }).map((d) => nightAfter('2000-01-01', d));
const policy = (over: Partial<DrillPolicy>): DrillPolicy => ({ ...(DRILL_POLICY.drill as DrillPolicy), ...over });

describe('isDrillNight', () => {
  it('every: every night', () => {
    fc.assert(fc.property(vmKey, start, (k, n) => isDrillNight({ kind: 'every' }, k, n)));
  });

  it('every-nth: each VM exactly once in any N consecutive nights, deterministically', () => {
    fc.assert(
      fc.property(vmKey, start, fc.integer({ min: 2, max: 31 }), (k, s, n) => {
        const hits = nights(s, n).filter((night) => isDrillNight({ kind: 'every-nth', n }, k, night));
        expect(hits).toHaveLength(1);
        expect(nights(s, n).filter((night) => isDrillNight({ kind: 'every-nth', n }, k, night))).toEqual(hits);
        // And N nights later again.
        expect(isDrillNight({ kind: 'every-nth', n }, k, nightAfter(hits[0] ?? s, n))).toBe(true);
      }),
    );
  });

  it('weekday: each VM exactly once in any 7 consecutive nights, always on the same weekday', () => {
    fc.assert(
      fc.property(vmKey, start, (k, s) => {
        const hits = nights(s, 7).filter((night) => isDrillNight({ kind: 'weekday' }, k, night));
        expect(hits).toHaveLength(1);
        const day = new Date(`${hits[0]}T00:00:00Z`).getUTCDay();
        for (const week of [1, 2, 10])
          expect(isDrillNight({ kind: 'weekday' }, k, nightAfter(hits[0] ?? s, 7 * week))).toBe(true);
        expect(new Date(`${nightAfter(hits[0] ?? s, 70)}T00:00:00Z`).getUTCDay()).toBe(day);
      }),
    );
  });

  it('spreads VMs over the nights (not all on one)', () => {
    const keys = Array.from({ length: 70 }, (_, i) => `sub/rg/vm-${i}`);
    const first = new Set(
      keys.map((k) => nights('2026-03-01', 7).find((n) => isDrillNight({ kind: 'weekday' }, k, n))),
    );
    expect(first.size).toBeGreaterThan(3);
  });
});

describe('olderPointIndex', () => {
  it('never when olderPointEvery is 0, or there is nothing to choose from', () => {
    expect(olderPointIndex(policy({ olderPointEvery: 0 }), 'vm', '2026-03-10/vm', '2026-03-10', 5)).toBeUndefined();
    expect(olderPointIndex(policy({ olderPointEvery: 1 }), 'vm', '2026-03-10/vm', '2026-03-10', 0)).toBeUndefined();
  });

  it('every Nth drill of a VM samples an older point: exactly once in N consecutive drill nights, an index in range', () => {
    fc.assert(
      fc.property(
        vmKey,
        start,
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 50 }),
        (k, s, every, count) => {
          const p = policy({ olderPointEvery: every, schedule: { kind: 'every' } });
          const picks = nights(s, every).map((n) => olderPointIndex(p, k, `${n}/${k}`, n, count));
          expect(picks.filter((i) => i !== undefined)).toHaveLength(1);
          for (const i of picks) if (i !== undefined) expect(i).toBeGreaterThanOrEqual(0);
          for (const i of picks) if (i !== undefined) expect(i).toBeLessThan(count);
        },
      ),
    );
  });

  it('with an every-nth schedule, every Nth of the VM’s drill nights (not every night, not never)', () => {
    fc.assert(
      fc.property(vmKey, start, fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), (k, s, n, every) => {
        const p = policy({ olderPointEvery: every, schedule: { kind: 'every-nth', n } });
        const drillNights = nights(s, n * every).filter((night) => isDrillNight(p.schedule, k, night));
        expect(drillNights).toHaveLength(every);
        expect(
          drillNights.filter((night) => olderPointIndex(p, k, `${night}/${k}`, night, 10) !== undefined),
        ).toHaveLength(1);
      }),
    );
  });
});

describe('drillVmName', () => {
  it('ibg-drill- prefix, at most 64 characters of [a-z0-9-], not ending in -, for any VM name', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ minLength: 1, maxLength: 300 }),
        start,
        (vm, runId, night) => {
          const name = drillVmName(runId, vm, night);
          expect(name.startsWith(DRILL_VM_PREFIX)).toBe(true);
          expect(name.length).toBeLessThanOrEqual(64);
          expect(name).toMatch(/^[a-z0-9-]+$/);
          expect(name.endsWith('-')).toBe(false);
          expect(drillVmName(runId, vm, night)).toBe(name);
        },
      ),
    );
  });

  it('differs between runs of VMs with the same name', () => {
    const names = new Set(
      Array.from({ length: 500 }, (_, i) => drillVmName(`2026-03-10/sub~rg-${i}~iris-1`, 'iris-1', '2026-03-10')),
    );
    expect(names.size).toBe(500);
  });
});
