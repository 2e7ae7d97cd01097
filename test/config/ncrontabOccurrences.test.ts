import { parseNcrontab, type NcrontabFields } from '../../src/shared/config/ncrontab';
import { ncrontabOccurrences } from '../../src/shared/config/ncrontabOccurrences';

const fields = (expression: string): NcrontabFields => {
  const parsed = parseNcrontab(expression);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};
const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

describe('ncrontabOccurrences (UTC)', () => {
  it('fires a daily schedule once a day, strictly after the start', () => {
    const from = new Date('2026-12-04T01:00:00Z');
    expect(iso(ncrontabOccurrences(fields('0 0 1 * * *'), from, new Date('2026-12-07T00:00:00Z'), 10))).toEqual([
      '2026-12-05T01:00:00.000Z',
      '2026-12-06T01:00:00.000Z',
    ]);
  });

  it('needs both the day of month and the day of week, as NCrontab does', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-12-31T23:59:59Z');
    // Friday the 13th in 2026: February, March and November.
    expect(iso(ncrontabOccurrences(fields('0 0 0 13 * FRI'), from, until, 100))).toEqual([
      '2026-02-13T00:00:00.000Z',
      '2026-03-13T00:00:00.000Z',
      '2026-11-13T00:00:00.000Z',
    ]);
  });

  it('expands steps, ranges and lists within a day, and stops at the limit', () => {
    const from = new Date('2026-12-03T00:00:00Z');
    const until = new Date('2026-12-04T00:00:00Z');
    expect(iso(ncrontabOccurrences(fields('0 */20 1-2 * * *'), from, until, 4))).toEqual([
      '2026-12-03T01:00:00.000Z',
      '2026-12-03T01:20:00.000Z',
      '2026-12-03T01:40:00.000Z',
      '2026-12-03T02:00:00.000Z',
    ]);
    expect(ncrontabOccurrences(fields('* * * * * *'), from, until, 7)).toHaveLength(7);
  });

  it('honours months by name', () => {
    const from = new Date('2026-12-03T00:00:00Z');
    const until = new Date('2027-12-31T00:00:00Z');
    expect(iso(ncrontabOccurrences(fields('0 0 3 1 JAN,jul *'), from, until, 10))).toEqual([
      '2027-01-01T03:00:00.000Z',
      '2027-07-01T03:00:00.000Z',
    ]);
  });
});
