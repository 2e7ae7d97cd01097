import { nightlyScheduleWarning, suggestNightlySchedule } from '../../src/shared/config/nightlyScheduleWindow';

const WINTER = new Date('2026-12-03T12:00:00Z');
const SUMMER = new Date('2026-06-01T12:00:00Z');

describe('nightlyScheduleWarning', () => {
  it('warns about a schedule at 12:00 UTC with the nights in Europe/Berlin, and suggests one that fits', () => {
    expect(nightlyScheduleWarning('0 0 12 * * *', 'Europe/Berlin', WINTER)).toBe(
      'IBG_NIGHTLY_SCHEDULE "0 0 12 * * *" fires at 12:00 UTC on 2026-12-04, which is 13:00 on 2026-12-04 in ' +
        'Europe/Berlin (IBG_NIGHT_TIME_ZONE), outside the night (00:00-06:00 local time). The Functions host evaluates ' +
        'the schedule in UTC; a start outside the night freezes IRIS during the day, or near midnight lets a ' +
        'daylight-saving change give one night two runs and the next night none. For example ' +
        'IBG_NIGHTLY_SCHEDULE=0 0 0 * * * starts at 01:00 or 02:00 Europe/Berlin all year.',
    );
  });

  it.each([
    ['0 0 1 * * *', 'Europe/Berlin'],
    ['0 0 1 * * *', 'UTC'],
    ['0 30 3 * * MON-FRI', 'Europe/London'],
    ['0 0 6 * * *', 'America/New_York'],
  ])('does not warn about %j in %s, summer or winter', (schedule, zone) => {
    expect(nightlyScheduleWarning(schedule, zone, WINTER)).toBeUndefined();
    expect(nightlyScheduleWarning(schedule, zone, SUMMER)).toBeUndefined();
  });

  it('DST: a start at 00:30 in summer becomes 23:30, the previous night, when Berlin returns to winter time', () => {
    // From June, the next week is fine; the clocks go back on 2026-10-25 at 01:00 UTC.
    const warning = nightlyScheduleWarning('0 30 22 * * *', 'Europe/Berlin', SUMMER);
    expect(warning).toContain('fires at 22:30 UTC on 2026-10-25, which is 23:30 on 2026-10-25 in Europe/Berlin');
  });

  it('DST: a start at 05:00 in winter becomes 06:00, the morning, when Berlin moves to summer time', () => {
    const warning = nightlyScheduleWarning('0 0 4 * * *', 'Europe/Berlin', WINTER);
    expect(warning).toContain('fires at 04:00 UTC on 2027-03-28, which is 06:00 on 2027-03-28 in Europe/Berlin');
  });

  it('warns about the default-looking 01:00 UTC when the nights are in New York (20:00 or 21:00 there)', () => {
    const warning = nightlyScheduleWarning('0 0 1 * * *', 'America/New_York', WINTER);
    expect(warning).toContain('which is 20:00 on 2026-12-03 in America/New_York');
    expect(warning).toContain('For example IBG_NIGHTLY_SCHEDULE=0 0 6 * * * starts at 01:00 or 02:00 America/New_York');
  });

  it('warns about a schedule that names a date that never comes', () => {
    expect(nightlyScheduleWarning('0 0 1 30 FEB *', 'UTC', WINTER)).toBe(
      'IBG_NIGHTLY_SCHEDULE "0 0 1 30 FEB *" does not fire in the next year.',
    );
  });

  it('warns about a schedule that fires all day long', () => {
    expect(nightlyScheduleWarning('0 0 * * * *', 'UTC', WINTER)).toContain('fires at 13:00 UTC on 2026-12-03');
  });
});

describe('suggestNightlySchedule', () => {
  it.each([
    ['UTC', '0 0 1 * * *', ['01:00']],
    ['Asia/Tokyo', '0 0 16 * * *', ['01:00']],
    ['Australia/Sydney', '0 0 15 * * *', ['01:00', '02:00']],
  ])('%s: %s starts at %j', (zone, schedule, local) => {
    expect(suggestNightlySchedule(zone, WINTER)).toEqual({ schedule, local });
  });
});
