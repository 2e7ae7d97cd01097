import { localTimeToUtc, onUtcTimeline, utcReadings, zoneOffsetAt } from '../../src/shared/parsers/vmLocalTime';

const ms = (iso: string): number => Date.parse(iso);

describe('vmLocalTime: a VM wall time on the UTC timeline', () => {
  it('one offset: UTC-8 and UTC+9 wall times move by their offset', () => {
    const la = { name: 'America/Los_Angeles', source: 'TZ', offsetMinutes: -480, sinceOffsetMinutes: -480 };
    const tokyo = { name: 'Asia/Tokyo', source: 'TZ', offsetMinutes: 540, sinceOffsetMinutes: 540 };
    expect(localTimeToUtc('2026-12-02T17:30:05.123', la, ms('2026-12-03T01:00:00Z'))).toBe('2026-12-03T01:30:05.123Z');
    expect(localTimeToUtc('2026-12-03T10:30:05.000', tokyo, ms('2026-12-03T01:00:00Z'))).toBe(
      '2026-12-03T01:30:05.000Z',
    );
  });

  it('the app knows the zones the tests use (Intl with full ICU)', () => {
    expect(zoneOffsetAt('Europe/Berlin', ms('2026-10-25T00:59:59Z'))).toBe(120);
    expect(zoneOffsetAt('Europe/Berlin', ms('2026-10-25T01:00:00Z'))).toBe(60);
    expect(zoneOffsetAt('UTC', ms('2026-10-25T01:00:00Z'))).toBe(0);
    expect(zoneOffsetAt('Not/AZone', 0)).toBeUndefined();
  });

  describe('across the fall-back in Europe/Berlin (2026-10-25 03:00 CEST -> 02:00 CET, at 01:00Z)', () => {
    const berlin = { name: 'Europe/Berlin', source: 'TZ', offsetMinutes: 60, sinceOffsetMinutes: 120 };

    it('a wall time before the repeated hour has only its summer reading', () => {
      expect(utcReadings('2026-10-25T01:30:00.000', berlin)).toEqual([ms('2026-10-24T23:30:00Z')]);
    });

    it('a wall time after it has only its winter reading', () => {
      expect(utcReadings('2026-10-25T03:30:00.000', berlin)).toEqual([ms('2026-10-25T02:30:00Z')]);
    });

    it('a wall time in the repeated hour has both; the one nearer the backup is taken', () => {
      expect(utcReadings('2026-10-25T02:05:00.000', berlin).sort()).toEqual([
        ms('2026-10-25T00:05:00Z'),
        ms('2026-10-25T01:05:00Z'),
      ]);
      expect(localTimeToUtc('2026-10-25T02:05:00.000', berlin, ms('2026-10-25T01:04:00Z'))).toBe(
        '2026-10-25T01:05:00.000Z',
      );
      expect(localTimeToUtc('2026-10-25T02:05:00.000', berlin, ms('2026-10-25T00:06:00Z'))).toBe(
        '2026-10-25T00:05:00.000Z',
      );
    });

    it('without a name the app knows, the probe’s two offsets give both readings', () => {
      const posix = { name: 'CET-1CEST,M3.5.0,M10.5.0/3', source: 'TZ', offsetMinutes: 60, sinceOffsetMinutes: 120 };
      expect(utcReadings('2026-10-25T01:30:00.000', posix).sort()).toEqual([
        ms('2026-10-24T23:30:00Z'),
        ms('2026-10-25T00:30:00Z'),
      ]);
      expect(localTimeToUtc('2026-10-25T01:30:00.000', posix, ms('2026-10-25T00:20:00Z'))).toBe(
        '2026-10-25T00:30:00.000Z',
      );
    });
  });

  it('onUtcTimeline converts every item and drops one it cannot place', () => {
    const tokyo = { source: 'TZ', offsetMinutes: 540 };
    const items = [
      { type: 'frozen', time: '2026-12-03T10:00:00.000' },
      { type: 'bad', time: 'not a time' },
    ];
    expect(onUtcTimeline(items, tokyo, 0)).toEqual([{ type: 'frozen', time: '2026-12-03T01:00:00.000Z' }]);
    expect(onUtcTimeline(items, { source: 'default' }, 0)).toEqual([]);
  });
});
