import { tickPeriodMs } from '../../src/shared/health/tickPeriod';

const NOW = new Date('2026-03-04T12:00:00Z'); // a Wednesday

describe('tickPeriodMs', () => {
  it.each([
    ['every 5 minutes', '0 */5 * * * *', 5 * 60_000],
    ['every 30 seconds', '*/30 * * * * *', 30_000],
    ['hourly', '0 0 * * * *', 3_600_000],
    // Weekdays only: the weekend is the longest gap (Friday 23:55 to Monday 00:00).
    ['weekdays only', '0 */5 * * * 1-5', 2 * 86_400_000 + 5 * 60_000],
  ])('%s', (_name, schedule, expected) => expect(tickPeriodMs(schedule, NOW)).toBe(expected));

  it('an invalid schedule has no period', () => expect(tickPeriodMs('*/5 * * * *', NOW)).toBeUndefined());
  it('a schedule that fires once a year has none in the window', () =>
    expect(tickPeriodMs('0 0 0 1 1 *', NOW)).toBeUndefined());
});
